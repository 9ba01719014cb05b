"""The signed-in part of the site, /desk: sign in and out, the desk's front page, and the
users page for administrators. Thin: each view asks the store and renders. (Their URLs
are in desk_routes.py, which imports this module on the desk's first request.)"""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from ..store.accounts import AccountError, authenticate, create_user, list_users
from ..store.audit import AuditEntry, record
from ..store.published import maps_of
from ..store.sessions import close_session, open_session
from ..store.throttling import SignInThrottled
from .current import state
from .desk_session import DESK, admin_only, csrf, current_user, desk, signed_in
from .origin import live_links


def before_desk_request():
    """The database is ready (or the page says how to make it so), and every POST to the
    desk carries the form's CSRF token (400 without it; the API's 401 without a session
    comes first)."""
    desk().open()
    if request.method == "POST":
        if request.path.startswith(DESK + "/api/") and current_user() is None:
            # The API answers 401 without a session, whatever the request carries.
            return jsonify({"error": "sign in first", "status": 401}), 401
        try:
            csrf.protect()
        except CSRFError as refused:
            if request.path.startswith(DESK + "/api/"):
                return jsonify({"error": refused.description, "status": 400}), 400
            raise
    return None


def desk_page(template: str, status: int = 200, **context):
    html = render_template(
        template,
        links=live_links(),
        bundles=state().bundles,
        site_name=desk().settings.site_name,
        user=current_user(),
        **context,
    )
    return html, status


def sign_in():
    """The sign-in form; on POST, a new session and the desk, or the form again."""
    if request.method == "GET":
        if current_user() is not None:
            return redirect(url_for("desk.home"), code=303)
        return desk_page("desk_sign_in.html", title="Sign in")
    email = request.form.get("email", "")
    try:
        user = authenticate(
            desk().db, email, request.form.get("password", ""), request.remote_addr or "unknown"
        )
    except SignInThrottled as refused:
        html, status = desk_page(
            "desk_sign_in.html", 429, title="Sign in", email=email, error=str(refused)
        )
        return html, status, {"Retry-After": str(refused.retry_after)}
    if user is None:
        error = "That email and password do not match an account."
        return desk_page("desk_sign_in.html", 200, title="Sign in", email=email, error=error)
    # A new session (and CSRF token) at each sign-in: one set before it is worth nothing.
    session.clear()
    session["token"] = open_session(desk().db, user, desk().lifetime)
    session.permanent = True
    return redirect(url_for("desk.home"), code=303)


def sign_out():
    """End the session, then the sign-in page."""
    token = session.get("token")
    close_session(desk().db, token if isinstance(token, str) else None)
    session.clear()
    return redirect(url_for("desk.sign_in"), code=303)


@signed_in
def home():
    """The desk's front page: who is signed in, and their maps."""
    maps = maps_of(desk().db, current_user().id)
    return desk_page("desk_home.html", title="Desk", maps=maps)


@admin_only
def users():
    """Every user, and the form to add one."""
    return desk_page("desk_users.html", title="Users", users=list_users(desk().db))


@admin_only
def add_user():
    """Create a user from the form; the list again, or the form with what was wrong."""
    form = request.form
    try:
        made = create_user(
            desk().db,
            form.get("email", ""),
            form.get("password", ""),
            form.get("role", "editor"),
            form.get("name", ""),
        )
    except AccountError as error:
        context = {"users": list_users(desk().db), "error": str(error), "form": form}
        return desk_page("desk_users.html", 400, title="Users", **context)
    note = f"{made.email} ({made.role})"
    record(desk().db, AuditEntry("user-created", current_user().id, note=note))
    return redirect(url_for("desk.users"), code=303)


@signed_in
def me():
    """The signed-in user, as JSON (401 without a session)."""
    user = current_user()
    return jsonify({"email": user.email, "name": user.name, "role": user.role})
