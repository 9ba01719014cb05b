"""Place labels and the dark theme as a reader sees them, in Debian's chromium."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from .browser import SCREENSHOTS, PageWatch

pytestmark = pytest.mark.browser

WEEK = "2021-02-21"
CORBY, PETERBOROUGH, NORWICH = "E07000150", "E06000031", "E07000148"

# Every visible label's text and box, and the boxes it must keep clear of.
BOXES = """() => {
  const box = (node) => { const r = node.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const labels = [...document.querySelectorAll('#map .map-label')]
    .filter((node) => getComputedStyle(node).visibility === 'visible')
    .map((node) => {
      const text = document.createRange();
      text.selectNodeContents(node);
      return {code: node.dataset.code, text: node.textContent, box: box(node),
              ink: box(text)};
    });
  return {
    labels,
    map: box(document.getElementById('map')),
    legend: box(document.getElementById('legend')),
    controls: [...document.querySelectorAll('#map .leaflet-control')].map(box),
    viewport: {left: 0, top: 0, right: innerWidth, bottom: innerHeight},
  };
}"""


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def inside(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (
        a["left"] >= b["left"] - slack
        and a["top"] >= b["top"] - slack
        and a["right"] <= b["right"] + slack
        and a["bottom"] <= b["bottom"] + slack
    )


def labels_on(page) -> dict:
    """The visible labels, checked: inside the map and viewport, clear of each other."""
    found = page.evaluate(BOXES)
    labels = found["labels"]
    for label in labels:
        assert inside(label["box"], found["map"]), label
        assert inside(label["box"], found["viewport"]), label
        # the text drawn fits the box that was placed (widths measured on a canvas)
        assert inside(label["ink"], label["box"], slack=1), label
        assert not overlap(label["box"], found["legend"]), label
        for control in found["controls"]:
            assert not overlap(label["box"], control), (label, control)
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlap(a["box"], b["box"]), (a, b)
    return {label["code"]: label["text"] for label in labels}


def rates(server: str, region: str, week: str = WEEK) -> dict:
    records = requests.get(
        f"{server}/api/rates", params={"region": region, "week": week}, timeout=10
    ).json()
    return {record["code"]: record for record in records}


def open_map(new_page, url: str, width: int, height: int = 800):
    page = new_page(viewport={"width": width, "height": height})
    watch = PageWatch(page, url)
    page.goto(url)
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    page.wait_for_selector("#map[data-labels-placed]")
    return page, watch


@pytest.mark.parametrize("region", ["anglia", "england"])
@pytest.mark.parametrize("width", [375, 1280])
def test_corby_and_peterborough_are_labelled_apart_inside_the_map(server, new_page, region, width):
    page, watch = open_map(new_page, f"{server}/embed/{region}?week={WEEK}", width)
    shown = labels_on(page)
    expected = rates(server, region)
    for code in (CORBY, PETERBOROUGH):
        assert shown[code] == f"{expected[code]['name']} {expected[code]['rate']:.1f}"
    assert shown[CORBY] == "Corby 358.6"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"labels-{region}-{width}.png"))
    assert watch.errors == []


@pytest.mark.parametrize("region", ["anglia", "england", "east-of-england", "london"])
def test_at_300_px_the_top_two_areas_are_labelled(server, new_page, region):
    page, _ = open_map(new_page, f"{server}/embed/{region}?week={WEEK}", 300, 560)
    shown = labels_on(page)
    ranked = sorted(
        (r for r in rates(server, region).values() if r["rate"] is not None),
        key=lambda r: (-r["rate"], r["name"]),
    )
    # Scilly and the City share their series' figures: only one of each pair is a top area
    top = [r for r in ranked if r["code"] not in ("E06000053", "E09000001")][:2]
    assert [shown.get(r["code"]) for r in top] == [f"{r['name']} {r['rate']:.1f}" for r in top]


def test_labels_none_and_all(server, new_page):
    page, _ = open_map(new_page, f"{server}/embed/anglia?week={WEEK}&labels=none", 1000)
    assert labels_on(page) == {}
    page, _ = open_map(new_page, f"{server}/embed/anglia?week={WEEK}&labels=all", 1000)
    shown = labels_on(page)
    assert len(shown) > 20
    assert shown[CORBY] == "Corby 358.6"
    assert shown["E06000056"] == "Central Bedfordshire"  # the most populous, name only


def test_zooming_in_places_the_labels_again_and_names_more_areas(server, new_page):
    page, _ = open_map(new_page, f"{server}/embed/england?week={WEEK}&labels=all", 375, 700)
    before = labels_on(page)
    assert NORWICH not in before  # no room for it with all of England in view
    page.evaluate(
        "() => Mapserver.view.map.setView(Mapserver.view.shapes['E07000148'].getBounds()"
        ".getCenter(), Mapserver.view.map.getZoom() + 3, {animate: false})"
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('#map .map-label')].some((node) =>"
        " node.textContent === 'Norwich' && getComputedStyle(node).visibility === 'visible')",
        timeout=10_000,
    )
    after = labels_on(page)
    assert after.get(NORWICH) == "Norwich"


def test_highlighted_area_is_labelled_with_its_rate(server, new_page):
    page, _ = open_map(new_page, f"{server}/embed/anglia?week={WEEK}&highlight={NORWICH}", 1000)
    page.keyboard.press("Escape")
    shown = labels_on(page)
    assert shown[NORWICH] == f"Norwich {rates(server, 'anglia')[NORWICH]['rate']:.1f}"
    assert shown[CORBY] == "Corby 358.6"


def test_a_label_shows_bristol_not_bristol_city_of(server, new_page):
    bristol = "E06000023"
    url = f"{server}/embed/south-west?week={WEEK}&highlight={bristol}"
    page, _ = open_map(new_page, url, 1000)
    page.keyboard.press("Escape")
    shown = labels_on(page)
    assert rates(server, "south-west")[bristol]["name"] == "Bristol, City of"
    assert shown[bristol] == f"Bristol {rates(server, 'south-west')[bristol]['rate']:.1f}"


def test_a_new_week_relabels_with_its_rates(server, new_page):
    page, _ = open_map(new_page, f"{server}/embed/anglia?week={WEEK}&timeline=1", 1000)
    page.get_by_role("button", name="Previous week").click()
    page.wait_for_selector("#map[data-week='2021-02-14']")
    shown = labels_on(page)
    before = rates(server, "anglia", "2021-02-14")
    ranked = sorted((r for r in before.values() if r["rate"] is not None), key=lambda r: -r["rate"])
    first = ranked[0]
    assert shown[first["code"]] == f"{first['name']} {first['rate']:.1f}"


def _embed_src(code: str) -> tuple[str, dict[str, str]]:
    """The iframe src in an embed code: its path and query parameters."""
    src = code.split('src="')[1].split('"')[0].replace("&amp;", "&")
    parts = urlsplit(src)
    return parts.path, dict(parse_qsl(parts.query))


def test_map_page_embed_code_takes_the_labels_choice(server, new_page):
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/map/anglia?week={WEEK}")
    page.wait_for_selector("#map[data-ready='true']")
    code = page.locator("#embed-code")
    path, params = _embed_src(code.input_value())
    assert path == "/embed/anglia" and params["week"] == WEEK and "labels" not in params
    version = params["v"]  # a week was chosen: the code is pinned by default
    page.select_option("#embed-labels", "all")
    assert _embed_src(code.input_value())[1] == {"week": WEEK, "v": version, "labels": "all"}
    page.select_option("#embed-labels", "none")
    assert _embed_src(code.input_value())[1]["labels"] == "none"
    page.select_option("#embed-labels", "top")
    assert "labels" not in _embed_src(code.input_value())[1]
    # the search box and key facts choices work the same way, and combine
    page.select_option("#embed-search", "0")
    page.select_option("#embed-facts", "1")
    assert _embed_src(code.input_value())[1] == {
        "week": WEEK,
        "v": version,
        "search": "0",
        "facts": "1",
    }
    # switching to the live code keeps the options chosen
    page.check("input[name=embed-kind][value=live]")
    assert _embed_src(code.input_value())[1] == {"search": "0", "facts": "1"}
    page.check("input[name=embed-kind][value=pinned]")
    path, params = _embed_src(code.input_value())
    assert params == {"week": WEEK, "v": version, "search": "0", "facts": "1"}
    embed = new_page(viewport={"width": 800, "height": 900})
    embed.goto(server + path + "?" + "&".join(f"{k}={v}" for k, v in params.items()))
    embed.wait_for_selector("#map[data-ready='true']")
    assert embed.locator("input[role='combobox']").count() == 0
    assert "Corby had the highest rate" in embed.locator("body").inner_text()
    page.select_option("#embed-search", "1")
    page.select_option("#embed-facts", "0")
    assert set(_embed_src(code.input_value())[1]) == {"week", "v"}


# --- dark theme: the darkest bands keep a visible edge --------------------------------------

DARK_WEEK = "2021-01-03"  # London's worst week: Barking and Dagenham 1,649.6, Redbridge 1,539.5
BARKING, REDBRIDGE = "E09000002", "E09000026"


def rgb(css: str) -> tuple[float, ...]:
    return tuple(float(part) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3])


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        linear = [
            c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
            for c in rgb(colour)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["dark", "auto"])
def test_dark_theme_gives_the_darkest_bands_a_visible_edge(server, new_page, theme):
    page = new_page(viewport={"width": 700, "height": 800}, color_scheme="dark")
    page.goto(f"{server}/embed/london?week={DARK_WEEK}&theme={theme}")
    page.wait_for_selector("#map[data-ready='true']")
    paper = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert contrast(paper, "rgb(255, 255, 255)") > 10  # the dark theme is on
    for code, fill in ((BARKING, "rgb(0, 0, 0)"), (REDBRIDGE, "rgb(59, 9, 48)")):
        style = page.evaluate(
            "(code) => { const s = getComputedStyle(document.querySelector("
            "`path[data-code='${code}']`)); return [s.fill, s.stroke, s.strokeWidth]; }",
            code,
        )
        assert style[0] == fill
        # WCAG 1.4.11: 3:1 for the edge against the area and against the page around it
        assert contrast(style[1], fill) >= 3 and contrast(style[1], paper) >= 3, style
        assert float(style[2].removesuffix("px")) >= 0.8
    swatches = page.evaluate(
        "() => [...document.querySelectorAll('#legend .legend-swatch')].map((node) => {"
        " const s = getComputedStyle(node); return [s.backgroundColor, s.boxShadow]; })"
    )
    darkest = [s for s in swatches if s[0] in ("rgb(59, 9, 48)", "rgb(0, 0, 0)")]
    assert len(darkest) == 2
    for background, shadow in darkest:
        assert shadow.endswith("inset"), shadow
        edge = shadow[: shadow.index(")") + 1]
        assert contrast(edge, background) >= 3 and contrast(edge, paper) >= 3, shadow
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dark-london-{theme}.png"))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_label_ink_and_halo_contrast_in_both_themes(server, new_page, theme):
    page, _ = open_map(new_page, f"{server}/embed/london?week={DARK_WEEK}&theme={theme}", 700)
    ink, shadow = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('.map-label'));"
        " return [s.color, s.textShadow]; }"
    )
    paper = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    # a halo of the page's own colour on every side: the text is read against it, on any band
    halo = [part.strip() + ")" for part in shadow.split(")") if "rgb" in part]
    assert len(halo) >= 8 and {rgb(colour) for colour in halo} == {rgb(paper)}
    assert contrast(ink, paper) >= 7
