"""Maps for Python users: the dataset, a region's joined GeoDataFrame, and a folium map.

No Flask here. The map is drawn from the same values resource as the web maps
(choropleth.region_values), with the same simplified boundaries (geometry.py), bands,
legend, popup wording (popups.py) and attribution. folium is imported only when a map
is asked for.
"""

from __future__ import annotations

import functools
import re
from html import escape
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..core.config import load_settings
from ..core.resources import resource
from ..figures.covid import Dataset, load_dataset
from ..figures.indicator_dataset import indicator_of
from ..ingest.boundaries import read_boundaries
from ..ingest.vintages import BASE
from ..store.versions import current_settings
from ..words import popups
from . import geometry
from .choropleth import ATTRIBUTION, TITLE, region_values
from .single_file import inline_code

MAP_CSS = resource("static/css/map.css")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# The web maps' area style (static/js/map.js): white edges, solid fills, faint context.
EDGE = "#ffffff"
CONTEXT_FILL = "#ececec"
OUTLINE = "#111111"
MAX_ZOOM = 11  # the boundaries are simplified for zoom 10-11 (geometry.py)

# What folium needs beyond its map: its default lists also load jQuery, Bootstrap,
# Font Awesome and Leaflet.awesome-markers, for markers and icons these maps never draw.
NEEDED_JS = ("leaflet",)
NEEDED_CSS = ("leaflet_css",)

_default: Dataset | None = None


def load(data_dir: str | Path | None = None, **settings) -> Dataset:
    """Load the data: from `data_dir`, else MAPSERVER_DATA_DIR, else the built-in set.

    As the server does, it reads the current data version if `mapserver update` has
    made one in the store (MAPSERVER_STORE_DIR, else the data directory).
    """
    overrides = dict(settings)
    if data_dir is not None:
        overrides["data_dir"] = Path(data_dir)
    return load_dataset(current_settings(load_settings(overrides)))


def _dataset(data: Dataset | None) -> Dataset:
    global _default
    if data is not None:
        return data
    if _default is None:
        _default = load()
    return _default


@functools.lru_cache(maxsize=4)
def _boundaries(path: str, modified: float, known=None, vintage: int = BASE) -> tuple[dict, dict]:
    """The simplified topology of every area and each area's neighbours (cached per file),
    on the districts of `vintage` (the file's, dissolved along the changes `known`)."""
    areas = read_boundaries(Path(path))
    if vintage != BASE:
        areas = known.areas_at(areas, vintage)
    return geometry.build_topology(areas), geometry.neighbours(areas)


def _topology(data, vintage: int) -> tuple[dict, dict]:
    settings = data.settings or load_settings()
    path = settings.path("boundaries")
    if vintage == BASE:
        return _boundaries(str(path), path.stat().st_mtime)
    return _boundaries(str(path), path.stat().st_mtime, data.district_vintages, vintage)


def _areas(data, codes: set[str]) -> gpd.GeoDataFrame:
    """Simplified boundaries of these areas, as the web maps draw them."""
    topology, _ = _topology(data, data.vintage)
    return geometry.topology_to_geodataframe(geometry.subset_topology(topology, codes))


def _neighbours(data, codes) -> set[str]:
    _, neighbours = _topology(data, data.vintage)
    return set().union(*(neighbours.get(code, ()) for code in codes)) - set(codes)


def _values(region: str, week, scheme, k: int, data, indicator=None, vintage=None):
    from ..figures.bands import parse_scheme

    dataset = indicator_of(_dataset(data), indicator)
    if week is not None and not isinstance(week, str):  # a date or Timestamp
        week = f"{pd.Timestamp(week):%Y-%m-%d}"
    week_end = dataset.parse_week(week)
    asked = None if vintage is None else str(vintage)
    dataset = dataset.at(dataset.vintage_for(week_end, asked))
    chosen = dataset.region(region)
    scheme, k = parse_scheme(scheme or dataset.default_scheme, k)
    return dataset, chosen, region_values(dataset, chosen, week_end, scheme, k)


def frame_from_values(values: dict, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Join a values resource to boundaries: one row per area, its figures and colour."""
    records = popups.read_areas(values)
    table = pd.DataFrame.from_records(
        [
            {key: area[key] for key in ("code", *values["fields"], "colour", "note")}
            for area in records.values()
        ]
    ).set_index("code")
    table["week"] = values["week"]
    joined = table.join(areas[["geometry"]], how="left")
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=areas.crs)


def region_frame(
    region: str = "anglia",
    week=None,
    scheme: str | None = None,
    k: int = 5,
    data: Dataset | None = None,
    indicator: str | None = None,
    vintage: int | None = None,
) -> gpd.GeoDataFrame:
    """A region's areas (simplified boundaries, WGS84) joined with one week's figures.

    `week` is the last day of the 7-day window (YYYY-MM-DD, a date or a Timestamp;
    default: the latest week, as on the web), or another `indicator`'s period (as its
    source writes it, or its last day); `vintage` puts it on later districts; `scheme`
    defaults to the indicator's own. Errors are mapserver.errors exceptions.
    """
    dataset, chosen, values = _values(region, week, scheme, k, data, indicator, vintage)
    return frame_from_values(values, _areas(dataset, set(chosen.districts)))


def legend_html(values: dict) -> str:
    """The legend (with "No data" where an area has none) as escaped HTML."""
    items = []
    for item in values["legend"]:
        colour = item["colour"] if HEX_COLOUR.match(item["colour"]) else "#000000"
        css_class = "legend-item legend-nodata" if item.get("no_data") else "legend-item"
        items.append(
            f'<li class="{css_class}"><span class="legend-swatch" style="background:{colour}">'
            f'</span><span class="legend-label">{escape(item["label"])}</span></li>'
        )
    heading = f"{values.get('title', TITLE)}, {values['region']}: {values['week_text']}"
    title = values.get("legend_title", "Cases per 100,000")
    return (
        f'<p class="map-legend-heading">{escape(heading)}</p>'
        f'<span class="legend-title">{escape(title)}</span>'
        f'<ul class="legend-items">{"".join(items)}</ul>'
    )


def _feature_collection(frame: gpd.GeoDataFrame, properties) -> dict:
    features = []
    for code, row in frame.iterrows():
        if row.geometry is None or row.geometry.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "id": str(code),
                "properties": properties(str(code), row),
                "geometry": row.geometry.__geo_interface__,
            }
        )
    return {"type": "FeatureCollection", "features": features}


# Per area, from the escaped strings in its properties: tooltip, popup, and the keyboard
# access of the web maps (a focusable shape named by its figures; Enter opens its popup).
ON_EACH_FEATURE = """function (feature, layer) {
    var p = feature.properties;
    layer.bindTooltip(p.tooltip, {sticky: true, direction: "top", className: "area-tip"});
    layer.bindPopup(p.popup, {maxWidth: 260});
    layer.on("popupopen", function () { layer.closeTooltip(); });
    layer.on("add", function () {
        var node = layer.getElement();
        if (!node) return;
        node.setAttribute("data-code", feature.id);
        node.setAttribute("tabindex", "0");
        node.setAttribute("role", "button");
        node.setAttribute("aria-label", p.label);
        node.addEventListener("keydown", function (event) {
            if (event.key === "Enter" || event.key === " ") {
                event.preventDefault();
                layer.openPopup();
            } else if (event.key === "Escape") {
                layer.closePopup();
            }
        });
    });
}"""


def _css() -> str:
    extra = """
.folium-map.leaflet-container { background: var(--paper); font-family: var(--font); }
.map-legend { background: var(--paper); color: var(--ink); padding: 6px 8px; width: 15rem;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.35); }
.map-legend-heading { margin: 0 0 4px; font-size: 0.8rem; font-weight: 700; }
.map-legend .legend-items { grid-template-columns: repeat(auto-fill, minmax(3.4rem, 1fr)); }
.folium-map .leaflet-control-attribution { font-size: 0.72rem; }
"""
    return MAP_CSS.read_text(encoding="utf-8") + extra


def folium_map(
    region: str = "anglia",
    week=None,
    scheme: str | None = None,
    k: int = 5,
    data: Dataset | None = None,
    offline: bool = False,
    indicator: str | None = None,
    vintage: int | None = None,
):
    """A folium.Map of a region's week, like the web map: bands, legend, popups, tooltips.

    `indicator`, `vintage` and the period in `week` as for region_frame.
    `offline=True` puts Leaflet's script and stylesheet (from the xstatic-leaflet wheel)
    into the page instead of linking a CDN, so the saved HTML renders with no network.
    """
    import folium

    dataset, chosen, values = _values(region, week, scheme, k, data, indicator, vintage)
    words = popups.words_of(values)
    frame = frame_from_values(values, _areas(dataset, set(chosen.districts)))
    context = _areas(dataset, _neighbours(dataset, chosen.districts))
    week_text = values["week_text"]
    records = popups.read_areas(values)

    fmap = folium.Map(location=None, tiles=None, zoom_snap=0.25, max_zoom=MAX_ZOOM)
    _set_assets(fmap, offline)
    root = fmap.get_root()
    root.header.add_child(
        RawHTML(f"<style>{inline_code(_css(), 'style')}</style>"), name="mapserver_css"
    )
    if len(context):
        folium.GeoJson(
            _feature_collection(context, lambda code, row: {}),
            name="context",
            style_function=lambda feature: {
                "weight": 0.6,
                "color": EDGE,
                "fillColor": CONTEXT_FILL,
                "fillOpacity": 1,
                "className": "context",
            },
            control=False,
            interactive=False,
        ).add_to(fmap)
    colours = frame["colour"].to_dict()
    shapes = _feature_collection(
        frame,
        lambda code, row: {
            "tooltip": popups.tooltip_html(records[code], words),
            "popup": popups.popup_html(records[code], week_text, words),
            "label": popups.label(records[code], words),
        },
    )
    folium.GeoJson(
        shapes,
        name=chosen.title,
        style_function=lambda feature: {
            "weight": 0.6,
            "color": EDGE,
            "opacity": 1,
            "fillColor": colours[feature["id"]],
            "fillOpacity": 1,
            "className": f"area area-{feature['id']}",
        },
        highlight_function=lambda feature: {"weight": 2.2, "color": OUTLINE},
        on_each_feature=folium.JsCode(ON_EACH_FEATURE),
        control=False,
    ).add_to(fmap)
    west, south, east, north = (float(value) for value in frame.total_bounds)
    fmap.fit_bounds([[south, west], [north, east]], padding=(6, 6))
    Legend(legend_html(values)).add_to(fmap)
    Attribution(escape(values.get("attribution", ATTRIBUTION))).add_to(fmap)
    return fmap


def _set_assets(fmap, offline: bool) -> None:
    """Only Leaflet: linked from folium's CDN, or inlined from the installed wheel."""
    import xstatic.pkg.leaflet  # folium draws with Leaflet; the server's maps use lite.js

    leaflet = Path(xstatic.pkg.leaflet.BASE_DIR)
    if not offline:
        # Instance attributes: folium's class-level lists stay as they are for other maps.
        fmap.default_js = [(n, u) for n, u in type(fmap).default_js if n in NEEDED_JS]
        fmap.default_css = [(n, u) for n, u in type(fmap).default_css if n in NEEDED_CSS]
        return
    fmap.default_js = []
    fmap.default_css = []
    script = (leaflet / "leaflet.js").read_text(encoding="utf-8")
    script = script.replace("//# sourceMappingURL=leaflet.js.map", "")
    style = (leaflet / "leaflet.css").read_text(encoding="utf-8")
    header = fmap.get_root().header
    header.add_child(RawHTML(f"<script>{inline_code(script, 'script')}</script>"), name="leaflet")
    header.add_child(RawHTML(f"<style>{inline_code(style, 'style')}</style>"), name="leaflet_css")


@functools.cache
def _folium_classes():
    from branca.element import Element, MacroElement
    from folium.template import Template

    class Raw(Element):
        """Text put into the page as it is (our own CSS and scripts, never data)."""

        def __init__(self, text: str):
            super().__init__()
            self._name = "RawHTML"
            self.text = text

        def render(self, **kwargs) -> str:
            return self.text

    class LegendControl(MacroElement):
        """The legend as a Leaflet control; its HTML is escaped by legend_html."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: "topright"});
            {{ this.get_name() }}.onAdd = function () {
                var box = L.DomUtil.create("div", "map-legend");
                box.setAttribute("role", "group");
                box.setAttribute("aria-label", "Legend: cases per 100,000");
                box.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(box);
                return box;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {% endmacro %}
            """
        )

        def __init__(self, html: str):
            super().__init__()
            self._name = "Legend"
            self.html = html

    class AttributionText(MacroElement):
        """The maps' attribution, with no "Leaflet" prefix (as on the web maps)."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.setPrefix(false)
                .addAttribution({{ this.text|tojson }});
            {% endmacro %}
            """
        )

        def __init__(self, text: str):
            super().__init__()
            self._name = "Attribution"
            self.text = text

    return Raw, LegendControl, AttributionText


def RawHTML(text: str):  # noqa: N802 - a class made on first use, so folium loads lazily
    """An element whose text goes into the page unchanged."""
    return _folium_classes()[0](text)


def Legend(html: str):  # noqa: N802
    """The legend control."""
    return _folium_classes()[1](html)


def Attribution(text: str):  # noqa: N802
    """The attribution control's text."""
    return _folium_classes()[2](text)
