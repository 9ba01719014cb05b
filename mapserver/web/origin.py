"""Where this site is: the base of absolute URLs, the root of site links, trusted hosts.

Absolute URLs (embed code, oEmbed, og:image) are written from MAPSERVER_PUBLIC_URL when
it is set, so a forged Host header can never reach a page or a CDN's cache. When it is
unset they come from the request, and only hosts in MAPSERVER_ALLOWED_HOSTS are served.
Behind a reverse proxy (MAPSERVER_TRUST_PROXY), X-Forwarded-Prefix moves the site root.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from ..core.errors import BadParameter
from .links import Links


class ForbiddenHost(BadParameter):
    """The request names a host this server does not answer for."""


def _settings():
    return current_app.extensions["mapserver"].settings


def absolute_base() -> str:
    """The site's absolute URL, without a trailing slash: the public URL or the request's."""
    public = _settings().public_url
    return public if public else request.url_root.rstrip("/")


def site_root() -> str:
    """The path every site link starts with: "/", or the sub-path the site is served at."""
    public = _settings().public_url
    path = urlsplit(public).path if public else request.script_root
    return path.rstrip("/") + "/"


def absolute_url(path: str) -> str:
    """The absolute URL of a site path as live links write it ("/embed/…" or "/covid/embed/…")."""
    # A path from live links starts with the site root; one from url_for, with the
    # request's script root (the same, unless MAPSERVER_PUBLIC_URL names another path).
    for root in (site_root(), request.script_root.rstrip("/") + "/"):
        if path.startswith(root):
            return absolute_base() + "/" + path[len(root) :]
    return absolute_base() + "/" + path.lstrip("/")


def live_links() -> Links:
    """Links for a page of the running server."""
    return Links(root=site_root())


def site_path(url: str) -> str | None:
    """The path of `url` below this site's root, if `url` is on this site; else None."""
    parts, base = urlsplit(url), urlsplit(absolute_base())
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != base.netloc.lower():
        return None
    prefix = base.path.rstrip("/")
    if prefix and not (parts.path == prefix or parts.path.startswith(prefix + "/")):
        return None
    return parts.path[len(prefix) :] or "/"


def hostname(host: str) -> str:
    """The name in a Host header, without its port: "[::1]:8000" -> "::1"."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """True if the Host header names an allowed host ("*" allows all, ".x.org" subdomains)."""
    name = hostname(host)
    for pattern in allowed:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith(".") and (name.endswith(pattern) or name == pattern[1:]):
            return True
    return False


def init_app(app: Flask) -> None:
    """Trust one proxy if configured, and refuse hosts that are not ours."""
    settings = app.extensions["mapserver"].settings
    if settings.trust_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)

    @app.before_request
    def refuse_unknown_hosts():
        if settings.public_url:
            return  # absolute URLs never come from the request
        if not host_allowed(request.host, settings.allowed_hosts):
            raise ForbiddenHost(
                f"host {hostname(request.host)!r} is not served here: set "
                "MAPSERVER_PUBLIC_URL, or add it to MAPSERVER_ALLOWED_HOSTS"
            )
