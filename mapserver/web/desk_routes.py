"""The desk's URLs, in one table, bound to their views only when /desk is first used.

Readers never sign in, so a server that only serves maps should not pay for the desk:
its views import SQLAlchemy, argon2 and the upload checks, about 0.2 s of every process
start. Flask's "lazily loading views" pattern keeps the rules here and imports a view's
module on the first request that needs it; the endpoints keep their names (desk.home,
desk.sign_in, ...), so url_for and the pages' links are as before.
"""

from __future__ import annotations

import importlib
import threading

from flask import Blueprint

blueprint = Blueprint("desk", __name__, url_prefix="/desk")

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")

# (rule under /desk, module.view, methods): a view's name is its endpoint.
ROUTES = (
    ("", "accounts.home", GET),
    ("/sign-in", "accounts.sign_in", BOTH),
    ("/sign-out", "accounts.sign_out", POST),
    ("/users", "accounts.users", GET),
    ("/users", "accounts.add_user", POST),
    ("/api/me", "accounts.me", GET),
    ("/new", "desk_drafts.new_map", BOTH),
    ("/drafts/<int:draft_id>", "desk_drafts.draft", GET),
    ("/drafts/<int:draft_id>", "desk_drafts.describe", POST),
    ("/drafts/<int:draft_id>/preview", "desk_drafts.draft_preview", GET),
    ("/maps/<int:map_id>", "desk_drafts.published_map", GET),
    ("/maps/<int:map_id>/withdraw", "desk_drafts.withdraw_map", POST),
    ("/api/csrf", "desk_api.api_csrf", GET),
    ("/api/drafts", "desk_api.api_upload", POST),
    ("/api/drafts/<int:draft_id>", "desk_api.api_draft", GET),
    ("/api/drafts/<int:draft_id>/description", "desk_api.api_describe", POST),
    ("/api/drafts/<int:draft_id>/publish", "desk_api.api_publish", POST),
)

_LOCK = threading.Lock()


class LazyView:
    """A view named by `module.function` in this package, imported on its first call."""

    def __init__(self, target: str):
        self.target = target
        self.__name__ = target.rpartition(".")[2]
        self._view = None

    def __call__(self, *args, **kwargs):
        if self._view is None:
            module, _, name = self.target.rpartition(".")
            with _LOCK:  # (one import at a time: two first requests may race)
                found = getattr(importlib.import_module(f"{__package__}.{module}"), name)
            self._view = found
        return self._view(*args, **kwargs)


for rule, target, methods in ROUTES:
    view = LazyView(target)
    blueprint.add_url_rule(rule, endpoint=view.__name__, view_func=view, methods=methods)

_before_request = LazyView("accounts.before_desk_request")
_too_large = LazyView("desk_api.too_large")


@blueprint.before_request
def before_desk_request():
    """The desk's checks before every desk view (accounts.before_desk_request)."""
    return _before_request()


@blueprint.errorhandler(413)
def too_large(error):
    """A body past the app's limit: the desk's one line (desk_api.too_large)."""
    return _too_large(error)
