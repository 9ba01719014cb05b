"""Regenerate the README screenshots: `.venv/bin/python docs/make_screenshots.py [DIR]`.

DIR defaults to docs/screenshots; the test suite runs it into a temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
FINGERTIPS = ROOT / "tests" / "fixtures" / "files" / "smoking-fingertipsR.csv"
EDITOR, PASSWORD = "reporter@example.org", "a password for the screenshots"
DATA = ROOT.parent / "shared" / "data"
SHOTS = [
    ("map-anglia-1280", "/map/anglia?week=2021-02-21", 1280, 860, "E07000150"),
    ("map-anglia-375", "/map/anglia?week=2021-02-21", 375, 740, None),
    ("embed-england-1280", "/embed/england?week=2021-02-21", 1280, 760, "E06000031"),
    ("embed-england-375", "/embed/england?week=2021-02-21", 375, 620, None),
    ("embed-anglia-all-1280", "/embed/anglia?week=2021-02-21&labels=all", 1280, 760, None),
    ("embed-london-dark-375", "/embed/london?week=2021-01-03&theme=dark", 375, 620, None),
]

# Views with something typed into the "Find an area" box, then Enter pressed.
SEARCHES = [
    ("embed-anglia-search-facts-375", "/embed/anglia?week=2021-02-21&facts=1", 375, 1180, "peterb"),
]


def main(out: Path = OUT) -> None:
    """Start the server on the real data and save one PNG per view."""
    out.mkdir(parents=True, exist_ok=True)
    with running_server({"MAPSERVER_DATA_DIR": str(DATA)}) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, path, width, height, click in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(base + path)
            page.wait_for_selector("#map[data-ready='true']")
            page.wait_for_selector("#map[data-labels-placed]")
            page.wait_for_timeout(300)  # the embed settles its size, labels placed again
            if click:
                page.locator(f'path[data-code="{click}"]').click()
                page.wait_for_timeout(500)
            page.screenshot(path=str(out / f"{name}.png"))
            page.close()
            print(out / f"{name}.png")
        for name, path, width, height, query in SEARCHES:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(base + path)
            page.wait_for_selector("#map[data-ready='true']")
            page.locator("#area-search-input").focus()
            page.keyboard.type(query)
            page.keyboard.press("Enter")
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / f"{name}.png"))
            page.close()
            print(out / f"{name}.png")
        desk_shots(browser, out)
        browser.close()


def desk_shots(browser, out: Path) -> None:
    """The desk's steps, from a server with an editor in a throwaway store: the upload
    form and the published map's embed code on a phone, Check and describe on a desktop."""
    from mapserver.store.accounts import create_user
    from mapserver.store.database import Database

    with tempfile.TemporaryDirectory(prefix="mapserver-desk-shots-") as store:
        db = Database(f"sqlite:///{Path(store) / 'mapserver.sqlite3'}")
        db.upgrade()
        create_user(db, EDITOR, PASSWORD, "editor", "A Reporter")
        db.dispose()
        env = {"MAPSERVER_DATA_DIR": str(DATA), "MAPSERVER_STORE_DIR": store}
        with running_server(env) as base:
            page = browser.new_page(viewport={"width": 375, "height": 740})
            page.goto(base + "/desk/sign-in")
            page.fill("#email", EDITOR)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/desk")
            page.goto(base + "/desk/new")
            page.set_input_files("#file", str(FINGERTIPS))
            page.fill("#id", "adult-smoking")
            save(page, out, "desk-upload-375")
            page.click("text=Upload and check")
            page.wait_for_selector("#title")
            page.fill("#title", "Adult smoking by district")
            page.fill("#source", "Made-up figures in the shape of a Fingertips file")
            page.click("text=Update the preview")
            page.set_viewport_size({"width": 1280, "height": 1400})
            for index in range(2):
                frame = page.frame_locator("iframe[data-preview]").nth(index)
                frame.locator("#map[data-ready='true']").wait_for()
            page.wait_for_timeout(300)
            save(page, out, "desk-describe-1280")
            page.click("#publish")
            page.wait_for_selector("#embed-code")
            page.set_viewport_size({"width": 375, "height": 900})
            save(page, out, "desk-published-375")
            page.close()


def save(page, out: Path, name: str) -> None:
    """A screenshot of the page's viewport."""
    page.screenshot(path=str(out / f"{name}.png"))
    print(out / f"{name}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
