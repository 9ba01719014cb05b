"""The desk's JSON API (/desk/api/...): the same steps as its pages, for a newsroom's own
tools. A session is needed (401 without one), and every POST carries the session's CSRF
token in an X-CSRFToken header (from /desk/api/me), as a form carries it in a field."""

from __future__ import annotations

import math

from flask import jsonify, request
from flask_wtf.csrf import generate_csrf

from ..core.errors import MapserverError
from ..store.drafts import drop_draft, save_description
from ..update.description import Description
from ..update.desk import Refusal, description_problems, publish
from ..update.upload import MEGABYTE, pasted
from ..words.check_report import check_report
from .accounts import desk_page
from .desk_drafts import (
    ACCEPT,
    checked_draft,
    owned_draft,
    received_upload,
    short_name,
    upload_step,
)
from .desk_publishing import embed_links, record_publication
from .desk_session import current_user, desk, signed_in


def _draft_json(draft, description: Description | None = None) -> dict:
    result = checked_draft(draft)
    report = check_report(result)
    out = {"draft": draft.id, "filename": draft.filename, "report": report.sentences()}
    if isinstance(result, Refusal):
        return out | {"refusal": report.refusal}
    description = description or Description.from_dict(draft.description or {})
    problems = description_problems(desk().settings, description, result)
    return out | {"description": description.as_dict(), "problems": problems}


@signed_in
def api_csrf():
    """The session's CSRF token, for the X-CSRFToken header of the API's POSTs."""
    return jsonify({"csrf_token": generate_csrf()})


@signed_in
def api_upload():
    """Upload and check: a multipart `file`, or `paste` (form or JSON); 201 with the
    draft and its check's sentences, or 400/413 with the refusal."""
    body = request.get_json(silent=True) or {}
    upload = pasted(body["paste"]) if isinstance(body.get("paste"), str) else received_upload()
    name = short_name(str(body.get("id") or request.form.get("id", "")))
    draft, message, status = upload_step(upload, name)
    if draft is None:
        return jsonify({"error": message, "status": status}), status
    return jsonify(_draft_json(owned_draft(draft.id))), 201


@signed_in
def api_draft(draft_id: int):
    """A draft: its check's sentences, description and what is wrong with it."""
    return jsonify(_draft_json(owned_draft(draft_id)))


@signed_in
def api_describe(draft_id: int):
    """Keep a description (JSON, as the draft gives it); the draft with its problems."""
    found = owned_draft(draft_id)
    description = Description.from_dict(request.get_json(force=True) or {})
    save_description(desk().db, found.id, current_user().id, description.as_dict())
    return jsonify(_draft_json(owned_draft(draft_id)))


@signed_in
def api_publish(draft_id: int):
    """Publish a draft as described (JSON `note`, `correction` for a republication):
    the map, its version and its embed code; 400 with the first problem."""
    found = owned_draft(draft_id)
    body = request.get_json(silent=True) or {}
    result = checked_draft(found)
    if isinstance(result, Refusal):
        return jsonify({"error": result.message, "status": 400}), 400
    description = Description.from_dict(found.description or {})
    note = str(body.get("note") or "")
    try:
        published = publish(
            desk().settings, result, description, note, bool(body.get("correction"))
        )
    except MapserverError as error:
        return jsonify({"error": str(error), "status": 400}), 400
    made = record_publication(desk().db, current_user().id, published, note)
    drop_draft(desk().db, found.id, current_user().id)
    links = embed_links(published)
    return jsonify(
        {
            "map": made.id,
            "indicator": made.indicator_id,
            "version": published.version,
            "republished": published.republished,
            "embed_code": links.code,
            "embed_url": links.embed_url,
            "oembed_url": links.oembed_url,
            "png_url": links.png_url,
        }
    )


def too_large(error):
    """A body past the app's limit, refused before it is read: the desk's one line."""
    limit = desk().settings.upload_limit_mb
    size = math.ceil((request.content_length or 0) / MEGABYTE * 10) / 10
    message = f"The upload is {size:,.1f} MB; the limit is {limit:g} MB."
    if request.path.startswith("/desk/api/"):
        return jsonify({"error": message, "status": 413}), 413
    return desk_page("desk_new.html", 413, title="New map", error=message, accept=ACCEPT)
