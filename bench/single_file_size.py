"""Sizes of the single-file HTML export beside GeoDataFrame.explore()'s HTML.

Run: .venv/bin/python bench/single_file_size.py [--region anglia ...] [--week 2021-02-21]

For each region and week it prints the bytes of `mapserver html` (everything inline:
Leaflet, topojson-client, our scripts and styles, TopoJSON, values and 12 weeks of
history), of `mapserver.folium_map(offline=True)` saved as HTML (Leaflet inline,
GeoJSON), and of `explore(column="rate")` for the same areas and rates, raw and gzipped
(level 6, as a web server would send it), with the number of assets explore()'s page
still loads from other hosts. Those assets cannot be fetched here (no network), so the
last columns add only Leaflet's script and stylesheet (the same 1.9.3 files, from the
xstatic-leaflet wheel) to explore()'s HTML: a lower bound of what its page needs.
Sizes only: nothing here is timed.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import explore_baseline  # noqa: E402

DATA_DIR = os.environ.get("MAPSERVER_DATA_DIR", "/work/shared/data")


def sizes(html: str) -> dict:
    """Raw and gzip-6 bytes of a page."""
    raw = html.encode("utf-8")
    return {"raw": len(raw), "gzip": len(gzip.compress(raw, 6, mtime=0))}


def leaflet_sizes() -> dict:
    """Raw and gzip-6 bytes of leaflet.js plus leaflet.css, each compressed on its own."""
    import xstatic.pkg.leaflet

    base = Path(xstatic.pkg.leaflet.BASE_DIR)
    files = [(base / name).read_text(encoding="utf-8") for name in ("leaflet.js", "leaflet.css")]
    measured = [sizes(text) for text in files]
    return {key: sum(item[key] for item in measured) for key in ("raw", "gzip")}


def measure(app, areas, slug: str, week: str) -> dict:
    """The three pages for one region and week, and their sizes."""
    from mapserver.maps.notebook import folium_map
    from mapserver.web.current import MapQuery
    from mapserver.web.download import download_html

    current = app.extensions["mapserver"]
    region = current.dataset.region(slug)
    query = MapQuery(region, current.dataset.parse_week(week), "dashboard", 5)
    single = download_html(current, query)
    folium_html = folium_map(slug, week, data=current.dataset, offline=True).get_root().render()
    rates = explore_baseline.region_rates(app.test_client(), slug, week)
    explore = explore_baseline.explore_html(areas, region.districts, rates)
    return {
        "region": slug,
        "areas": len(region.districts),
        "single": sizes(single),
        "folium": sizes(folium_html),
        "explore": sizes(explore),
        "leaflet": leaflet_sizes(),
        "explore_assets": explore_baseline.external_assets(explore)["assets"],
    }


def table(rows: list[dict], week: str) -> str:
    """The figures as a plain-text table, in kB (1,000 bytes)."""
    head = (
        f"{'region':<17}{'areas':>6}  {'single-file raw':>15}{'gzip':>8}  "
        f"{'folium offline':>14}{'gzip':>8}  {'explore() raw':>13}{'gzip':>8}{'+assets':>8}  "
        f"{'explore()+Leaflet':>17}{'gzip':>8}"
    )
    lines = [f"Single-file HTML export vs explore(), week ending {week} (kB)", head]
    for row in rows:
        single, folium_, explore = row["single"], row["folium"], row["explore"]
        lines.append(
            f"{row['region']:<17}{row['areas']:>6}  {single['raw'] / 1e3:>15.1f}"
            f"{single['gzip'] / 1e3:>8.1f}  {folium_['raw'] / 1e3:>14.1f}"
            f"{folium_['gzip'] / 1e3:>8.1f}  {explore['raw'] / 1e3:>13.1f}"
            f"{explore['gzip'] / 1e3:>8.1f}{row['explore_assets']:>8}  "
            f"{(explore['raw'] + row['leaflet']['raw']) / 1e3:>17.1f}"
            f"{(explore['gzip'] + row['leaflet']['gzip']) / 1e3:>8.1f}"
        )
    lines.append(
        "single-file: no other request; folium offline: Leaflet inline, no other request; "
        "explore(): +assets scripts and stylesheets from CDNs, plus map tiles;\n"
        "explore()+Leaflet: its HTML plus Leaflet's script and stylesheet only (a lower bound)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", action="append", help="repeatable (default: 3 regions)")
    parser.add_argument("--week", default="2021-02-21")
    parser.add_argument("--data-dir", default=DATA_DIR)
    args = parser.parse_args(argv)
    from mapserver import create_app

    app = create_app({"data_dir": args.data_dir})
    areas, _ = explore_baseline.read_areas(args.data_dir)
    regions = args.region or ["anglia", "east-of-england", "england"]
    rows = [measure(app, areas, slug, args.week) for slug in regions]
    print(table(rows, args.week))
    return 0


if __name__ == "__main__":
    sys.exit(main())
