"""The desk (/desk) as an attacker meets it: no session, no CSRF token, guessed passwords,
an editor after admin pages, script in user text; and the readers' pages untouched."""

from __future__ import annotations

import re

import pytest

from mapserver import create_app
from mapserver.store import accounts, published
from mapserver.store.schema import UserRow

from .accounts_helpers import desk_app
from .conftest import tiny_config

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.usefixtures("cheap_hashes")


@pytest.fixture
def app(tmp_path):
    yield from desk_app(tmp_path)


@pytest.fixture
def db(app):
    return app.extensions["desk"].db


@pytest.fixture
def admin(db):
    return accounts.create_user(db, "boss@example.org", PASSWORD, "admin", "The Boss")


@pytest.fixture
def editor(db):
    return accounts.create_user(db, "ed@example.org", PASSWORD, "editor")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, email: str, password: str = PASSWORD, **options):
    token = csrf_of(client.get("/desk/sign-in", **options).text)
    form = {"email": email, "password": password, "csrf_token": token}
    return client.post("/desk/sign-in", data=form, **options)


def test_without_a_session_pages_redirect_to_sign_in_and_the_api_is_401(app):
    client = app.test_client()
    for path in ("/desk", "/desk/users"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"].endswith("/desk/sign-in")
        assert response.headers["Cache-Control"] == "no-store"
    api = client.get("/desk/api/me")
    assert (api.status_code, api.json["status"]) == (401, 401)
    assert api.headers["Cache-Control"] == "no-store"


def test_desk_pages_may_not_be_framed_by_any_site(app):
    page = app.test_client().get("/desk/sign-in")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]
    embed = app.test_client().get("/embed/alpha-and-charlie")
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]


def test_signing_in_opens_the_desk_and_signing_out_closes_it(app, editor, db):
    client = app.test_client()
    response = sign_in(client, "ED@example.org")
    assert response.status_code == 303 and response.headers["Location"].endswith("/desk")
    published.add_map(db, editor.id, "cvd", "Heart <disease> deaths")
    page = client.get("/desk")
    assert page.status_code == 200
    assert "Signed in as <strong>ed@example.org</strong>, editor." in page.text
    assert "Heart &lt;disease&gt; deaths" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get("/desk/api/me").json == {
        "email": "ed@example.org",
        "name": "",
        "role": "editor",
    }
    out = client.post("/desk/sign-out", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    assert client.get("/desk").status_code == 303
    assert client.get("/desk/api/me").status_code == 401


def test_a_wrong_password_shows_the_form_again_without_a_session(app, editor):
    client = app.test_client()
    response = sign_in(client, "ed@example.org", "not the password")
    assert response.status_code == 200
    assert "do not match an account" in response.text
    assert client.get("/desk/api/me").status_code == 401


def test_the_session_cookie_is_httponly_lax_on_desk_paths_and_secure_on_https(app, editor):
    plain = sign_in(app.test_client(), "ed@example.org").headers["Set-Cookie"]
    assert plain.startswith("mapserver_desk=")
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Path=/desk" in plain
    assert "Secure" not in plain
    client = app.test_client()
    # on HTTPS the CSRF check also wants a same-origin Referer, as browsers send
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/desk"}}
    secure = sign_in(client, "ed@example.org", **https)
    assert "Secure" in secure.headers["Set-Cookie"]


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(app, admin, db):
    client = app.test_client()
    refused = client.post("/desk/sign-in", data={"email": admin.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert client.get("/desk/api/me").status_code == 401
    sign_in(client, admin.email)
    form = {"email": "new@example.org", "password": PASSWORD, "role": "admin"}
    for token in (None, "forged-token"):
        data = form | ({"csrf_token": token} if token else {})
        assert client.post("/desk/users", data=data).status_code == 400
    assert client.post("/desk/sign-out").status_code == 400
    assert [u.email for u in accounts.list_users(db)] == [admin.email]
    assert client.get("/desk/api/me").status_code == 200  # still signed in


def test_a_token_from_another_session_is_refused(app, admin, db):
    attacker = app.test_client()
    stolen = csrf_of(attacker.get("/desk/sign-in").text)
    victim = app.test_client()
    sign_in(victim, admin.email)
    data = {"email": "evil@example.org", "password": PASSWORD, "csrf_token": stolen}
    assert victim.post("/desk/users", data=data).status_code == 400
    assert len(accounts.list_users(db)) == 1


def test_twenty_wrong_passwords_then_429_even_with_the_right_one(app, editor):
    client = app.test_client()
    for _ in range(20):
        assert sign_in(client, "ed@example.org", "a wrong guess").status_code == 200
    for password in ("a wrong guess", PASSWORD):
        response = sign_in(client, "ed@example.org", password)
        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= 900
        assert response.headers["Cache-Control"] == "no-store"
        assert "too many failed sign-ins" in response.text
    assert client.get("/desk/api/me").status_code == 401


def test_an_editor_cannot_see_or_create_users(app, editor, db):
    client = app.test_client()
    page = client.get(sign_in(client, "ed@example.org").headers["Location"])
    assert client.get("/desk/users").status_code == 403
    form = {"email": "mate@example.org", "password": PASSWORD, "role": "admin"}
    response = client.post("/desk/users", data=form | {"csrf_token": csrf_of(page.text)})
    assert response.status_code == 403
    assert [u.email for u in accounts.list_users(db)] == ["ed@example.org"]


def test_an_admin_creates_users_and_user_text_is_escaped(app, admin, db):
    client = app.test_client()
    sign_in(client, admin.email)
    page = client.get("/desk/users")
    assert page.status_code == 200 and "boss@example.org" in page.text
    form = {
        "email": "<script>alert(1)</script>@example.org",
        "name": '<img src=x onerror="alert(2)">',
        "password": PASSWORD,
        "role": "editor",
        "csrf_token": csrf_of(page.text),
    }
    made = client.post("/desk/users", data=form)
    assert made.status_code == 303
    listing = client.get("/desk/users").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;@example.org" in listing
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in listing
    assert "<script>" not in listing and "<img" not in listing
    users = {u.email: u for u in accounts.list_users(db)}
    assert users["<script>alert(1)</script>@example.org"].role == "editor"
    with db.transaction() as session:
        hashes = [row.password_hash for row in session.query(UserRow)]
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_an_admin_sees_what_was_wrong_with_a_new_user(app, admin, db):
    client = app.test_client()
    sign_in(client, admin.email)
    token = csrf_of(client.get("/desk/users").text)
    form = {"email": "short@example.org", "password": "short", "csrf_token": token}
    response = client.post("/desk/users", data=form)
    assert response.status_code == 400
    assert "at least 10 characters" in response.text
    owner = form | {"password": PASSWORD, "role": "owner"}
    response = client.post("/desk/users", data=owner)
    assert response.status_code == 400
    assert "the role must be one of admin, editor" in response.text
    assert len(accounts.list_users(db)) == 1


def test_readers_pages_stay_public_and_cacheable_with_a_desk_cookie(app, editor, tmp_path):
    client = app.test_client()
    anonymous = client.get("/map/alpha-and-charlie")
    sign_in(client, "ed@example.org")
    signed = client.get("/map/alpha-and-charlie")
    for response in (anonymous, signed):
        assert response.status_code == 200
        assert response.headers["Cache-Control"].startswith("public")
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
    assert anonymous.data == signed.data
    secret = tmp_path / "secret_key"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert len(secret.read_text().strip()) >= 48


def test_a_public_request_makes_no_database_and_no_key(tmp_path):
    app = create_app(tiny_config(store_dir=tmp_path, watch_every=0))
    assert app.test_client().get("/map/alpha-and-charlie").status_code == 200
    assert list(tmp_path.iterdir()) == []


def test_the_secret_key_setting_is_used_and_nothing_is_written(tmp_path):
    config = tiny_config(store_dir=tmp_path, watch_every=0, secret_key="k" * 40)
    app = create_app(config | {"TESTING": True})
    assert app.test_client().get("/desk/sign-in").status_code == 200
    assert app.secret_key == "k" * 40
    assert not (tmp_path / "secret_key").exists()
    app.extensions["desk"].db.dispose()


def test_the_desk_on_postgresql_wants_db_upgrade_then_signs_in(postgres_cluster, tmp_path):
    from mapserver.store.database import Database

    from .postgres import fresh_database

    url = fresh_database(postgres_cluster)
    config = tiny_config(store_dir=tmp_path, watch_every=0, database_url=url)
    app = create_app(config | {"TESTING": True})
    client = app.test_client()
    refused = client.get("/desk/sign-in")
    assert refused.status_code == 500
    assert "run `mapserver db upgrade`" in refused.text
    db = Database(url)
    db.upgrade()
    accounts.create_user(db, "ed@example.org", PASSWORD)
    db.dispose()
    assert sign_in(client, "ed@example.org").status_code == 303
    assert client.get("/desk/api/me").json["email"] == "ed@example.org"
    assert not (tmp_path / "mapserver.sqlite3").exists()
    app.extensions["desk"].db.dispose()


def test_on_https_a_post_from_another_origin_is_refused_even_with_a_token(app, editor):
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    token = csrf_of(client.get("/desk/sign-in", **https).text)
    form = {"email": "ed@example.org", "password": PASSWORD, "csrf_token": token}
    for referer in (None, "https://evil.example.com/page"):
        headers = {"Referer": referer} if referer else {}
        response = client.post("/desk/sign-in", data=form, headers=headers, **https)
        assert response.status_code == 400, referer
    assert client.get("/desk/api/me", **https).status_code == 401


def test_desk_answers_never_enter_the_response_cache(app, editor):
    client = app.test_client()
    client.get("/map/alpha-and-charlie")  # the readers' page is cached ...
    cache = app.extensions["mapserver"].cache
    before = (len(cache), len(cache._requests))
    assert before[0] > 0 and before[1] > 0
    sign_in(client, "ed@example.org")
    for path in ("/desk", "/desk/api/me", "/desk/users", "/desk/sign-in"):
        client.get(path)
    assert (len(cache), len(cache._requests)) == before  # ... and nothing of the desk's
