"""oEmbed, presentation options, the loader script and the security headers."""

from __future__ import annotations

import pytest

from mapserver import create_app

from .conftest import SHARED_DATA

WEEK = "2021-02-21"


@pytest.fixture(scope="module")
def client():
    return create_app({"data_dir": SHARED_DATA}).test_client()


def oembed(client, url, **params):
    return client.get("/oembed", query_string={"url": url, **params})


def test_oembed_for_a_map_url(client):
    response = oembed(client, f"http://localhost/map/anglia?week={WEEK}", maxwidth="500")
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == "1.0" and body["type"] == "rich"
    assert body["width"] == 500 and body["height"] == 560
    assert body["title"] == "Covid-19 cases per 100,000, ITV Anglia, 7 days to 21 February 2021"
    assert '<iframe title="Covid-19 cases per 100,000, ITV Anglia' in body["html"]
    assert f'src="http://localhost/embed/anglia?week={WEEK}"' in body["html"]
    assert body["provider_url"] == "http://localhost/"


def test_oembed_for_an_embed_url_keeps_its_options(client):
    url = f"http://localhost/embed/east-of-england?week={WEEK}&scheme=quantiles&k=4"
    body = oembed(client, url, maxheight="300").get_json()
    assert body["height"] == 300 and body["width"] == 640
    assert "scheme=quantiles&amp;k=4" in body["html"]


def test_oembed_keeps_labels_highlight_theme_search_and_facts(client):
    options = "labels=all&highlight=E07000150&theme=dark&search=0&facts=1"
    url = f"http://localhost/embed/anglia?week={WEEK}&{options}"
    html = oembed(client, url).get_json()["html"]
    for option in options.split("&"):
        assert option in html.replace("&amp;", "&")
    # a bad option makes the URL not one of ours
    assert oembed(client, "http://localhost/embed/anglia?labels=most").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.com/map/england",
        "http://localhost/about",
        "http://localhost/map/narnia",
        "http://localhost/map/england?week=1999-01-01",
        "ftp://localhost/map/england",
    ],
)
def test_oembed_for_other_urls_is_404(client, url):
    response = oembed(client, url)
    assert response.status_code == 404
    assert "not a map or embed page" in response.get_json()["error"]


def test_oembed_xml_is_501(client):
    assert oembed(client, "http://localhost/map/england", format="xml").status_code == 501


def test_oembed_bad_size_is_400(client):
    assert oembed(client, "http://localhost/map/england", maxwidth="wide").status_code == 400


def test_map_page_links_oembed_and_preview_image(client):
    html = client.get(f"/map/anglia?week={WEEK}").get_data(as_text=True)
    discovery = 'type="application/json+oembed" href="http://localhost/oembed?url='
    assert discovery + "http%3A%2F%2Flocalhost%2Fmap" in html
    assert (
        f'<meta property="og:image" content="http://localhost/image/anglia.png?week={WEEK}">'
        in html
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert "Highest: Corby (358.6) and Peterborough (273.9)" in html
    # the AMP fallback: a resizable amp-iframe with the image as placeholder
    assert "&lt;amp-iframe" in html and "amp-img placeholder" in html


def test_the_preview_image_shows_the_labels_the_page_asks_for(client):
    html = client.get(f"/map/anglia?week={WEEK}&labels=all").get_data(as_text=True)
    image = f"http://localhost/image/anglia.png?week={WEEK}&amp;labels=all"
    assert f'<meta property="og:image" content="{image}">' in html
    # the AMP fallback in the embed code, escaped twice (an attribute in a code block)
    assert f"src=&#34;{image.replace('&amp;', '&amp;amp;')}&#34;" in html


def test_embed_has_a_noscript_image_and_a_description(client):
    html = client.get(f"/embed/anglia?week={WEEK}").get_data(as_text=True)
    assert f'<noscript><img class="map-fallback" src="/image/anglia.png?week={WEEK}"' in html
    assert 'id="map-description">Covid-19 cases per 100,000 by local authority' in html


def test_embed_code_uses_the_loader(client):
    html = client.get(f"/map/anglia?week={WEEK}").get_data(as_text=True)
    assert "&lt;script async src=&#34;http://localhost/embed.js&#34;&gt;" in html
    loader = client.get("/embed.js")
    assert loader.status_code == 200 and loader.mimetype == "text/javascript"
    assert "mapserver:height" in loader.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "attribute"),
    [
        ("highlight=E07000150", 'data-highlight="E07000150"'),
        ("highlight=e07000150,E06000031", 'data-highlight="E07000150,E06000031"'),
        ("focus=E06000031", 'data-focus="E06000031"'),
        ("timeline=1", 'id="timeline"'),
        ("theme=dark", 'class="embed theme-dark"'),
    ],
)
def test_presentation_options(client, query, attribute):
    html = client.get(f"/embed/anglia?week={WEEK}&{query}").get_data(as_text=True)
    assert attribute in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("highlight=E99999999", "unknown area code"),
        ("highlight=E09000001", "unknown area code"),  # City of London is not in Anglia
        ("highlight=corby", "not an area code"),
        ("highlight=", "needs one or more"),
        ("focus=E07000150,E06000031", "one area code"),
        ("timeline=yes", "timeline must be 0 or 1"),
        ("theme=purple", "theme must be one of"),
    ],
)
def test_bad_presentation_options_are_400(client, query, message):
    response = client.get(f"/embed/anglia?week={WEEK}&{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_html_pages_carry_a_strict_csp_and_frame_ancestors_is_a_setting(client):
    policy = client.get("/embed/england").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors *" in policy
    assert "unsafe-inline" not in policy
    assert "Content-Security-Policy" not in client.get("/healthz").headers
    strict = create_app(
        {"data_dir": SHARED_DATA, "frame_ancestors": "https://news.example.com"}
    ).test_client()
    policy = strict.get("/embed/england").headers["Content-Security-Policy"]
    assert "frame-ancestors https://news.example.com" in policy


def test_history_gives_twelve_weeks_with_gaps_as_null(client):
    version = client.get("/healthz").get_json()["data_version"]
    history = client.get(f"/values/{version}/east-midlands/2020-11-10/history.json").get_json()
    assert len(history["weeks"]) == 12 and history["weeks"][-1] == "2020-11-10"
    corby = history["rates"]["E07000150"]
    assert corby[6:11] == [None] * 5  # October 2020 is missing, not zero
    assert corby[-1] == 180.0
