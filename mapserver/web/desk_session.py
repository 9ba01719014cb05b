"""The desk's sign-in state: its database (opened on first use), a cookie only /desk
sees, CSRF protection on its forms, and the signed-in user of a request."""

from __future__ import annotations

import functools
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask, abort, current_app, g, jsonify, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from ..core.config import Settings
from ..store.secret_key import stored_secret_key
from .embedding import content_security_policy

# The store's accounts need SQLAlchemy, imported when the desk is first used, not at start
# (desk_routes.py): readers' servers never load it.
if TYPE_CHECKING:
    from ..store.accounts import User
    from ..store.database import Database

DESK = "/desk"
COOKIE = "mapserver_desk"
csrf = CSRFProtect()


def is_desk_path(path: str) -> bool:
    """True for /desk and the paths below it (relative to the site root)."""
    return path == DESK or path.startswith(DESK + "/")


class DeskState:
    """app.extensions["desk"]: the settings, and the database once a desk page needs it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._db: Database | None = None
        self._lock = threading.Lock()

    @property
    def db(self) -> Database:
        """The accounts database, upgraded (SQLite) or checked (any other) on first use."""
        return self.open()

    def open(self) -> Database:
        """The accounts database, opened the first time: the default SQLite file is
        upgraded; any other database is checked to be at the newest revision."""
        if self._db is None:
            from ..store.database import Database

            with self._lock:
                if self._db is None:
                    db = Database.from_settings(self.settings)
                    db.ensure_ready()
                    self._db = db
        return self._db

    def close(self) -> None:
        """Close the database's connections, if it was opened."""
        if self._db is not None:
            self._db.dispose()

    @property
    def lifetime(self) -> timedelta:
        """How long a sign-in lasts."""
        return timedelta(hours=self.settings.session_hours)


def desk() -> DeskState:
    """The desk state of the current app."""
    return current_app.extensions["desk"]


class DeskSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, for /desk only: readers' pages never read or set
    the cookie (so they stay cacheable), and no key is made until the desk is used."""

    def open_session(self, app, request):
        """The desk's session; None (Flask's null session) on every other path."""
        if not is_desk_path(request.path):
            return None
        if not app.secret_key:
            settings = app.extensions["desk"].settings
            app.secret_key = settings.secret_key or stored_secret_key(settings.store_root)
        return super().open_session(app, request)

    def get_cookie_path(self, app) -> str:
        """/desk, under the site's sub-path if it has one."""
        return request.script_root.rstrip("/") + DESK

    def get_cookie_secure(self, app) -> bool:
        """Secure on HTTPS requests, or always if MAPSERVER_SECURE_COOKIES says so."""
        return app.extensions["desk"].settings.secure_cookies or request.is_secure


def current_user() -> User | None:
    """The signed-in user of this request, or None."""
    if "desk_user" not in g:
        from ..store.sessions import user_for_session

        token = session.get("token")
        g.desk_user = user_for_session(desk().db, token) if isinstance(token, str) else None
    return g.desk_user


def _is_api() -> bool:
    return request.path.startswith(DESK + "/api/")


def signed_in(view):
    """Views for signed-in users: otherwise the sign-in page, or 401 for the JSON API."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            if _is_api():
                return jsonify({"error": "sign in first", "status": 401}), 401
            return redirect(url_for("desk.sign_in"), code=303)
        return view(*args, **kwargs)

    return wrapper


def admin_only(view):
    """Views for administrators: 403 for an editor (and sign-in for nobody)."""

    @functools.wraps(view)
    @signed_in
    def wrapper(*args, **kwargs):
        if not current_user().is_admin:
            abort(403, description="only an administrator may manage users")
        return view(*args, **kwargs)

    return wrapper


def init_app(app: Flask, settings: Settings) -> None:
    """Sessions and CSRF for the desk; no-store on every desk response."""
    app.extensions["desk"] = DeskState(settings)
    if settings.secret_key:
        app.secret_key = settings.secret_key
    app.session_interface = DeskSessions()
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        # Checked in the desk blueprint only (readers' routes take no POST at all), and
        # valid as long as the sign-in: a form left open for an hour still sends.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=True,
    )
    csrf.init_app(app)

    # Embeds may be framed by the sites MAPSERVER_FRAME_ANCESTORS names; the desk by none
    # (a framed form is a click-jacking target).
    policy = content_security_policy("'none'", None)

    @app.after_request
    def desk_never_cached_or_framed(response):
        # Desk pages are one person's: no browser, proxy or CDN may keep them. (Registered
        # before embedding's security headers, so this runs after them: last word.)
        if is_desk_path(request.path):
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
            framed = g.get("desk_frame_policy")  # the preview, framed by the desk's page
            response.headers["X-Frame-Options"] = "SAMEORIGIN" if framed else "DENY"
            if framed:
                response.headers["Content-Security-Policy"] = framed
            elif "Content-Security-Policy" in response.headers:
                response.headers["Content-Security-Policy"] = policy
        return response
