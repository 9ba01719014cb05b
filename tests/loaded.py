"""What a page's map loads, read in the first values format whichever format it loads.

Pages load the lean (format 2) values and geometry; tests written against the first
format read them back with lean.read_lean, which the browser mirrors (format.js).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mapserver.maps.lean import read_lean


def page_attribute(html: str, name: str) -> str:
    """An attribute of the page's map element (data-values, data-geometry ...), unescaped."""
    return re.search(rf'{name}="([^"]+)"', html).group(1).replace("&amp;", "&")


def first_format(values: dict, topology: dict) -> dict:
    """Values in the first format: lean values read with their lean TopoJSON."""
    return read_lean(values, topology) if values.get("format") == 2 else values


def loaded_values(client, html: str, values_url: str | None = None) -> dict:
    """The values a page's map loads (or `values_url`, for its geometry), first format."""
    url = values_url or page_attribute(html, "data-values")
    topology = client.get(page_attribute(html, "data-geometry")).get_json()
    return first_format(client.get(url).get_json(), topology)


def exported_values(site: Path, html: str, prefix: str = "../../") -> dict:
    """The same for a page of a static export, read from the files it names."""

    def read(name: str) -> dict:
        path = page_attribute(html, name).removeprefix(prefix)
        return json.loads((site / path).read_text(encoding="utf-8"))

    return first_format(read("data-values"), read("data-geometry"))
