"""Write a static copy of the site that any static web server or CDN can serve as it is."""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Flask

from ..bands import DEFAULT_K
from .api import compact_json
from .links import Links, geometry_path, history_path, values_path
from .options import Presentation
from .render import render_embed, render_map_page
from .state import MapQuery, MapState

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


def export_site(app: Flask, directory: Path, weeks: int) -> ExportReport:
    """Write embeds and map pages for every region for the latest `weeks` weeks."""
    directory = Path(directory)
    staging = directory.with_name(directory.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    with app.app_context():
        current: MapState = app.extensions["mapserver"]
        dataset = current.dataset
        chosen = dataset.weeks()[:weeks]
        latest = chosen[0]
        report = ExportReport(directory, weeks=tuple(f"{w:%Y-%m-%d}" for w in chosen))
        writer = _Writer(staging, report)
        for bundle in current.bundles.values():
            writer.write(bundle.path, bundle.body)
        for region in dataset.regions.values():
            report.regions += 1
            writer.write(
                geometry_path(current.geometry_version, region.slug),
                current.region_geometry(region),
            )
            for week in chosen:
                query = MapQuery(region, week, "dashboard", DEFAULT_K)
                values = current.values(region, week, "dashboard", DEFAULT_K)
                writer.write(
                    values_path(current.data_version, region.slug, week, "dashboard", DEFAULT_K),
                    compact_json(values),
                )
                writer.write(
                    history_path(current.data_version, region.slug, week),
                    compact_json(current.history(region, week)),
                )
                folders = [(f"{week:%Y-%m-%d}/", 3)]
                if week == latest:
                    folders.append(("", 2))
                for folder, depth in folders:
                    links = _links(depth, latest)
                    embed_src = links.page("embed", region.slug, week)
                    writer.write(
                        f"embed/{region.slug}/{folder}index.html",
                        render_embed(current, query, links, Presentation()),
                    )
                    writer.write(
                        f"map/{region.slug}/{folder}index.html",
                        render_map_page(current, query, links, embed_src, weeks=chosen),
                    )
        england = MapQuery(dataset.region("england"), latest, "dashboard", DEFAULT_K)
        home = _links(0, latest)
        writer.write(
            "index.html",
            render_map_page(current, england, home, home.page("embed", "england"), weeks=chosen),
        )
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
