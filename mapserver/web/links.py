"""Where things are: one object gives every URL a page needs, live or in a static export.

The live app uses absolute paths and query parameters (/embed/england?week=…). A static
export uses paths relative to the page (../../embed/england/2021-02-21/), so the copy
works from any sub-path of any static web server.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd


def values_path(
    data_version: str,
    region: str,
    week,
    scheme: str,
    k: int,
    vintage: dict | None = None,
    lean: bool = False,
) -> str:
    """values/<data version>/<region>/<week>.json (or …/<week>/<scheme>-<k>.json).

    `week` may be the text "{week}", which makes a template for the browser to fill.
    `vintage`: {"vintage": "2023"} when the map was asked for on later districts.
    `lean`: the format 2 twin, …/<week>.v2.json (or …/<scheme>-<k>.v2.json; lean.py).
    """
    day = week if isinstance(week, str) else f"{week:%Y-%m-%d}"
    stem = f"values/{data_version}/{region}/{day}"
    suffix = ".v2.json" if lean else ".json"
    path = stem + suffix if scheme == "dashboard" else f"{stem}/{scheme}-{k}{suffix}"
    return path + (f"?{urlencode(vintage)}" if vintage else "")


def history_path(data_version: str, region: str, week, vintage: dict | None = None) -> str:
    """values/<data version>/<region>/<week>/history.json: 12 weeks of rates."""
    day = week if isinstance(week, str) else f"{week:%Y-%m-%d}"
    path = f"values/{data_version}/{region}/{day}/history.json"
    return path + (f"?{urlencode(vintage)}" if vintage else "")


def geometry_path(geometry_version: str, region: str, lean: bool = False) -> str:
    """geo/<geometry version>/<region>.topojson (`lean`: …/<region>.v2.topojson, with
    the areas' names; its version is the lean geometry's, lean.Places.version)."""
    return f"geo/{geometry_version}/{region}.{'v2.' if lean else ''}topojson"


def _when(week: pd.Timestamp, extra: dict | None) -> dict:
    """{"week": day} for the Covid cases; another indicator's periods are `period=`."""
    name = "period" if extra and "indicator" in extra else "week"
    return {name: f"{week:%Y-%m-%d}"}


@dataclass(frozen=True)
class Links:
    """URLs for one page. `root` is "/" live, or "../" repeated in an export."""

    root: str = "/"
    static: bool = False
    default_week: pd.Timestamp | None = None

    def resource(self, path: str) -> str:
        """A site path (assets/…, geo/…, values/…) as seen from this page."""
        return self.root + path

    def page(
        self,
        kind: str,
        region: str,
        week: pd.Timestamp | None = None,
        scheme: str = "dashboard",
        k: int = 5,
        extra: dict | None = None,
    ) -> str:
        """A map or embed page for a region and week (`extra`: presentation options)."""
        if self.static:
            if week is None or week == self.default_week:
                return f"{self.root}{kind}/{region}/"
            return f"{self.root}{kind}/{region}/{week:%Y-%m-%d}/"
        params = {}
        if week is not None:
            params.update(_when(week, extra))
        if scheme != "dashboard":
            params.update(scheme=scheme, k=k)
        params.update(extra or {})
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.root}{kind}/{region}{query}"

    def image(
        self,
        region: str,
        week: pd.Timestamp,
        scheme: str = "dashboard",
        k: int = 5,
        fmt="png",
        extra: dict | None = None,
    ) -> str:
        """The server-rendered image of a map (live only; `extra`: e.g. labels)."""
        params = _when(week, extra)
        if scheme != "dashboard":
            params.update(scheme=scheme, k=k)
        params.update(extra or {})
        return f"{self.root}image/{region}.{fmt}?{urlencode(params)}"

    def home(self) -> str:
        """The site's home page."""
        return self.root if self.static else "/"

    def csv(self, region: str, week: pd.Timestamp, extra: dict | None = None) -> str | None:
        """The league table as CSV (live only: a static export has no API)."""
        if self.static:
            return None
        params = {"region": region, **_when(week, extra), **(extra or {})}
        return f"/api/rates.csv?{urlencode(params)}"

    def download(
        self,
        region: str,
        week: pd.Timestamp,
        scheme: str = "dashboard",
        k: int = 5,
        extra: dict | None = None,
    ) -> str | None:
        """The map as one self-contained HTML file (live only)."""
        if self.static:
            return None
        params = _when(week, extra)
        if scheme != "dashboard":
            params.update(scheme=scheme, k=k)
        params.update(extra or {})
        return f"/download/{region}.html?{urlencode(params)}"
