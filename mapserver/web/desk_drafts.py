"""The desk's pages for making maps: upload, check and describe (a draft), publish, the
published map's embed code, republish and withdraw. Thin: each view calls the desk's
steps (update/desk.py) and the store, and renders what they answer."""

from __future__ import annotations

import hashlib
from datetime import date

from flask import abort, g, jsonify, make_response, redirect, request, url_for

from ..core.errors import DataError, MapserverError
from ..figures.bands import COMPARED_SCHEMES
from ..store.audit import AuditEntry, record
from ..store.drafts import Draft, add_draft, drop_draft, get_draft, save_description
from ..store.published import get_map, withdraw
from ..update.description import Description
from ..update.desk import (
    Refusal,
    check_upload,
    current_publication,
    description_problems,
    kept_indicator,
    publish,
    regions_of,
    starting_description,
)
from ..update.indicators import Checked
from ..update.upload import Upload, check_size, pasted
from ..words.check_report import check_report
from ..words.published import updated_line
from .accounts import desk_page
from .current import state
from .desk_preview import preview_page, preview_state, preview_table, remembered
from .desk_publishing import embed_links, record_publication
from .desk_session import current_user, desk, signed_in
from .render import LABEL_CHOICES, SCHEME_NAMES

ACCEPT = ".csv,.tsv,.txt,.xlsx,.ods"
# The description's choices, in the map page's words ("": the indicator's own, or the
# map's default).
SCHEMES = {
    "": "The indicator’s own",
    **SCHEME_NAMES,
    **{
        scheme: f"Compared with the national figure ({level}%)"
        for scheme, (level, _) in COMPARED_SCHEMES.items()
    },
}
LABELS = {"": "The map’s default", **LABEL_CHOICES}


def received_upload() -> Upload | None:
    """The form's file, else its pasted table; None if it has neither."""
    sent = request.files.get("file")
    if sent is not None and sent.filename:
        return Upload(sent.read(), sent.filename)
    text = request.form.get("paste", "")
    return pasted(text) if text.strip() else None


def upload_step(
    upload: Upload | None, indicator_id: str | None, republish: bool = False
) -> tuple[Draft | None, str, int]:
    """Check an upload as `mapserver add` would and keep it as the editor's draft: the
    draft, or None with the refusal's sentence and the status to answer. `republish`:
    new data for the map of `indicator_id`."""
    if upload is None:
        return None, "Choose a file, or paste a table copied from a spreadsheet.", 400
    settings = desk().settings
    try:
        check_size(upload, settings.upload_limit_mb)
    except DataError as error:
        return None, str(error), 413
    result = check_upload(settings, upload, id=indicator_id)
    if isinstance(result, Refusal):
        return None, check_report(result).refusal, 400
    if not republish and kept_indicator(settings, result.indicator.id) is not None:
        message = (
            f"A map of {result.indicator.id!r} is published already: republish it from "
            "its page, or give this one another short name."
        )
        return None, message, 400
    user = current_user()
    draft = add_draft(
        desk().db, user.id, upload.name, upload.content, upload.pasted, indicator_id, republish
    )
    save_description(desk().db, draft.id, user.id, starting_description(settings, result).as_dict())
    return draft, "", 201


def short_name(text: str) -> str | None:
    """The short name (indicator id) an editor gave, or None to take the file's."""
    return text.strip().lower() or None


def refuse(status: int, message: str):
    """Stop with this status: JSON under /desk/api/, the error page elsewhere."""
    if request.path.startswith(url_for("desk.home") + "/api/"):
        abort(make_response(jsonify({"error": message, "status": status}), status))
    abort(status, description=message)


def owned_draft(draft_id: int) -> Draft:
    """The signed-in editor's draft, or 404."""
    found = get_draft(desk().db, draft_id, current_user().id)
    if found is None:
        refuse(404, "no such draft")
    return found


def checked_draft(draft: Draft) -> Checked | Refusal:
    """The draft's upload checked again (as the servers share no file system, each step
    reads the kept bytes)."""
    upload = Upload(draft.content, draft.filename, draft.pasted)
    # (the checks depend on the bytes, the id, the day and the reference files)
    digest = hashlib.sha256(draft.content).hexdigest()
    key = ("check", draft.indicator_id, draft.filename, digest, date.today(), state().data_version)
    return remembered(
        key, lambda: check_upload(desk().settings, upload, id=draft.indicator_id or None)
    )


def owned_map(map_id: int):
    """The signed-in editor's published map, or 404."""
    found = get_map(desk().db, map_id)
    if found is None or found.editor_id != current_user().id:
        refuse(404, "no such map")
    return found


@signed_in
def new_map():
    """Upload: a file or a pasted table; a republication names its map (`map`)."""
    map_id = request.values.get("map", type=int)
    republishing = owned_map(map_id) if map_id else None
    context = {"title": "New map", "accept": ACCEPT, "republishing": republishing}
    if request.method == "GET":
        return desk_page("desk_new.html", **context)
    indicator_id = (
        republishing.indicator_id if republishing else short_name(request.form.get("id", ""))
    )
    draft, message, status = upload_step(received_upload(), indicator_id, bool(republishing))
    if draft is None:
        return desk_page("desk_new.html", status, error=message, **context)
    return redirect(url_for("desk.draft", draft_id=draft.id), code=303)


def draft_context(draft: Draft, description: Description | None = None, problems=()) -> dict:
    """What the check-and-describe page shows of a draft."""
    result = checked_draft(draft)
    report = check_report(result)
    context = {"draft": draft, "report": report, "title": "Check and describe", "wide": True}
    if isinstance(result, Refusal):
        return context
    settings = desk().settings
    description = description or Description.from_dict(draft.description or {})
    current, query = preview_state(result, description)
    rows, without = preview_table(current, query)
    context |= {
        "description": description,
        "problems": list(problems) or description_problems(settings, description, result),
        "regions": regions_of(settings),
        "periods": result.periods,
        "schemes": SCHEMES,
        "label_modes": LABELS,
        "rows": rows,
        "without": without,
        "unit": current.dataset.unit,
        "preview_region": query.region.title,
        "preview_period": current.dataset.period_text(query.week),
    }
    return context


@signed_in
def draft(draft_id: int):
    """Check and describe: the check's sentences, the description form and the preview."""
    return desk_page("desk_draft.html", **draft_context(owned_draft(draft_id)))


def form_description() -> Description:
    """The description the form sends."""
    return Description.from_dict(request.form.to_dict())


@signed_in
def describe(draft_id: int):
    """Keep the form's description (the preview follows it), or publish with it."""
    found = owned_draft(draft_id)
    description = form_description()
    save_description(desk().db, found.id, current_user().id, description.as_dict())
    if request.form.get("action") != "publish":
        return redirect(url_for("desk.draft", draft_id=found.id), code=303)
    result = checked_draft(found)
    if isinstance(result, Refusal):
        abort(400, description=result.message)
    note = request.form.get("note", "")
    correction = request.form.get("correction") == "1"
    try:
        published = publish(desk().settings, result, description, note, correction)
    except MapserverError as error:
        context = draft_context(found, description, [str(error)])
        return desk_page("desk_draft.html", 400, error=str(error), **context)
    made = record_publication(desk().db, current_user().id, published, note)
    drop_draft(desk().db, found.id, current_user().id)
    return redirect(url_for("desk.published_map", map_id=made.id), code=303)


@signed_in
def draft_preview(draft_id: int):
    """The draft drawn as its embed would be, for the describe page's frames."""
    found = owned_draft(draft_id)
    result = checked_draft(found)
    if isinstance(result, Refusal):
        abort(400, description=result.message)
    description = Description.from_dict(found.description or {})
    current, query = preview_state(result, description)
    html, policy = preview_page(current, query, description)
    # The desk's after-request hook gives this policy, which the desk alone may frame.
    g.desk_frame_policy = policy
    return make_response(html)


@signed_in
def published_map(map_id: int):
    """A published map: its permanent embed code, oEmbed link and images."""
    found = owned_map(map_id)
    published = current_publication(desk().settings, found.indicator_id)
    links = None if published is None else embed_links(published)
    updated = "" if published is None else updated_line(published.stored.indicator)
    return desk_page("desk_map.html", title=found.title, map=found, embed=links, updated=updated)


@signed_in
def withdraw_map(map_id: int):
    """Withdraw a map from the desk's lists (its published embeds keep working)."""
    found = owned_map(map_id)
    withdraw(desk().db, found.id)
    record(desk().db, AuditEntry("withdrew", current_user().id, found.indicator_id))
    return redirect(url_for("desk.home"), code=303)
