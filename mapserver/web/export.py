"""Write a static copy of the site that any static web server or CDN can serve as it is."""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Flask

from ..figures.bands import DEFAULT_K
from .api import compact_json
from .current import MapQuery
from .links import Links, geometry_path, history_path, values_path
from .options import Presentation
from .render import render_embed, render_map_page
from .state import MapState

COMPRESSIBLE = {".html", ".js", ".css", ".json", ".topojson", ".svg"}


@dataclass
class ExportReport:
    """What an export wrote."""

    directory: Path
    files: int = 0
    bytes: int = 0
    weeks: tuple = ()
    regions: int = 0


def _links(depth: int, default_week) -> Links:
    return Links(root="../" * depth, static=True, default_week=default_week)


class _Writer:
    def __init__(self, root: Path, report: ExportReport):
        self.root = root
        self.report = report

    def write(self, relative: str, body: bytes | str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.report.files += 1
        self.report.bytes += len(data)
        # Precompressed copies for servers that can send them (nginx gzip_static, brotli_static).
        if path.suffix in COMPRESSIBLE and len(data) >= 256:
            path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, 9, mtime=0))
            path.with_name(path.name + ".br").write_bytes(brotli.compress(data, quality=11))


def export_site(
    app: Flask, directory: Path, weeks: int, indicator: str | None = None
) -> ExportReport:
    """Write embeds and map pages for every region for the latest `weeks` weeks (or
    periods of another `indicator`, in its own colour scheme)."""
    directory = Path(directory)
    staging = directory.with_name(directory.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    with app.app_context():
        base: MapState = app.extensions["mapserver"]
        current = base.indicator_state(indicator)
        indicator = None if current is base else indicator  # (the Covid cases' id: None)
        dataset = current.dataset
        scheme = dataset.default_scheme
        chosen = [week for week in dataset.weeks() if week <= dataset.default_week][:weeks]
        latest = chosen[0]
        report = ExportReport(directory, weeks=tuple(f"{w:%Y-%m-%d}" for w in chosen))
        writer = _Writer(staging, report)
        for bundle in current.bundles.values():
            writer.write(bundle.path, bundle.body)
        written: set[tuple[str, str]] = set()
        for slug in dataset.regions:
            report.regions += 1
            for week in chosen:
                # Each week on the districts its codes are on (its own geometry file).
                view = current.view(dataset.natural_vintage(week))
                region = view.dataset.region(slug)
                # The lean formats only, as the pages load (lean.py).
                if (view.places.version, slug) not in written:
                    written.add((view.places.version, slug))
                    writer.write(
                        geometry_path(view.places.version, slug, lean=True),
                        view.lean_geometry(region),
                    )
                query = MapQuery(
                    region, week, scheme, DEFAULT_K, None, view.dataset.vintage, False, indicator
                )
                values = view.lean_values(region, week, scheme, DEFAULT_K)
                writer.write(
                    values_path(current.data_version, slug, week, scheme, DEFAULT_K, lean=True),
                    compact_json(values),
                )
                writer.write(
                    history_path(current.data_version, slug, week),
                    compact_json(view.history(region, week)),
                )
                folders = [(f"{week:%Y-%m-%d}/", 3)]
                if week == latest:
                    folders.append(("", 2))
                for folder, depth in folders:
                    links = _links(depth, latest)
                    embed_src = links.page("embed", slug, week)
                    writer.write(
                        f"embed/{slug}/{folder}index.html",
                        render_embed(view, query, links, Presentation()),
                    )
                    writer.write(
                        f"map/{slug}/{folder}index.html",
                        render_map_page(view, query, links, embed_src, weeks=chosen),
                    )
        home_view = current.view(dataset.natural_vintage(latest))
        england = MapQuery(
            home_view.dataset.region("england"),
            latest,
            scheme,
            DEFAULT_K,
            None,
            home_view.dataset.vintage,
            False,
            indicator,
        )
        home = _links(0, latest)
        page = render_map_page(
            home_view, england, home, home.page("embed", "england"), weeks=chosen
        )
        writer.write("index.html", page)
    # Swap the new copy in whole, so a server never sees a half-written site.
    previous = directory.with_name(directory.name + ".previous")
    if directory.exists():
        if previous.exists():
            shutil.rmtree(previous)
        directory.rename(previous)
    staging.rename(directory)
    if previous.exists():
        shutil.rmtree(previous)
    return report
