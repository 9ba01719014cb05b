/* Draws a region's choropleth: geometry (TopoJSON, cached for a year) plus the week's
   values (colours, legend, popup text). Every string from the data goes in as text,
   never as HTML. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function drawLegend(container, legend) {
    if (!container) return;
    container.textContent = "";
    container.appendChild(el("span", "legend-title", "Cases per 100,000"));
    var list = el("ul", "legend-items");
    legend.forEach(function (item) {
      var entry = el("li", item.no_data ? "legend-item legend-nodata" : "legend-item");
      var swatch = el("span", "legend-swatch");
      swatch.style.background = item.colour;
      entry.appendChild(swatch);
      entry.appendChild(el("span", "legend-label", item.label));
      list.appendChild(entry);
    });
    container.appendChild(list);
  }

  // Figures arrive as arrays in the order of values.fields; sentences are made here.
  function readAreas(values) {
    var areas = {};
    var at = {};
    values.fields.forEach(function (name, i) { at[name] = i; });
    Object.keys(values.areas).forEach(function (code) {
      var row = values.areas[code];
      var area = {};
      Object.keys(at).forEach(function (name) { area[name] = row[at[name]]; });
      area.code = code;
      area.colour = area.band === null ? values.no_data_colour : values.colours[area.band];
      area.country = values.countries[area.country];
      area.note = values.notes[code] || null;
      areas[code] = area;
    });
    return areas;
  }

  var number1 = new Intl.NumberFormat("en-GB", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var whole = new Intl.NumberFormat("en-GB");

  function ordinal(n) {
    var tens = n % 100, units = n % 10;
    if (tens >= 10 && tens <= 20) return n + "th";
    return n + (units === 1 ? "st" : units === 2 ? "nd" : units === 3 ? "rd" : "th");
  }

  function changeText(area) {
    if (area.previous_rate === null) return ["unknown", "No comparison with the previous 7 days"];
    var before = " from " + number1.format(area.previous_rate) + " the week before";
    if (area.change_pct === null) {
      return area.rate > 0 ? ["up", "Up" + before] : ["same", "No change" + before];
    }
    if (area.change_pct > 0) return ["up", "\u25B2 " + number1.format(area.change_pct) + "%" + before];
    if (area.change_pct < 0) return ["down", "\u25BC " + number1.format(-area.change_pct) + "%" + before];
    return ["same", "No change" + before];
  }

  function popupContent(area, weekText) {
    var box = el("div", "popup");
    box.appendChild(el("h3", "popup-name", area.name));
    if (area.rate !== null) {
      var rate = el("p", "popup-rate");
      rate.appendChild(el("strong", "popup-rate-value", number1.format(area.rate)));
      rate.appendChild(document.createTextNode(" per 100,000"));
      box.appendChild(rate);
      var cases = whole.format(area.cases) + (area.cases === 1 ? " case" : " cases");
      box.appendChild(el("p", "popup-cases", cases + " in the " + weekText));
      var change = changeText(area);
      box.appendChild(el("p", "popup-change popup-change-" + change[0], change[1]));
      box.appendChild(el("p", "popup-rank", ordinal(area.rank) + " of " + area.rank_of + " in " + area.country));
    } else {
      box.appendChild(el("p", "popup-missing", "No complete figures for the " + weekText + ": " +
        area.days_known + " of 7 days reported"));
    }
    if (area.note) box.appendChild(el("p", "popup-note", area.note));
    return box;
  }

  function tooltipContent(area) {
    var box = el("div", "tip");
    box.appendChild(el("strong", null, area.name));
    box.appendChild(el("span", null, area.rate === null ? "No data" : number1.format(area.rate)));
    return box;
  }

  function draw(container, topology, values) {
    var areas = readAreas(values);
    var features = topojson.feature(topology, topology.objects.areas);
    var map = L.map(container, {
      attributionControl: false,
      zoomSnap: 0.25,
      zoomControl: true,
      renderer: L.svg({ padding: 0.5 })
    });
    if (container.dataset.tiles) {
      // Optional basemap (MAPSERVER_TILES): off by default, as it loads from another host.
      map.attributionControl = L.control.attribution({ prefix: false }).addTo(map);
      L.tileLayer(container.dataset.tiles, { attribution: container.dataset.tilesAttribution || "" }).addTo(map);
    }
    var inRegion = function (feature) { return areas.hasOwnProperty(feature.id); };
    // Neighbouring areas outside the region: drawn faint for context, not interactive.
    L.geoJSON(features, {
      filter: function (feature) { return !inRegion(feature); },
      interactive: false,
      style: { weight: 0.6, color: "#ffffff", fillColor: "#ececec", fillOpacity: 1, className: "context" }
    }).addTo(map);
    var base = { weight: 0.6, color: "#ffffff", opacity: 1, fillOpacity: 1 };
    if (container.dataset.tiles) base.fillOpacity = 0.75;
    var layer = L.geoJSON(features, {
      filter: inRegion,
      style: function (feature) {
        return L.extend({}, base, {
          fillColor: areas[feature.id].colour,
          className: "area area-" + feature.id
        });
      },
      onEachFeature: function (feature, shape) {
        var area = areas[feature.id];
        shape.bindTooltip(tooltipContent(area), { sticky: true, direction: "top", className: "area-tip" });
        shape.bindPopup(function () { return popupContent(area, values.week_text); }, { maxWidth: 260, autoPanPaddingTopLeft: [52, 12], autoPanPaddingBottomRight: [12, 12] });
        // On touch screens a tap would show both; the popup says more.
        shape.on("popupopen", function () { shape.closeTooltip(); });
        shape.on("mouseover", function () { shape.setStyle({ weight: 2, color: "#111111" }); shape.bringToFront(); });
        shape.on("mouseout", function () { layer.resetStyle(shape); });
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    map.fitBounds(bounds, { padding: [6, 6] });
    // Paths exist only once the map has a view.
    layer.eachLayer(function (shape) {
      var node = shape.getElement();
      if (node) node.setAttribute("data-code", shape.feature.id);
    });
    var fit = map.getZoom();
    map.setMinZoom(Math.max(fit - 1, 0));
    // The boundaries are generalised to about 500 m and simplified for zoom 10-11
    // (mapserver/geometry.py): closer than zoom 11 would only show their corners.
    map.setMaxZoom(Math.max(Math.min(fit + 4, 11), fit + 1));
    map.setMaxBounds(bounds.pad(0.6));
    window.addEventListener("resize", function () { map.invalidateSize(); });
    container.setAttribute("data-ready", "true");
    container.dispatchEvent(new CustomEvent("mapready", { bubbles: true }));
    return map;
  }

  function showError(container, error) {
    container.textContent = "";
    container.appendChild(el("p", "map-error", "The map could not be loaded. " + error.message));
    container.setAttribute("data-ready", "error");
  }

  function start() {
    var container = document.getElementById("map");
    if (!container) return;
    Promise.all([getJSON(container.dataset.geometry), getJSON(container.dataset.values)])
      .then(function (loaded) {
        drawLegend(document.getElementById("legend"), loaded[1].legend);
        draw(container, loaded[0], loaded[1]);
      })
      .catch(function (error) { showError(container, error); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
