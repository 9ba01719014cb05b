"""The desk's pages for making maps, through the test client on the hand-made data: upload,
check, describe, publish, republish and withdraw; drafts kept in the database; My maps
and the audit log."""

from __future__ import annotations

import re

import pytest

from mapserver.store import accounts
from mapserver.store.audit import audit_entries
from mapserver.store.drafts import draft_count, get_draft
from mapserver.store.published import maps_of

from .accounts_helpers import desk_app
from .desk_flow import (
    CORRECTED,
    COUNTS,
    ID,
    PASSWORD,
    csrf_of,
    embed_code,
    embed_path,
    publish,
    sign_in,
    upload,
)

pytestmark = pytest.mark.usefixtures("cheap_hashes")


@pytest.fixture
def app(tmp_path):
    yield from desk_app(tmp_path)


@pytest.fixture
def db(app):
    return app.extensions["desk"].db


@pytest.fixture
def editor(db):
    return accounts.create_user(db, "ed@example.org", PASSWORD, "editor", "Ed")


@pytest.fixture
def client(app, editor):
    made = app.test_client()
    assert sign_in(made, editor.email).status_code == 303
    return made


def published_map(client, **fields) -> str:
    """Upload, then publish: the published map's page URL."""
    made = upload(client, id=ID)
    assert made.status_code == 303, made.text
    done = publish(client, made.headers["Location"], **fields)
    assert done.status_code == 303, done.text
    return done.headers["Location"]


def test_an_upload_becomes_a_draft_whose_page_says_what_was_read(client, db, editor):
    made = upload(client, id=ID)
    assert made.status_code == 303
    assert re.fullmatch(r".*/desk/drafts/\d+", made.headers["Location"])
    page = client.get(made.headers["Location"])
    assert page.status_code == 200
    assert "Read 8 rows: 4 areas, 2 years, 2019 to 2020." in page.text
    assert "Set aside 1 row for 1 area other than districts and unitaries" in page.text
    # the description starts from the file; the preview's table has the hand-worked rates
    assert 'name="title"' in page.text and 'value="desk-counts"' not in page.text
    rows = re.findall(
        r"<tr><td>([^<]+)</td><td>(E\d+)</td><td class=\"num\">([^<]+)</td>", page.text
    )
    assert rows == [
        ("Bravo", "E06000902", "44.0"),
        ("Charlie and Delta", "E06000903", "33.0"),
        ("Alpha", "E06000901", "12.0"),
    ]
    # kept in the database, not in a file: the bytes as uploaded, and this editor's
    draft_id = int(made.headers["Location"].rsplit("/", 1)[1])
    kept = get_draft(db, draft_id, editor.id)
    assert kept.content.decode().startswith("code,period,count\n") and kept.indicator_id == ID
    assert draft_count(db) == 1


def test_the_preview_is_the_embed_drawn_from_the_draft_and_framed_by_the_desk_alone(client, app):
    draft = upload(client, id=ID).headers["Location"]
    token = csrf_of(client.get(draft).text)
    form = {
        "csrf_token": token,
        "title": "Smoking <b>now</b>",
        "subtitle": "Counts <i>made up</i>",
        "notes": "First note.\n\nSecond note.",
        "region": "northland",
        "period": "2019",
        "highlight": "e06000902",
        "labels": "all",
    }
    saved = client.post(draft, data=form)
    assert saved.status_code == 303
    preview = client.get(draft + "/preview")
    assert preview.status_code == 200
    # every choice: the words (as text), the region, the period, highlight and labels
    assert "<title>Smoking &lt;b&gt;now&lt;/b&gt;, Northland: 2019</title>" in preview.text
    assert '<p class="graphic-dek">Counts &lt;i&gt;made up&lt;/i&gt;</p>' in preview.text
    assert "<p>First note.</p><p>Second note.</p>" in preview.text
    assert 'data-highlight="E06000902"' in preview.text and 'data-labels="all"' in preview.text
    page = client.get(draft)
    assert "As the embed will show it: Northland, 2019." in page.text
    # the table follows too: Northland's two areas in 2019, 20/50,000 and 10/100,000
    assert re.findall(
        r"<td>(Bravo|Alpha)</td><td>E\d+</td><td class=\"num\">([^<]+)<", page.text
    ) == [
        ("Bravo", "40.0"),
        ("Alpha", "10.0"),
    ]
    assert 'id="map-values"' in preview.text and "Bravo" in preview.text
    policy = preview.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "script-src 'sha256-" in policy
    assert "unsafe-inline" not in policy
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert preview.headers["Cache-Control"] == "no-store"
    # nothing was written to the indicator store
    stored = app.extensions["mapserver"].settings.store_root / "indicators"
    assert not stored.exists() or not any(stored.iterdir())
    # the draft's page itself may still not be framed
    assert client.get(draft).headers["X-Frame-Options"] == "DENY"


def test_publishing_gives_the_pinned_embed_code_and_records_the_map(client, db, editor):
    page_url = published_map(client, title="Counts in 2020", source="A made-up source")
    page = client.get(page_url)
    assert page.status_code == 200
    code = embed_code(page.text)
    assert code.startswith('<iframe title="Counts in 2020" src="http://localhost/embed/england?')
    assert f"indicator={ID}" in code and "v=" in code
    assert '<script async src="http://localhost/embed.js"></script>' in code
    assert "/oembed?url=" in page.text and "/image/england.png?" in page.text
    embed = client.get(embed_path(code))
    assert embed.status_code == 200
    assert "Counts in 2020" in embed.text and "A made-up source" in embed.text
    assert "Bravo (44.0)" in embed.text  # the highest area and its hand-worked rate
    [made] = maps_of(db, editor.id)
    assert (made.indicator_id, made.title) == (ID, "Counts in 2020")
    [entry] = audit_entries(db, indicator_id=ID)
    assert (entry.action, entry.user_id) == ("published", editor.id) and entry.at is not None
    assert draft_count(db) == 0  # the draft is gone once published
    home = client.get("/desk")
    assert "Counts in 2020" in home.text and f"/desk/maps/{made.id}" in home.text


def test_republishing_keeps_the_old_embed_as_published_and_links_to_the_latest(client, db):
    page_url = published_map(client)
    old = embed_path(embed_code(client.get(page_url).text))
    map_id = page_url.rsplit("/", 1)[1]
    made = upload(client, CORRECTED, "counts-corrected.csv", map=map_id)
    assert made.status_code == 303
    draft = client.get(made.headers["Location"])
    assert "This is a correction" in draft.text and ">Republish<" in draft.text
    done = publish(
        client, made.headers["Location"], note="Bravo's count for 2020 was wrong", correction="1"
    )
    assert done.headers["Location"] == page_url
    page = client.get(page_url)
    assert "Correction, " in page.text and "Bravo&#39;s count for 2020 was wrong." in page.text
    new = embed_path(embed_code(page.text))
    assert new != old
    before, after = client.get(old), client.get(new)
    assert "Bravo (44.0)" in before.text and "Bravo (50.0)" in after.text
    assert "As published: see the latest version" in before.text
    assert "see the latest version" not in after.text
    assert "Correction, " in after.text and "Correction, " not in before.text
    actions = [entry.action for entry in audit_entries(db, indicator_id=ID)]
    assert actions == ["republished", "published"]


def test_a_description_problem_is_shown_and_nothing_is_published(client, db, app):
    draft = upload(client, id=ID).headers["Location"]
    refused = publish(client, draft, title="", source_url="ftp://example.org")
    assert refused.status_code == 400
    assert "The title is empty: a map needs one." in refused.text
    assert maps_of(db, 1) == [] and audit_entries(db) == []
    stored = app.extensions["mapserver"].settings.store_root / "indicators"
    assert not stored.exists() or not any(stored.iterdir())


def test_a_refused_file_keeps_no_draft_and_says_why(client, db):
    bad = "code,period,count\nE06000901,2020,1000000\n"  # more than Alpha's population
    refused = upload(client, bad, id=ID)
    assert refused.status_code == 400
    assert "Not accepted; nothing was kept." in refused.text
    assert draft_count(db) == 0


def test_a_second_map_under_a_name_already_published_is_refused(client):
    published_map(client)
    again = upload(client, id=ID)
    assert again.status_code == 400
    assert "is published already: republish it from its page" in again.text


def test_withdrawing_is_recorded_and_the_published_embed_still_answers(client, db, editor):
    page_url = published_map(client)
    code = embed_code(client.get(page_url).text)
    token = csrf_of(client.get(page_url).text)
    done = client.post(page_url + "/withdraw", data={"csrf_token": token})
    assert done.status_code == 303
    [made] = maps_of(db, editor.id)
    assert not made.live
    entries = audit_entries(db, indicator_id=ID)
    assert [(e.action, e.user_id) for e in entries] == [
        ("withdrew", editor.id),
        ("published", editor.id),
    ]
    assert all(e.at is not None for e in entries)
    assert "withdrawn" in client.get("/desk").text
    assert client.get(embed_path(code)).status_code == 200


def test_my_maps_lists_only_my_maps_and_others_are_404(app, client, db):
    page_url = published_map(client)
    other = accounts.create_user(db, "other@example.org", PASSWORD, "editor")
    theirs = app.test_client()
    sign_in(theirs, other.email)
    assert "You have published no maps yet." in theirs.get("/desk").text
    assert theirs.get(page_url).status_code == 404
    mine = upload(client, id="mine-only")
    assert theirs.get(mine.headers["Location"]).status_code == 404
    assert theirs.get(mine.headers["Location"] + "/preview").status_code == 404
    assert theirs.get("/desk/new?map=" + page_url.rsplit("/", 1)[1]).status_code == 404


def test_a_pasted_table_is_read_as_the_file_would_be(client):
    token = csrf_of(client.get("/desk/new").text)
    paste = COUNTS.replace(",", "\t").replace("\n", "\r\n") + "\r\n"
    made = client.post("/desk/new", data={"csrf_token": token, "paste": paste, "id": "pasted"})
    assert made.status_code == 303
    page = client.get(made.headers["Location"])
    assert "What was read from pasted.tsv" in page.text
    assert "Read 8 rows: 4 areas, 2 years, 2019 to 2020." in page.text


def test_an_empty_upload_form_says_what_to_do(client, db):
    token = csrf_of(client.get("/desk/new").text)
    refused = client.post("/desk/new", data={"csrf_token": token, "paste": "  "})
    assert refused.status_code == 400
    assert "Choose a file, or paste a table copied from a spreadsheet." in refused.text
    assert draft_count(db) == 0
