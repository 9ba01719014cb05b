"""An editor makes a map at the desk in Debian's chromium, at 375 and 1280 px, from a real
`mapserver serve`: sign in, upload a Fingertips file, read its warnings, describe it,
publish, copy the embed code; an article on another origin shows the map with the file's
figures; then new, corrected data: the old embed stays as published and links to the
latest, the new one shows the correction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .accounts_helpers import store_with_user
from .browser import SCREENSHOTS, PageWatch, running_server, static_server

pytestmark = pytest.mark.browser
PASSWORD = "a password for the newsroom"
FIXTURE = Path(__file__).parent / "fixtures" / "files" / "smoking-fingertipsR.csv"
# Fenland's 2022 figure in the fixture, and as corrected.
FENLAND, CORRECTED = "17.6", "16.9"
TITLE = "Fewer adults smoke <in> Fenland"
OVERFLOW = "() => document.documentElement.scrollWidth"


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory):
    store = tmp_path_factory.mktemp("desk-publish-store")
    store_with_user(store, "reporter@example.org", PASSWORD, "editor", "A Reporter")
    with running_server({"MAPSERVER_STORE_DIR": str(store)}, clean_env=True) as base:
        yield base


def shot(page, name: str) -> None:
    """The page as far as 2,400 px down (the README shows the desk's steps from these)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    height = min(page.evaluate("() => document.documentElement.scrollHeight"), 2400)
    clip = {"x": 0, "y": 0, "width": width, "height": height}
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, clip=clip)


def article(folder: Path, name: str, code: str) -> str:
    """A news article holding the embed code, as a file of the article's site."""
    (folder / name).write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        "<title>Smoking in Fenland</title><link rel=icon href='data:,'></head><body>"
        f"<h1>Fewer adults smoke</h1><p>Figures by district.</p>{code}</body></html>"
    )
    return name


def figure_in_embed(page, url: str, area: str) -> tuple[str, str]:
    """Open the article, find an area in the embed's search box: its popup's figure, and
    the embed's caption (the source line, with any link to the latest version)."""
    page.goto(url)
    frame = page.frame_locator("iframe")
    frame.locator("#map[data-ready='true']").wait_for(timeout=30_000)
    frame.locator("#area-search-input").click()
    frame.locator("#area-search-input").type(area)
    frame.locator("#area-search-input").press("Enter")
    popup = frame.locator(".leaflet-popup .popup")
    popup.wait_for(timeout=10_000)
    assert popup.locator(".popup-name").inner_text() == area
    return popup.locator(".popup-rate-value").inner_text(), frame.locator("figure").inner_text()


def upload(page, base: str, path: Path, short_name: str | None, width: int, step: str) -> None:
    page.set_input_files("#file", str(path))
    if short_name:
        page.fill("#id", short_name)
    assert page.evaluate(OVERFLOW) <= width
    shot(page, f"desk-{step}-{width}")
    page.click("text=Upload and check")
    page.wait_for_url(re.compile(re.escape(base) + r"/desk/drafts/\d+$"))


def wait_previews(page) -> None:
    for index in range(2):
        frame = page.frame_locator("iframe[data-preview]").nth(index)
        frame.locator("#map[data-ready='true']").wait_for(timeout=30_000)


def publish_during_a_save(page) -> None:
    """Change the source, and press Publish while the desk's save of it is still on its
    way: the form waits for the save's answer, so the save never reaches a draft that is
    already published (and no preview asks for one). Were the publish sent at once, it is
    let through to the server first, and the save after it."""
    held = {"save": None, "publish": None, "released": False}
    posts = []

    def hold(route):
        if route.request.method != "POST" or held["released"]:
            route.continue_()
        elif held["save"] is None:
            held["save"] = route  # (not sent yet)
        else:
            held["publish"] = (route, route.fetch(max_redirects=0))  # (done; answer kept)

    page.on("request", lambda request: request.method == "POST" and posts.append(request))
    page.route(re.compile(r"/desk/drafts/\d+$"), hold)
    page.fill("#source", "Made-up figures for the tests, 2021 to 2022")
    page.press("#source", "Tab")
    wait_until(page, lambda: held["save"], "the desk saved the change")
    # (pressed from the page's script: Playwright's click would wait for the navigation)
    page.evaluate("() => document.getElementById('publish').click()")
    page.wait_for_timeout(300)  # (a form sent at once asks within a few ms)
    if len(posts) > 1:
        wait_until(page, lambda: held["publish"], "the publish was answered")
    held["released"] = True
    held["save"].continue_()
    if held["publish"]:
        route, answer = held["publish"]
        route.fulfill(response=answer)
    page.wait_for_url(re.compile(r"/desk/maps/\d+$"))
    page.unroute_all()


def wait_until(page, done, what: str, seconds: float = 20.0) -> None:
    """Let the page run until `done()`; fail naming `what` after `seconds`."""
    for _ in range(int(seconds / 0.025)):
        if done():
            return
        page.wait_for_timeout(25)
    raise AssertionError(f"not in {seconds} s: {what}")


@pytest.mark.parametrize("width", [375, 1280])
def test_an_editor_publishes_then_corrects_a_map(desk_server, browser, tmp_path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=desk_server)
    page = context.new_page()
    watch = PageWatch(page, desk_server)
    missing = []
    page.on("response", lambda response: response.status >= 400 and missing.append(response.url))
    page.goto(desk_server + "/desk")
    page.fill("#email", "reporter@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(desk_server + "/desk")
    page.click("text=New map")
    short_name = f"smoking-{width}"
    upload(page, desk_server, FIXTURE, short_name, width, "upload")

    # Check: what was read, set aside and warned of, in words
    check = page.locator(".check").inner_text()
    assert "Read 8 rows: 4 areas, 2 years, 2021 to 2022." in check
    assert "Dropped 6 rows of other area types (England 2, Region 4)." in check
    warnings = page.locator(".warnings li").all_inner_texts()
    assert "1 row with no value, kept as missing (E07000008 Cambridge)." in warnings
    # Describe: the preview follows (the table at once; the frames once drawn)
    page.fill("#source", "Made-up figures for the tests")
    page.fill("#title", TITLE)
    preview = page.frame_locator("iframe[data-preview]").first
    if width == 1280:
        # with its script, the desk saves each change and redraws the previews
        page.press("#title", "Tab")
        preview.locator("#graphic-title").filter(has_text=TITLE).wait_for(timeout=30_000)
    else:
        page.click("text=Update the preview")
        page.wait_for_load_state()
    wait_previews(page)
    assert preview.locator("#graphic-title").inner_text().startswith(TITLE)
    table = page.locator(".preview-table").inner_text()
    assert re.search(rf"Fenland\s+E07000010\s+{FENLAND}", table)
    assert page.evaluate(OVERFLOW) <= width
    shot(page, f"desk-describe-{width}")

    # Publish, then copy the embed code
    if width == 1280:
        publish_during_a_save(page)
    else:
        page.click("#publish")
    page.wait_for_url(re.compile(re.escape(desk_server) + r"/desk/maps/\d+$"))
    map_url = page.url
    page.click("text=Copy code")
    page.locator(".copied").filter(has_text="Copied.").wait_for(timeout=5_000)
    code = page.evaluate("() => navigator.clipboard.readText()")
    assert code == page.input_value("#embed-code")
    assert f"indicator={short_name}" in code and "v=" in code and "/embed.js" in code
    assert page.evaluate(OVERFLOW) <= width
    shot(page, f"desk-published-{width}")

    # An article on another origin shows the map with the file's figures
    host = context.new_page()
    folder = tmp_path / "site"
    folder.mkdir()
    with static_server(folder) as site:
        old = f"{site}/{article(folder, 'first.html', code)}"
        value, caption = figure_in_embed(host, old, "Fenland")
        assert value == FENLAND and "see the latest version" not in caption
        if width == 375:
            shot(host, "desk-article-375")

        # New data with a correction: Fenland's 2022 figure was wrong
        corrected = tmp_path / "smoking-corrected.csv"
        corrected.write_text(FIXTURE.read_text().replace(',"2022",17.6,', ',"2022",16.9,'))
        page.goto(map_url)
        page.click("text=Republish with new data")
        upload(page, desk_server, corrected, None, width, "republish")
        page.fill("#note", "Fenland's figure for 2022 was wrong")
        page.check("#correction")
        page.click("#publish")
        page.wait_for_url(map_url)
        assert "Correction, " in page.locator(".updated").inner_text()
        new_code = page.input_value("#embed-code")
        assert new_code != code
        new = f"{site}/{article(folder, 'second.html', new_code)}"

        # a reader who comes later (the first one's browser keeps the embed it was sent,
        # for the embed's max-age, as a CDN would)
        later = browser.new_context(viewport={"width": width, "height": 900})
        host = later.new_page()
        value, caption = figure_in_embed(host, old, "Fenland")
        assert value == FENLAND  # as published
        assert "As published: see the latest version" in caption
        value, caption = figure_in_embed(host, new, "Fenland")
        assert value == CORRECTED
        assert "Correction, " in host.frame_locator("iframe").locator("figure").inner_text()
        assert "see the latest version" not in caption
        if width == 1280:
            shot(host, "desk-article-corrected-1280")
        later.close()

    page.goto(desk_server + "/desk")
    assert TITLE in page.locator(".maps").inner_text()
    shot(page, f"desk-my-maps-{width}")
    assert watch.foreign_requests() == []
    assert watch.errors == [] and missing == [], (watch.errors, missing)
    context.close()


def test_the_desk_works_without_javascript(desk_server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto(desk_server + "/desk/sign-in")
    page.fill("#email", "reporter@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(desk_server + "/desk")
    page.click("text=New map")
    # a table pasted from a spreadsheet: tabs, one row per line
    rows = [
        line.split(",")
        for line in (
            "Area Code,Area Name,Period,Value",
            "E07000010,Fenland,2022,17.6",
            "E06000031,Peterborough,2022,14.2",
        )
    ]
    page.fill("#paste", "\n".join("\t".join(row) for row in rows))
    page.fill("#id", "smoking-pasted")
    page.click("text=Upload and check")
    page.wait_for_url(re.compile(re.escape(desk_server) + r"/desk/drafts/\d+$"))
    assert "Read 2 rows: 2 areas, one year, 2022." in page.locator(".check").inner_text()
    page.fill("#title", "Pasted without a script")
    page.click("text=Update the preview")
    page.wait_for_url(re.compile(re.escape(desk_server) + r"/desk/drafts/\d+$"))
    assert page.input_value("#title") == "Pasted without a script"
    page.click("#publish")
    page.wait_for_url(re.compile(re.escape(desk_server) + r"/desk/maps/\d+$"))
    code = page.input_value("#embed-code")
    assert "indicator=smoking-pasted" in code and code.startswith("<iframe")
    context.close()
