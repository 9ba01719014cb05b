"""The browser tests' page pool (tests/browser.py) gives each test a page as good as new:
blank, at the size asked, with nothing left of the test before."""

from __future__ import annotations

import http.server

import pytest

from .browser import PagePool, loopback_server

pytestmark = pytest.mark.browser


class Cached(http.server.BaseHTTPRequestHandler):
    """A page that sets a cookie and may be cached for an hour; notes each path asked."""

    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Cached.asked.append(self.path)
        body = b"<!doctype html><title>t</title><p>page"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Cache-Control", "max-age=3600")
        self.send_header("Set-Cookie", "seen=1; Path=/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_page_given_back_comes_again_as_new(browser):
    pool = PagePool(browser)
    with loopback_server(Cached) as base:
        page = pool.take({"width": 400, "height": 300})
        seen = []
        page.on("console", lambda message: seen.append(message.text))
        page.route("**/blocked", lambda route: route.fulfill(body="routed"))
        page.emulate_media(media="print")
        page.goto(base + "/")
        assert page.context.cookies() != [] and Cached.asked.count("/") == 1
        pool.give_back(page)

        again = pool.take({"width": 800, "height": 600})
        assert again is page  # the same page, not a new renderer
        assert again.url == "about:blank"
        assert again.viewport_size == {"width": 800, "height": 600}
        assert again.context.cookies() == []
        assert again.evaluate("() => matchMedia('print').matches") is False
        again.evaluate("() => console.log('after')")
        again.wait_for_timeout(100)
        assert seen == []  # the first test's listener is gone
        again.goto(base + "/")
        assert Cached.asked.count("/") == 2  # from the server, not the first test's cache
        # the first test's route is gone: the server answers
        assert again.evaluate(f"() => fetch('{base}/blocked').then(r => r.text())") != "routed"
        assert "/blocked" in Cached.asked
        pool.give_back(again)

        closed = pool.take()
        closed.close()
        pool.give_back(closed)  # a page the test closed is dropped
        assert pool.take() is not closed
    pool.close()
