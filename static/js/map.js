/* mapserver: draws a region's choropleth from its geometry (TopoJSON, cached for a
   year) and one week's values, and gives it keyboard access, highlights, a table view
   and a week stepper. Text comes from format.js; embedding from frame.js. */
(function () {
  "use strict";
  var MS = (window.Mapserver = window.Mapserver || {});
  var L = MS.lite;  // lite.js: the part of Leaflet's API the map uses
  var F = MS.format;
  var el = F.el;

  // "#id" names a <script type="application/json"> in the page: the single-file export
  // carries its geometry, values and history inline, to open from disk with no request.
  function getJSON(url) {
    if (url.charAt(0) === "#") {
      var node = document.getElementById(url.slice(1));
      if (!node) return Promise.reject(new Error(url + " is not in the page"));
      return Promise.resolve(JSON.parse(node.textContent));
    }
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function css(name, fallback) {
    var value = getComputedStyle(document.body).getPropertyValue(name).trim();
    return value || fallback;
  }

  function drawLegend(container, legend) {
    if (!container) return;
    container.textContent = "";
    container.appendChild(el("span", "legend-title", F.legendTitle()));
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

  // Work in slices of at most this many milliseconds, yielding to the browser between
  // them, so that a slow phone never has a long task (and taps are answered at once):
  // 10 ms here is 40 ms on a phone four times slower, under the 50 ms of a long task.
  var SLICE_MS = 10;

  function later(callback) { setTimeout(callback, 0); }

  function sortKey(name) {
    return name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // Run each of `steps` (functions) in turn, as many per task as fit in a slice.
  function inSlices(steps, done) {
    var next = 0;
    (function run() {
      var start = performance.now();
      while (next < steps.length) {
        steps[next++]();
        if (performance.now() - start > SLICE_MS) break;
      }
      if (next < steps.length) later(run);
      else done();
    })();
  }

  // Run each of `steps` in a task of its own (what one step leaves for later, with
  // setTimeout, runs before the next step), then `done`.
  function eachInTask(steps, done) {
    var next = 0;
    (function run() {
      if (next < steps.length) {
        steps[next++]();
        later(run);
      } else {
        done();
      }
    })();
  }

  // The bounds of some GeoJSON features, read from their coordinates.
  function featureBounds(features) {
    var south = 90, west = 180, north = -90, east = -180;
    function walk(coords) {
      if (typeof coords[0] === "number") {
        if (coords[1] < south) south = coords[1];
        if (coords[1] > north) north = coords[1];
        if (coords[0] < west) west = coords[0];
        if (coords[0] > east) east = coords[0];
        return;
      }
      for (var i = 0; i < coords.length; i++) walk(coords[i]);
    }
    features.forEach(function (feature) { if (feature.geometry) walk(feature.geometry.coordinates); });
    return L.latLngBounds([south, west], [north, east]);
  }

  function MapView(container, topology, values, drawn) {
    this.container = container;
    this.values = values;
    // A lean geometry names the areas (and orders the lean values' columns).
    this.places = F.readPlaces(topology);
    this.areas = F.readAreas(values, this.places);
    this.labelOrder = F.readLabels(values, this.places);
    this.history = {};
    this.shapes = {};
    var data = container.dataset;
    this.highlight = data.highlight ? data.highlight.split(",") : [];
    // The shapes are decoded a slice at a time too (England's take a while on a phone).
    var self = this, features = (this.features = []);
    var decode = topology.objects.areas.geometries.map(function (geometry) {
      return function () { features.push(topojson.feature(topology, geometry)); };
    });
    inSlices(decode, function () {
      later(function () {
        // Alphabetical drawing order gives the same order to Tab. (Names compared
        // without accents or case, not with localeCompare: its first use loads the
        // locale's collation data, a long task on a slow phone.)
        var areas = self.areas, keys = {};
        features.forEach(function (f) { if (areas[f.id]) keys[f.id] = sortKey(areas[f.id].name); });
        features.sort(function (a, b) {
          var x = keys[a.id], y = keys[b.id];
          if (x === undefined || y === undefined) return x !== undefined ? 1 : y !== undefined ? -1 : 0;
          return x < y ? -1 : x > y ? 1 : 0;
        });
        self.build(drawn || function () {});
      });
    });
  }

  // The map is given its view first, then its areas are added (and so drawn) a slice at
  // a time; `drawn` runs once the last is on the map.
  MapView.prototype.build = function (drawn) {
    var self = this, container = this.container, data = container.dataset;
    var touch = L.Browser.touch && (L.Browser.mobile || window.matchMedia("(pointer: coarse)").matches);
    var map = (this.map = L.map(container, {
      attributionControl: false,
      zoomSnap: 0.25,
      zoomControl: true,
      scrollWheelZoom: true,
      renderer: L.svg({ padding: 0.5 })
    }));
    map.createPane("outline").style.zIndex = 450;
    map.getPane("outline").style.pointerEvents = "none";
    if (data.tiles) {
      // Optional basemap (MAPSERVER_TILES): off by default, as it loads from another host.
      L.control.attribution({ prefix: false }).addTo(map);
      L.tileLayer(data.tiles, { attribution: data.tilesAttribution || "" }).addTo(map);
    }
    var inRegion = function (feature) { return self.areas.hasOwnProperty(feature.id); };
    var region = this.features.filter(inRegion);
    var edge = css("--map-edge", "#ffffff");
    var bounds = (this.bounds = featureBounds(region));
    map.fitBounds(bounds, { padding: [6, 6], animate: false });
    var fit = map.getZoom();
    map.setMinZoom(Math.max(fit - 1, 0));
    // The boundaries are generalised to about 500 m and simplified for zoom 10-11
    // (mapserver/geometry.py): closer than zoom 11 would only show their corners.
    map.setMaxZoom(Math.max(Math.min(fit + 4, 11), fit + 1));
    map.setMaxBounds(bounds.pad(0.6));
    // Neighbouring areas outside the region: drawn faint for context, not interactive.
    var context = L.geoJSON(null, {
      interactive: false,
      style: { weight: 0.6, color: edge, fillColor: css("--map-context", "#ececec"), fillOpacity: 1, className: "context" }
    }).addTo(map);
    this.base = { weight: 0.6, color: edge, opacity: 1, fillOpacity: data.tiles ? 0.75 : 1 };
    var layer = (this.layer = L.geoJSON(null, {
      style: function (feature) { return self.style(feature.id); },
      onEachFeature: function (feature, shape) { self.bind(feature.id, shape); }
    }).addTo(map));
    // The context first, then the region's areas in order (the Tab order).
    var steps = this.features.filter(function (f) { return !inRegion(f); }).map(function (feature) {
      return function () { context.addData(feature); };
    }).concat(region.map(function (feature) {
      return function () {
        layer.addData(feature);
        if (self.shapes[feature.id]) self.decorate(self.shapes[feature.id]);  // (a path now)
      };
    }));
    later(function () { inSlices(steps, finish); });
    function finish() {
      self.highlight.forEach(function (code) { self.outline(code, "highlight"); });
      if (data.focus && self.shapes[data.focus]) {
        map.fitBounds(self.shapes[data.focus].getBounds(), { padding: [30, 30], maxZoom: map.getMaxZoom() });
      }
      if (self.highlight.length && self.shapes[self.highlight[0]]) {
        self.shapes[self.highlight[0]].openPopup();
      }
      MS.gestures && MS.gestures(map, container, touch);
      later(drawn);  // (the ready callbacks start in a task of their own)
    }
  };

  MapView.prototype.style = function (code) {
    return L.extend({}, this.base, { fillColor: this.areas[code].colour, className: "area area-" + code });
  };

  MapView.prototype.bind = function (code, shape) {
    var self = this;
    this.shapes[code] = shape;
    shape.bindTooltip(function () { return F.tooltipContent(self.areas[code]); },
      { sticky: true, direction: "top", className: "area-tip" });
    shape.bindPopup(function () { return self.popup(code); },
      { maxWidth: 260, autoPanPaddingTopLeft: [52, 12], autoPanPaddingBottomRight: [12, 12] });
    // On touch screens a tap would show both; the popup says more.
    shape.on("popupopen", function () { shape.closeTooltip(); self.trend(code); });
    shape.on("mouseover", function () { self.outline(code, "hover"); });
    shape.on("mouseout", function () { self.clearOutline("hover"); });
  };

  // Accessible name, keyboard focus, and the code for tests and scripts.
  MapView.prototype.decorate = function (shape) {
    var self = this, code = shape.feature.id, node = shape.getElement();
    if (!node) return;
    node.setAttribute("data-code", code);
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", F.label(this.areas[code]));
    node.addEventListener("focus", function () { self.outline(code, "focus"); });
    node.addEventListener("blur", function () { self.clearOutline("focus"); });
    node.addEventListener("keydown", function (event) { self.key(event, code); });
  };

  MapView.prototype.key = function (event, code) {
    var shape = this.shapes[code];
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      shape.closeTooltip();
      shape.openPopup();
    } else if (event.key === "Escape") {
      shape.closePopup();
      shape.getElement().focus();
    } else if (/^Arrow/.test(event.key)) {
      event.preventDefault();
      var order = this.features.filter(function (f) { return this.shapes[f.id]; }, this)
        .map(function (f) { return f.id; });
      var step = event.key === "ArrowRight" || event.key === "ArrowDown" ? 1 : -1;
      var next = order[(order.indexOf(code) + step + order.length) % order.length];
      this.shapes[code].closePopup();
      this.shapes[next].getElement().focus();
    }
  };

  // Zoom to an area, with some of its neighbours for context, and open its popup
  // (the search box, search.js, uses this).
  MapView.prototype.show = function (code) {
    var shape = this.shapes[code];
    if (!shape) return false;
    this.map.fitBounds(shape.getBounds().pad(0.5), { maxZoom: this.map.getMaxZoom(), animate: false });
    shape.closeTooltip();
    shape.openPopup();
    return true;
  };

  // Outlines sit in a pane above the areas, so a neighbour never covers them and the
  // drawing order (the Tab order) never changes.
  MapView.prototype.outline = function (code, kind) {
    if (kind !== "highlight") this.clearOutline(kind);
    var line = L.geoJSON(this.shapes[code].feature, {
      pane: "outline",
      interactive: false,
      style: { fill: false, weight: kind === "highlight" ? 3 : 2.2, color: css("--map-outline", "#111111"),
               className: "outline outline-" + kind }
    }).addTo(this.map);
    this.outlines = this.outlines || {};
    if (kind === "highlight") (this.outlines.highlight = this.outlines.highlight || []).push(line);
    else this.outlines[kind] = line;
  };

  MapView.prototype.clearOutline = function (kind) {
    if (this.outlines && this.outlines[kind]) {
      this.map.removeLayer(this.outlines[kind]);
      this.outlines[kind] = null;
    }
  };

  // One node per area and week, so that re-measuring a popup keeps its sparkline.
  MapView.prototype.popup = function (code) {
    this.popups = this.popups || {};
    if (!this.popups[code]) {
      var box = F.popupContent(this.areas[code], this.values.week_text);
      box.setAttribute("aria-live", "polite");
      this.popups[code] = box;
    }
    return this.popups[code];
  };

  // The 12-week sparkline, fetched once per week when a popup first opens.
  MapView.prototype.trend = function (code) {
    var self = this, template = this.container.dataset.historyTemplate;
    if (!template) return;
    var week = this.values.week;
    if (!this.history[week]) this.history[week] = getJSON(template.replace("{week}", week));
    this.history[week].then(function (history) {
      var slot = self.popup(code).querySelector(".popup-trend");
      var rates = history.rates[code];
      if (!slot || !rates || self.values.week !== week || slot.firstChild) return;
      var line = F.sparkline(rates, self.values.week_text,
        history.lower && history.lower[code], history.upper && history.upper[code]);
      if (line) {
        slot.textContent = "";
        slot.appendChild(el("span", "popup-trend-label", F.trendLabel(rates.length)));
        slot.appendChild(line);
        // Re-measure, so the popup pans into view with its new height.
        var popup = self.shapes[code].getPopup();
        if (popup && popup.isOpen()) popup.update();
      }
    }).catch(function () {});
  };

  // A new week: recolour the same shapes; the geometry is not loaded again.
  MapView.prototype.update = function (values) {
    var self = this;
    this.areas = F.readAreas(values, this.places);  // (values for other areas throw here)
    this.labelOrder = F.readLabels(values, this.places);
    this.values = values;
    this.popups = {};
    this.map.closePopup();
    Object.keys(this.shapes).forEach(function (code) {
      var shape = self.shapes[code];
      shape.setStyle(self.style(code));
      var node = shape.getElement();
      if (node) node.setAttribute("aria-label", F.label(self.areas[code]));
    });
    drawLegend(document.getElementById("legend"), values.legend);
    document.querySelectorAll("[data-week-text]").forEach(function (node) { node.textContent = values.week_text; });
    MS.refreshTable && MS.refreshTable(this);
    (MS.onUpdate || []).forEach(function (callback) { callback(self); });
    this.container.setAttribute("data-week", values.week);
  };

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
        F.configure(loaded[1]); // the values' words (unit, legend title) before the legend
        drawLegend(document.getElementById("legend"), loaded[1].legend);
        MS.view = new MapView(container, loaded[0], loaded[1], function () {
          var view = MS.view;
          container.setAttribute("data-week", loaded[1].week);
          // Labels, search, the table and the stepper: each in its own task, and the map
          // is ready for scripts and tests once they all are.
          var steps = (MS.onReady || []).map(function (callback) {
            return function () { callback(view); };
          });
          eachInTask(steps, function () { container.setAttribute("data-ready", "true"); });
        });
      })
      .catch(function (error) { showError(container, error); });
  }

  MS.getJSON = getJSON;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
