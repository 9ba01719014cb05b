"""Responses built once and served from memory: compressed variants, ETags, 304s."""

from __future__ import annotations

import functools
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime

import brotli
from flask import Request, Response, current_app, request
from flask_openapi3 import validate_request

from . import recompress

PAGE_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400"
IMMUTABLE = "public, max-age=31536000, immutable"
MIN_COMPRESS = 256  # bytes; smaller bodies are not worth a compression header
# gzip is for the few clients without brotli: level 6 (zlib's own default), not 9. For
# England's geometry (133 KB) 9 took 37.7 ms and 6 took 8.8 ms, for bytes 2.2% larger;
# pages and values come out within 0.1%. (`mapserver export` keeps 9: compressed once.)
GZIP = 6


@dataclass(eq=False)
class Entry:
    """One resource: its bytes in every encoding and the headers that describe it.

    `br` may be swapped once for smaller bytes of the same content (recompress.py): a
    large entry's `first_quality` bytes, once they have been sent `times_sent` times."""

    body: bytes
    gzip: bytes | None
    br: bytes | None
    mimetype: str
    etag: str
    last_modified: str
    cache_control: str
    headers: tuple[tuple[str, str], ...] = ()
    first_quality: bool = False
    times_sent: int = 0
    size: int = field(init=False)

    def __post_init__(self):
        # Bytes held in memory, as built: what the cache charges it (the best brotli
        # bytes that may replace `br` later are smaller).
        self.size = len(self.body) + len(self.gzip or b"") + len(self.br or b"")

    def improve(self, br: bytes) -> None:
        """Answer with these brotli bytes from now on (the same content, smaller)."""
        self.br = br
        self.first_quality = False


def make_entry(
    body: bytes | str,
    mimetype: str,
    last_modified,
    cache_control: str = PAGE_CACHE_CONTROL,
    headers: tuple[tuple[str, str], ...] = (),
    fast: bool = False,
) -> Entry:
    """Compress a body (gzip and brotli) and give it a content-derived ETag.

    `fast` trades size for speed (gzip 5, brotli 5: ~30 ms, not ~3 s, for 1 MB) for bodies
    that vary with each request, like feature pages for every bbox a GIS client pans to.
    Otherwise a large body is answered with brotli 5, and gets brotli 11 off the request
    path once it is sent again (recompress.py); a small one gets brotli 11 at once.
    """
    data = body.encode("utf-8") if isinstance(body, str) else body
    compress = len(data) >= MIN_COMPRESS and not mimetype.startswith("image/png")
    later = compress and not fast and len(data) >= recompress.LARGE
    quality = recompress.FIRST if fast or later else recompress.BEST
    return Entry(
        body=data,
        gzip=gzip.compress(data, compresslevel=5 if fast else GZIP, mtime=0) if compress else None,
        br=brotli.compress(data, quality=quality) if compress else None,
        mimetype=mimetype,
        etag=hashlib.sha256(data).hexdigest()[:20],
        last_modified=format_datetime(last_modified, usegmt=True),
        cache_control=cache_control,
        headers=headers,
        first_quality=later,
    )


def _accepts(request: Request, coding: str) -> bool:
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == coding:
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _not_modified(request: Request, entry: Entry) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/").strip('"') for tag in if_none_match.split(",")}
        # the same content in any encoding counts as a match
        return "*" in tags or any(tag.split("-")[0] == entry.etag for tag in tags)
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(entry.last_modified)
        except (TypeError, ValueError):
            return False
    return False


def respond(request: Request, entry: Entry) -> Response:
    """The entry as a response for this request: 304, or the best encoding it accepts."""
    headers = {
        "Cache-Control": entry.cache_control,
        "Last-Modified": entry.last_modified,
        "Vary": "Accept-Encoding",
        **dict(entry.headers),
    }
    body, coding = entry.body, None
    if entry.br is not None and _accepts(request, "br"):
        body, coding = entry.br, "br"
    elif entry.gzip is not None and _accepts(request, "gzip"):
        body, coding = entry.gzip, "gzip"
    headers["ETag"] = f'"{entry.etag}-{coding}"' if coding else f'"{entry.etag}"'
    if _not_modified(request, entry):
        return Response(status=304, headers=headers)
    if coding:
        headers["Content-Encoding"] = coding
    if coding == "br" and entry.first_quality:
        recompress.RECOMPRESSOR.sent(entry)
    response = Response(body, mimetype=entry.mimetype, headers=headers)
    response.direct_passthrough = True
    return response


def cached(view: Callable[..., Entry]) -> Callable[..., Response]:
    """Route decorator: the view builds an Entry; repeats of a request skip the view.

    Under the route's flask-openapi3 decorator: the request's parameters are validated
    against the view's declarations (params.py) only when it is not a repeat, which
    skips parsing and validation as it skips the view.
    """
    view = validate_request()(view)

    @functools.wraps(view)
    def answer(*args, **kwargs):
        current = current_app.extensions["mapserver"]
        cache = current.cache
        # The cache is shared by the data versions a worker holds: the same URL (a live
        # embed, say) answers differently once a new version is current.
        # So do the versions of the indicators (`mapserver add`): the release names both,
        # and says in every response which ones answered it.
        release = current.release
        raw = (request.script_root, request.path, request.query_string, request.host)
        raw += (release,)
        entry = cache.for_request(raw)
        if entry is None:
            entry = view(*args, **kwargs)
            cache.remember_request(raw, entry)
        response = respond(request, entry)
        response.headers["X-Data-Version"] = release
        return response

    return answer


class Flight:
    """A build in progress: the requests for the same key wait for it to be done."""

    def __init__(self):
        self.done = threading.Event()
        self.entry: Entry | None = None
        self.waiters = 0


class ResponseCache:
    """A thread-safe LRU of Entries, bounded by count and by bytes."""

    def __init__(self, max_entries: int = 2048, max_bytes: int = 256 * 1024 * 1024):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        # Request (path, query, host) -> Entry for requests already answered, so a
        # repeat skips parsing and validation: the hot path under a traffic spike.
        self._requests: OrderedDict[tuple, Entry] = OrderedDict()
        # Builds in progress, by key, for the requests that wait for them.
        self._flights: dict[tuple, Flight] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def for_request(self, raw: tuple) -> Entry | None:
        """The entry that answered this exact request before, if it is still cached."""
        entry = self._requests.get(raw)
        if entry is not None:
            self.hits += 1
        return entry

    def remember_request(self, raw: tuple, entry: Entry) -> None:
        """Note which entry answers this exact request (bounded like the entries)."""
        with self._lock:
            self._requests[raw] = entry
            while len(self._requests) > self.max_entries:
                self._requests.popitem(last=False)

    def get(self, key: tuple, build: Callable[[], Entry]) -> Entry:
        """The cached entry for key, building it (outside the lock) on a miss.

        Requests for a key that is being built wait for that build rather than start
        their own: a popular page that is not cached yet is built once, not once per
        request (which, past the build bound, would answer 503 to all but a few).
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry
            self.misses += 1
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = Flight()
            else:
                flight.waiters += 1
        if not leader:
            flight.done.wait()
            if flight.entry is not None:
                return flight.entry
            # the build failed (e.g. refused): try for ourselves, with its bound
            return self.get(key, build)
        try:
            entry = flight.entry = build()
        except BaseException:
            with self._lock:
                del self._flights[key]
            flight.done.set()
            raise
        with self._lock:
            # stored before the flight ends, so no request finds neither and builds again
            del self._flights[key]
            if key not in self._entries:
                self._entries[key] = entry
                self._bytes += entry.size
            while self._entries and (
                len(self._entries) > self.max_entries or self._bytes > self.max_bytes
            ):
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size
                # forget the requests it answered, so its bytes can be freed
                self._requests = OrderedDict(
                    (raw, kept) for raw, kept in self._requests.items() if kept is not dropped
                )
        flight.done.set()
        return entry
