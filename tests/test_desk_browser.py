"""The desk in a phone's browser, from a real `mapserver serve`: sign in, see the desk
and the users page at 375 px, with no third-party request and no CSP complaint."""

from __future__ import annotations

import pytest

from .accounts_helpers import store_with_user
from .browser import PageWatch, running_server

pytestmark = pytest.mark.browser
PASSWORD = "a password for the phone"
WIDTH = 375
OVERFLOW = "() => document.documentElement.scrollWidth"


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory):
    store = tmp_path_factory.mktemp("desk-store")
    store_with_user(store, "boss@example.org", PASSWORD, "admin", "<b>The Boss</b>")
    with running_server({"MAPSERVER_STORE_DIR": str(store)}, clean_env=True) as base:
        yield base


def test_an_admin_signs_in_on_a_phone_and_adds_a_user(desk_server, browser):
    page = browser.new_page(viewport={"width": WIDTH, "height": 740})
    watch = PageWatch(page, desk_server)
    page.goto(desk_server + "/desk")
    assert page.url.endswith("/desk/sign-in")
    assert page.evaluate(OVERFLOW) <= WIDTH
    page.fill("#email", "Boss@Example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(desk_server + "/desk")
    assert "Signed in as <b>The Boss</b>" in page.inner_text(".who")  # shown as text
    assert page.evaluate(OVERFLOW) <= WIDTH
    page.click("text=Users")
    page.wait_for_url(desk_server + "/desk/users")
    assert page.evaluate(OVERFLOW) <= WIDTH
    page.fill("#email", "reporter@example.org")
    page.fill("#password", "another long password")
    page.click("text=Add user")
    page.wait_for_url(desk_server + "/desk/users")
    assert "reporter@example.org" in page.inner_text("main")
    # the stylesheet applied: the form's fields fill the phone's width less the padding
    assert page.evaluate("() => document.getElementById('email').offsetWidth") > 300
    page.click("text=Sign out")
    page.wait_for_url(desk_server + "/desk/sign-in")
    assert watch.foreign_requests() == []
    assert watch.errors == []
    page.close()
