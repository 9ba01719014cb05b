"""Sections 1 and 2: page weight and time to draw in headless chromium (Playwright + CDP)."""

from __future__ import annotations

import contextlib
import statistics
import time
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY = "#map[data-ready]"
TIMEOUT_MS = 30_000
# Records performance.now() (ms since navigation start) when #map first gets data-ready="true".
DRAWN_SCRIPT = """
(() => {
  const mark = () => {
    const map = document.getElementById("map");
    if (window.__benchDrawn === undefined && map && map.getAttribute("data-ready") === "true") {
      window.__benchDrawn = performance.now();
    }
  };
  new MutationObserver(mark).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-ready"]
  });
})();
"""

# Milestones in ms since navigation start: HTML received, DOMContentLoaded, last script
# received, geometry and values received (Resource Timing), all areas drawn.
PHASES_SCRIPT = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const map = document.getElementById("map");
  const wanted = [map.dataset.geometry, map.dataset.values]
    .map((url) => new URL(url, location.href).href);
  const end = (test) => Math.max(0, ...resources.filter(test).map((e) => e.responseEnd));
  return {
    html: nav.responseEnd,
    dom_content_loaded: nav.domContentLoadedEventEnd,
    scripts: end((e) => e.initiatorType === "script"),
    data: end((e) => wanted.includes(e.name)),
    drawn: window.__benchDrawn ?? null,
  };
}
"""


class NetworkLog:
    """One page's requests as CDP reports them: wire bytes, network or cache, hosts."""

    def __init__(self, cdp):
        self.entries: dict[str, dict] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def reset(self) -> None:
        """Forget what was recorded so far."""
        self.entries = {}

    def _entry(self, event: dict) -> dict:
        return self.entries.setdefault(event["requestId"], {"bytes": 0, "cache": False})

    def _sent(self, event: dict) -> None:
        self._entry(event)["url"] = event["request"]["url"]

    def _from_cache(self, event: dict) -> None:
        self._entry(event)["cache"] = True

    def _response(self, event: dict) -> None:
        entry, response = self._entry(event), event["response"]
        entry["status"] = response["status"]
        headers = {key.lower(): value for key, value in response.get("headers", {}).items()}
        entry["encoding"] = headers.get("content-encoding", "")
        cached = ("fromDiskCache", "fromPrefetchCache", "fromServiceWorker")
        entry["cache"] = entry["cache"] or any(response.get(key) for key in cached)

    def _finished(self, event: dict) -> None:
        entry = self._entry(event)
        entry["bytes"] = int(event["encodedDataLength"])
        entry["done"] = True

    def _failed(self, event: dict) -> None:
        entry = self._entry(event)
        entry["done"], entry["failed"] = True, event.get("errorText", "failed")

    def pending(self) -> int:
        """Requests not yet finished or failed (data: URLs aside)."""
        return sum(1 for entry in self._real() if not entry.get("done"))

    def _real(self) -> list[dict]:
        return [e for e in self.entries.values() if not e.get("url", "data:").startswith("data:")]

    def summary(self, origin: str) -> dict:
        """Totals and one row per request; 'requests' counts those answered by the network."""
        real = self._real()
        network = [e for e in real if "status" in e and not e["cache"]]
        hosts = sorted({urlsplit(e["url"]).netloc for e in real})
        return {
            "bytes": sum(e["bytes"] for e in real),
            "requests": len(network),
            "cache_hits": sum(1 for e in real if e["cache"]),
            "all_requests": len(real),
            "failed": sum(1 for e in real if e.get("failed")),
            "hosts": hosts,
            "other_hosts": [host for host in hosts if host != origin],
            "resources": [_resource_row(e) for e in real],
        }


def _resource_row(entry: dict) -> dict:
    """One request: path and query, status, wire bytes, whether a cache answered."""
    parts = urlsplit(entry["url"])
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return {
        "url": path,
        "status": entry.get("status"),
        "bytes": entry["bytes"],
        "cache": entry["cache"],
        "encoding": entry.get("encoding", ""),
    }


def wait_drawn(page) -> None:
    """Wait for #map to get data-ready; fail unless it is 'true'."""
    page.wait_for_selector(READY, state="attached", timeout=TIMEOUT_MS)
    ready = page.get_attribute("#map", "data-ready")
    if ready != "true":
        raise RuntimeError(f"{page.url}: #map data-ready={ready!r}")


def settle(page, log: NetworkLog, seconds: float = 10.0) -> None:
    """Wait for the network to go idle and every request CDP saw to finish (bounded)."""
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle", timeout=seconds * 1000)
    deadline = time.monotonic() + seconds
    while log.pending() and time.monotonic() < deadline:
        page.wait_for_timeout(50)


def load(page, log: NetworkLog, url: str) -> dict:
    """Navigate, wait until drawn and settled; the network summary and draw time."""
    log.reset()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    wait_drawn(page)
    settle(page, log)
    drawn = page.evaluate("window.__benchDrawn ?? null")
    return {"url": url, "drawn_ms": drawn, **log.summary(urlsplit(url).netloc)}


def first_and_second(browser, base: str, first: str, second: str) -> dict:
    """A first load with an empty cache, then another week in the same context."""
    context = browser.new_context()
    try:
        context.add_init_script(DRAWN_SCRIPT)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        log = NetworkLog(cdp)
        return {"first": load(page, log, base + first), "second": load(page, log, base + second)}
    finally:
        context.close()


def drawn_ms(browser, url: str) -> dict:
    """Milliseconds from navigation start to #map data-ready and its phases, fresh context."""
    context = browser.new_context()
    try:
        context.add_init_script(DRAWN_SCRIPT)
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        wait_drawn(page)
        phases = page.evaluate(PHASES_SCRIPT)
        if phases["drawn"] is None:
            raise RuntimeError(f"{url}: the MutationObserver saw no data-ready")
        return phases
    finally:
        context.close()


def draw_times(browser, url: str, runs: int) -> dict:
    """Medians of several fresh-context loads, after one load that is not counted."""
    drawn_ms(browser, url)
    loads = [drawn_ms(browser, url) for _ in range(runs)]
    medians = {key: statistics.median(load[key] for load in loads) for key in loads[0]}
    return {
        "url": url,
        "runs_ms": [load["drawn"] for load in loads],
        "median_ms": medians["drawn"],
        "phases_median_ms": medians,
        "runs": loads,
    }


def measure(base: str, embeds: list[dict], runs: int) -> dict:
    """Both browser sections against one running server."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            weight = {
                e["name"]: first_and_second(browser, base, e["first"], e["second"]) for e in embeds
            }
            draw = {e["name"]: draw_times(browser, base + e["first"], runs) for e in embeds}
        finally:
            browser.close()
    return {"weight": weight, "draw": draw, "viewport": "1280x720 (Playwright default)"}
