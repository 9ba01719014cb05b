"""The desk's publishing as an attacker meets it: script in a title, uploads past the
limit, no session, no CSRF token; and its JSON API, which wants the token in a header."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from mapserver import create_app
from mapserver.store import accounts
from mapserver.store.audit import audit_entries
from mapserver.store.drafts import draft_count
from mapserver.store.published import maps_of
from mapserver.web import renderer

from .conftest import tiny_config
from .desk_flow import COUNTS, ID, PASSWORD, csrf_of, embed_code, embed_path, publish, sign_in
from .desk_flow import upload as upload_form
from .test_update import tree_digest

pytestmark = pytest.mark.usefixtures("cheap_hashes")
SCRIPT = "<script>alert(1)</script>"


def make_app(tmp_path, **settings):
    config = tiny_config(store_dir=tmp_path, watch_every=0, **settings)
    return create_app(config | {"TESTING": True})


@pytest.fixture
def app(tmp_path):
    made = make_app(tmp_path)
    yield made
    made.extensions["desk"].db.dispose()


@pytest.fixture
def client(app):
    accounts.create_user(app.extensions["desk"].db, "ed@example.org", PASSWORD, "editor")
    made = app.test_client()
    assert sign_in(made, "ed@example.org").status_code == 303
    return made


def test_a_script_title_is_text_everywhere_the_map_is_published(client, monkeypatch):
    drawn = []
    original = renderer.Renderer.render

    def recording(self, **inputs):
        drawn.append(inputs["title"])
        return original(self, **inputs)

    monkeypatch.setattr(renderer.Renderer, "render", recording)
    draft = upload_form(client, id=ID).headers["Location"]
    page_url = publish(client, draft, title=SCRIPT, source=SCRIPT).headers["Location"]
    page = client.get(page_url)
    assert SCRIPT not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    code = embed_code(page.text)
    # the code itself: the title is an attribute value, escaped
    assert code.startswith('<iframe title="&lt;script&gt;alert(1)&lt;/script&gt;" src=')
    path = embed_path(code)
    embed = client.get(path)
    assert embed.status_code == 200 and SCRIPT not in embed.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in embed.text
    svg = client.get(path.replace("/embed/england", "/image/england.svg"))
    assert svg.status_code == 200 and b"<script" not in svg.data
    texts = [element.text for element in ET.fromstring(svg.data).iter() if element.text]
    assert any(SCRIPT in text for text in texts)  # the literal title, as XML text
    png = client.get(path.replace("/embed/england", "/image/england.png"))
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert drawn and all(title.startswith(SCRIPT + ", ") for title in drawn)
    oembed = client.get(
        "/oembed", query_string={"url": "http://localhost" + path.replace("/embed/", "/map/")}
    )
    assert oembed.json["title"].startswith(SCRIPT + ", ")
    assert SCRIPT not in oembed.json["html"] and "&lt;script&gt;" in oembed.json["html"]


def test_an_upload_over_the_limit_is_refused_and_changes_nothing(tmp_path):
    app = make_app(tmp_path, upload_limit_mb=0.01)  # 10,000 bytes (the body may be 74,000)
    db = app.extensions["desk"].db
    accounts.create_user(db, "ed@example.org", PASSWORD, "editor")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    before = (tree_digest(tmp_path / "indicators"), draft_count(db), len(audit_entries(db)))
    big = COUNTS + "E06000901,2018,1\n" * 700  # 12,112 bytes: past the limit, within the body
    refused = upload_form(client, big, id=ID)
    assert refused.status_code == 413
    assert "The file is 0.1 MB; the limit is 0.01 MB." in refused.text
    token = csrf_of(client.get("/desk/new").text)
    pasted = client.post("/desk/new", data={"csrf_token": token, "paste": big.replace(",", "\t")})
    assert pasted.status_code == 413 and "The pasted table is 0.1 MB" in pasted.text
    huge = io.BytesIO(b"x" * 250_000)  # past the body's limit: refused before it is read
    form = {"csrf_token": token, "file": (huge, "huge.csv")}
    flask_refused = client.post("/desk/new", data=form, content_type="multipart/form-data")
    assert flask_refused.status_code == 413
    assert "The upload is 0.3 MB; the limit is 0.01 MB." in flask_refused.text, flask_refused.text
    api = client.post("/desk/api/drafts", json={"paste": big}, headers={"X-CSRFToken": token})
    assert api.status_code == 413 and api.json["error"].startswith("The pasted table is 0.1 MB")
    after = (tree_digest(tmp_path / "indicators"), draft_count(db), len(audit_entries(db)))
    assert after == before
    db.dispose()


def test_without_a_session_desk_pages_redirect_and_the_api_is_401(app):
    client = app.test_client()
    for path in ("/desk/new", "/desk/drafts/1", "/desk/drafts/1/preview", "/desk/maps/1"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"].endswith("/desk/sign-in")
    for path in (
        "/desk/api/drafts",
        "/desk/api/drafts/1/publish",
        "/desk/api/drafts/1/description",
    ):
        response = client.post(path, json={"paste": COUNTS})
        assert (response.status_code, response.json["status"]) == (401, 401), path
    assert client.get("/desk/api/drafts/1").status_code == 401
    assert client.get("/desk/api/csrf").status_code == 401


def test_the_api_answers_json_for_a_draft_that_is_not_the_editors(app, client):
    missing = client.get("/desk/api/drafts/999")
    assert (missing.status_code, missing.json) == (404, {"error": "no such draft", "status": 404})


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(app, client):
    db = app.extensions["desk"].db
    draft = upload_form(client, id=ID).headers["Location"]
    no_token = {"title": "Counts", "action": "publish"}
    assert client.post(draft, data=no_token).status_code == 400
    file = {"file": (io.BytesIO(COUNTS.encode()), "counts.csv"), "id": "other"}
    assert (
        client.post("/desk/new", data=file, content_type="multipart/form-data").status_code == 400
    )
    for path in ("/desk/api/drafts", "/desk/api/drafts/1/publish"):
        assert client.post(path, json={"paste": COUNTS}).status_code == 400, path
        forged = client.post(path, json={"paste": COUNTS}, headers={"X-CSRFToken": "forged"})
        assert forged.status_code == 400 and forged.json["status"] == 400
    assert draft_count(db) == 1 and maps_of(db, 1) == [] and audit_entries(db) == []
    page_url = publish(client, draft).headers["Location"]
    assert client.post(page_url + "/withdraw").status_code == 400
    assert maps_of(db, 1)[0].live


def test_the_api_checks_describes_and_publishes_with_the_token_in_a_header(app, client):
    token = client.get("/desk/api/csrf").json["csrf_token"]
    headers = {"X-CSRFToken": token}
    made = client.post(
        "/desk/api/drafts", json={"paste": COUNTS.replace(",", "\t"), "id": ID}, headers=headers
    )
    assert made.status_code == 201, made.json
    assert made.json["report"][0] == "Read 8 rows: 4 areas, 2 years, 2019 to 2020."
    draft = made.json["draft"]
    described = client.post(
        f"/desk/api/drafts/{draft}/description",
        data=json.dumps({"title": "", "region": "nowhere"}),
        content_type="application/json",
        headers=headers,
    )
    assert described.json["problems"][0] == "The title is empty: a map needs one."
    assert any(p.startswith("No region 'nowhere'") for p in described.json["problems"])
    refused = client.post(f"/desk/api/drafts/{draft}/publish", json={}, headers=headers)
    assert refused.status_code == 400 and refused.json["error"].startswith("The title is empty")
    client.post(
        f"/desk/api/drafts/{draft}/description",
        json={"title": "By the API", "region": "northland", "highlight": "E06000902"},
        headers=headers,
    )
    done = client.post(f"/desk/api/drafts/{draft}/publish", json={}, headers=headers)
    assert done.status_code == 200, done.json
    assert done.json["indicator"] == ID and not done.json["republished"]
    assert "/embed/northland?" in done.json["embed_url"]
    assert "highlight=E06000902" in done.json["embed_url"]
    embed = client.get(embed_path(done.json["embed_code"]))
    assert embed.status_code == 200 and "By the API" in embed.text
    assert audit_entries(app.extensions["desk"].db)[0].action == "published"
