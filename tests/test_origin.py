"""Canonical URLs: allowed hosts, MAPSERVER_PUBLIC_URL, and a reverse proxy at a sub-path."""

from __future__ import annotations

import http.server
import re
from contextlib import contextmanager
from html import unescape
from urllib.parse import quote

import pytest
import requests

from mapserver import create_app
from mapserver.web.origin import host_allowed, hostname

from .browser import PageWatch, loopback_server, running_server
from .conftest import SHARED_DATA

WEEK = "2021-02-21"
PUBLIC = "https://maps.example.org/covid"
ABSOLUTE = re.compile(r"""(?:href|src|content)="(https?://[^"]+)\"""")


@pytest.fixture(scope="module")
def app():
    return create_app({"data_dir": SHARED_DATA, "TESTING": True})


@pytest.fixture(scope="module")
def public_app():
    return create_app({"data_dir": SHARED_DATA, "public_url": PUBLIC + "/", "TESTING": True})


@pytest.fixture(scope="module")
def proxied_app():
    config = {
        "data_dir": SHARED_DATA,
        "trust_proxy": "1",
        "allowed_hosts": "localhost,news.example",
        "TESTING": True,
    }
    return create_app(config)


@pytest.mark.parametrize(
    ("host", "name"),
    [("localhost", "localhost"), ("127.0.0.1:8000", "127.0.0.1"), ("[::1]:8000", "::1"),
     ("Maps.Example.ORG", "maps.example.org")],
)  # fmt: skip
def test_hostname_drops_the_port(host, name):
    assert hostname(host) == name


def test_host_patterns():
    assert host_allowed("a.example.org:443", (".example.org",))
    assert host_allowed("example.org", (".example.org",))
    assert not host_allowed("badexample.org", (".example.org",))
    assert host_allowed("anything", ("*",))
    assert not host_allowed("evil.example", ("localhost", "127.0.0.1", "::1"))


@pytest.mark.parametrize(
    "path",
    [f"/map/anglia?week={WEEK}", "/", f"/embed/england?week={WEEK}",
     f"/api/rates?region=anglia&week={WEEK}", "/embed.js",
     "/healthz"],
)  # fmt: skip
def test_a_forged_host_gets_400(app, path):
    client = app.test_client()
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" in response.get_data(as_text=True)
    assert "evil.example" not in response.headers.get("Location", "")
    # the same path from an allowed host is served, and was not poisoned
    for host in ("localhost", "127.0.0.1:8000", "[::1]:8000"):
        good = client.get(path, headers={"Host": host})
        assert good.status_code == 200, host
        assert "evil.example" not in good.get_data(as_text=True)


def _absolute_urls(html: str) -> list[str]:
    return [unescape(url) for url in ABSOLUTE.findall(html)]


def test_public_url_is_the_base_of_every_absolute_url(public_app):
    client = public_app.test_client()
    html = client.get(f"/map/anglia?week={WEEK}", headers={"Host": "evil.example"}).get_data(
        as_text=True
    )
    urls = _absolute_urls(html)
    assert len(urls) >= 4  # canonical, og:url, og:image, oEmbed discovery
    assert all(url.startswith(PUBLIC + "/") for url in urls), urls
    assert "evil.example" not in html
    # the embed code (in a textarea) names the public URL too, loader included
    code = unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S).group(1))
    assert f'src="{PUBLIC}/embed/anglia?week={WEEK}' in code
    assert f'src="{PUBLIC}/embed.js"' in code
    # site links are below the public URL's path
    assert re.search(r'href="/covid/assets/[0-9a-f]{12}/map\.css"', html)
    assert 'data-geometry="/covid/geo/' in html or "/covid/geo/" in html


def test_oembed_answers_for_public_urls_only(public_app):
    client = public_app.test_client()
    ours = client.get("/oembed?url=" + quote(f"{PUBLIC}/map/anglia?week={WEEK}", safe=""))
    assert ours.status_code == 200
    body = ours.get_json()
    assert f'src="{PUBLIC}/embed/anglia?week={WEEK}"' in body["html"]
    assert body["provider_url"] == PUBLIC + "/"
    for foreign in (
        f"https://evil.example/covid/map/anglia?week={WEEK}",
        f"https://maps.example.org/other/map/anglia?week={WEEK}",
    ):
        assert client.get("/oembed?url=" + quote(foreign, safe="")).status_code == 404


def test_forwarded_headers_are_ignored_unless_trusted(app):
    headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "/x"}
    html = app.test_client().get(f"/map/anglia?week={WEEK}", headers=headers).get_data(as_text=True)
    assert "evil.example" not in html and '"/x/' not in html


def test_trusted_proxy_at_a_sub_path(proxied_app):
    headers = {
        "X-Forwarded-Host": "news.example",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Prefix": "/maps",
    }
    client = proxied_app.test_client()
    html = client.get(f"/map/anglia?week={WEEK}", headers=headers).get_data(as_text=True)
    urls = _absolute_urls(html)
    assert urls and all(url.startswith("https://news.example/maps/") for url in urls), urls
    assert re.search(r'href="/maps/assets/[0-9a-f]{12}/map\.css"', html)
    assert 'href="/maps/map/east-of-england?week=' in html
    # a forwarded host that is not allowed is refused like a forged Host
    forged = {**headers, "X-Forwarded-Host": "evil.example"}
    assert client.get(f"/map/anglia?week={WEEK}", headers=forged).status_code == 400


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A reverse proxy serving the app under /maps/, as nginx would with proxy_pass."""

    upstream = ""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if not self.path.startswith("/maps/"):
            self.send_error(404)
            return
        headers = {
            "X-Forwarded-Host": self.headers["Host"],
            "X-Forwarded-Proto": "http",
            "X-Forwarded-Prefix": "/maps",
            "Accept-Encoding": "identity",
        }
        answer = requests.get(
            self.upstream + self.path[len("/maps") :], headers=headers, timeout=20
        )
        self.send_response(answer.status_code)
        for name in ("Content-Type", "Cache-Control", "ETag"):
            if name in answer.headers:
                self.send_header(name, answer.headers[name])
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, *args):
        pass


@contextmanager
def reverse_proxy(upstream: str):
    with loopback_server(type("Proxy", (_Proxy,), {"upstream": upstream})) as base:
        yield base


@pytest.mark.browser
def test_embed_draws_behind_a_proxy_at_a_sub_path(new_page):
    env = {"MAPSERVER_TRUST_PROXY": "1", "MAPSERVER_DATA_DIR": str(SHARED_DATA)}
    with running_server(env) as upstream, reverse_proxy(upstream) as front:
        page = new_page(viewport={"width": 800, "height": 700})
        watch = PageWatch(page, front)
        page.goto(f"{front}/maps/embed/east-of-england?week={WEEK}")
        page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
        assert page.locator("#map path.area").count() == 45
        assert watch.foreign_requests() == []
        paths = [url.removeprefix(front) for url in watch.requests if url.startswith(front)]
        assert len(paths) >= 4 and all(path.startswith("/maps/") for path in paths), paths
        assert watch.errors == []


def test_ogc_links_use_the_public_url(public_app):
    client = public_app.test_client()
    landing = client.get("/ogc/", headers={"Host": "evil.example", "Accept": "application/json"})
    hrefs = [link["href"] for link in landing.get_json()["links"]]
    assert hrefs and all(href.startswith(PUBLIC + "/") for href in hrefs), hrefs
    assert all("//ogc" not in href.removeprefix("https://") for href in hrefs)
    document = client.get("/openapi.json", headers={"Host": "evil.example"}).get_json()
    assert document["servers"][0]["url"] == PUBLIC
