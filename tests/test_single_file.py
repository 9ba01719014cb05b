"""The single-file HTML export: `mapserver html`, /download/<region>.html, and the bench."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapserver import create_app
from mapserver.cli import main
from mapserver.maps.single_file import inline_code, inline_json

from .conftest import SHARED_DATA
from .loaded import first_format

WEEK = "2021-02-21"
PETERBOROUGH = "E06000031"
ROOT = Path(__file__).resolve().parents[1]


class Links(HTMLParser):
    """Every attribute of the page that could make a request: src, href, srcset, data."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action", "poster"):
                self.found.append((tag, name, value))


@pytest.fixture(scope="module")
def real_app():
    return create_app({"data_dir": SHARED_DATA})


@pytest.fixture(scope="module")
def anglia_file(tmp_path_factory):
    """`mapserver html --region anglia --week 2021-02-21 -o anglia.html`."""
    target = tmp_path_factory.mktemp("single") / "anglia.html"
    result = CliRunner(env={"MAPSERVER_DATA_DIR": str(SHARED_DATA)}).invoke(
        main, ["html", "--region", "anglia", "--week", WEEK, "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.startswith(f"wrote {target} (") and "ITV Anglia, 2021-02-21" in result.stdout
    )
    return target


def test_inline_json_cannot_end_its_script_element():
    data = {"name": "</script><script>alert(1)</script>", "line": "a\u2028b"}
    text = inline_json(data)
    assert "<" not in text and "\u2028" not in text
    assert json.loads(text) == data


def test_inline_code_refuses_to_end_its_element():
    assert inline_code(b"var a = 1 < 2;", "script") == "var a = 1 < 2;"
    with pytest.raises(ValueError):
        inline_code("var s = '</SCRIPT>';", "script")


def test_the_file_holds_everything_it_needs(anglia_file):
    html = anglia_file.read_text(encoding="utf-8")
    parser = Links()
    parser.feed(html)
    assert parser.found == []  # no src, no href: nothing to fetch
    assert parser.tags.count("script") == 4  # geometry, values, history, the script bundle
    assert parser.tags.count("style") == 1 and "link" not in parser.tags
    values = json.loads(re.search(r'id="map-values">(.*?)</script>', html).group(1))
    topology = json.loads(re.search(r'id="map-geometry">(.*?)</script>', html).group(1))
    values = first_format(values, topology)
    assert values["week"] == WEEK and len(values["areas"]) == 53


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--region", "atlantis", "-o", "x.html"], "choose from england"),
        (["--region", "anglia", "--week", "21/02/2021", "-o", "x.html"], "YYYY-MM-DD"),
        (["--region", "anglia", "--week", "2019-06-01", "-o", "x.html"], "between 2020-02-05"),
        (["--region", "anglia", "--scheme", "rainbow", "-o", "x.html"], "scheme must be one of"),
        (["--region", "anglia", "--scheme", "quantiles", "--k", "12", "-o", "x.html"], "k must"),
        (["--region", "anglia", "-o", "/no/such/folder/x.html"], "cannot write"),
        (["--region", "anglia"], "'-o' / '--output'"),
    ],
)
def test_bad_input_is_a_one_line_error_with_status_2(args, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner(env={"MAPSERVER_DATA_DIR": str(SHARED_DATA)}).invoke(main, ["html", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert not (tmp_path / "x.html").exists()


def test_download_route_serves_the_same_file_cached(real_app, anglia_file):
    client = real_app.test_client()
    url = f"/download/anglia.html?week={WEEK}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="anglia-2021-02-21.html"'
    )
    assert response.data == anglia_file.read_bytes()
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.data) < len(response.data) / 2
    quantiles = client.get(f"/download/anglia.html?week={WEEK}&scheme=quantiles&k=4")
    assert (
        'filename="anglia-2021-02-21-quantiles-4.html"' in quantiles.headers["Content-Disposition"]
    )
    assert client.get("/download/atlantis.html").status_code == 404
    assert client.get("/download/anglia.html?week=2021-02-30").status_code == 400


def test_map_page_links_to_the_download(real_app):
    client = real_app.test_client()
    page = client.get(f"/map/anglia?week={WEEK}").get_data(as_text=True)
    assert f'<a href="/download/anglia.html?week={WEEK}" download>Download HTML</a>' in page
    page = client.get(f"/map/anglia?week={WEEK}&scheme=quantiles&k=4").get_data(as_text=True)
    assert "/download/anglia.html?week=2021-02-21&amp;scheme=quantiles&amp;k=4" in page


@pytest.mark.browser
@pytest.mark.parametrize(("region", "areas"), [("anglia", 53), ("east-of-england", 45)])
def test_single_file_opens_from_disk_with_no_network(
    real_app, new_page, anglia_file, tmp_path, region, areas
):
    client = real_app.test_client()
    if region == "anglia":
        saved = anglia_file
    else:  # the file the map page's Download HTML link gives
        saved = tmp_path / f"{region}.html"
        saved.write_bytes(client.get(f"/download/{region}.html?week={WEEK}").data)
    records = client.get(f"/api/rates?region={region}&week={WEEK}").get_json()
    expected = next(row for row in records if row["code"] == PETERBOROUGH)

    page = new_page(viewport={"width": 1000, "height": 760})
    document = saved.as_uri()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The network is blocked entirely: only the file itself may be read.
    page.route(
        "**/*", lambda route: route.continue_() if route.request.url == document else route.abort()
    )
    page.goto(document)
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    assert page.locator("#map .leaflet-overlay-pane path.area").count() == areas

    page.locator(f'path[data-code="{PETERBOROUGH}"]').click()
    popup = page.locator(".leaflet-popup-content .popup")
    popup.wait_for(timeout=5_000)
    assert popup.locator(".popup-name").inner_text() == "Peterborough"
    assert float(popup.locator(".popup-rate-value").inner_text()) == expected["rate"] == 273.9
    assert popup.locator(".popup-rank").inner_text() == "2nd of 315 in England"
    assert (expected["rank"], expected["rank_of"]) == (2, 315)
    # the 12-week sparkline comes from the history inside the file
    popup.locator(".sparkline").wait_for(timeout=5_000)
    labels = page.locator("#legend .legend-label").all_inner_texts()
    assert labels[:2] == ["0–9", "10–49"] and labels[-1] == "1,600+"
    page.screenshot(path=str(tmp_path / f"{region}.png"))

    assert requests == [document]  # the file itself, and not one request more
    assert errors == []


def test_benchmark_smoke():
    script = ROOT / "bench" / "single_file_size.py"
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            "--region",
            "east-of-england",
            "--data-dir",
            str(SHARED_DATA),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("east-of-england"))
    numbers = [float(value) for value in row.split()[1:]]
    assert numbers[0] == 45 and len(numbers) == 10
    single_raw, single_gzip = numbers[1], numbers[2]
    assert 0 < single_gzip < single_raw
    assert "explore()" in result.stdout
