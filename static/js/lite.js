/* mapserver: a small map for a choropleth without tiles (or with a plain tile layer).
   It keeps the few calls of Leaflet's API that map.js, labels.js and frame.js make, and
   Leaflet's class names (tests, styles and readers' user styles know them), at a sixth
   of its weight: areas are SVG paths drawn once, in Web Mercator pixels at zoom REF, and
   a zoom only changes one transform. Pan with a mouse or two fingers, zoom with the
   buttons, Ctrl or Cmd and the wheel, a pinch, a double click or the keyboard. */
(function () {
  "use strict";
  var MS = (window.Mapserver = window.Mapserver || {});
  var SVG = "http://www.w3.org/2000/svg";
  var TILE = 256;
  var REF = 14; // path coordinates: whole pixels at zoom 14 (a quarter pixel at zoom 12)
  var MAX_LAT = 85.0511287798;
  var EARTH = 6378137;

  // ---- geometry -----------------------------------------------------------------
  function Point(x, y) { this.x = x; this.y = y; }
  Point.prototype.add = function (p) { return new Point(this.x + p.x, this.y + p.y); };
  Point.prototype.subtract = function (p) { return new Point(this.x - p.x, this.y - p.y); };
  Point.prototype.multiplyBy = function (k) { return new Point(this.x * k, this.y * k); };
  Point.prototype.equals = function (p) { return p.x === this.x && p.y === this.y; };
  Point.prototype.round = function () { return new Point(Math.round(this.x), Math.round(this.y)); };
  function point(x, y) {
    if (x instanceof Point) return x;
    return Array.isArray(x) ? new Point(x[0], x[1]) : new Point(x, y);
  }

  function LatLng(lat, lng) { this.lat = lat; this.lng = lng; }
  function latLng(a, b) {
    if (a instanceof LatLng) return a;
    if (Array.isArray(a)) return new LatLng(a[0], a[1]);
    if (a && typeof a === "object") return new LatLng(a.lat, a.lng);
    return new LatLng(a, b);
  }

  function LatLngBounds(a, b) {
    this.south = Infinity; this.west = Infinity; this.north = -Infinity; this.east = -Infinity;
    if (a) this.extend(a);
    if (b) this.extend(b);
  }
  LatLngBounds.prototype.extend = function (what) {
    if (what instanceof LatLngBounds) {
      this.extend(new LatLng(what.south, what.west));
      return this.extend(new LatLng(what.north, what.east));
    }
    var ll = latLng(what);
    this.south = Math.min(this.south, ll.lat); this.north = Math.max(this.north, ll.lat);
    this.west = Math.min(this.west, ll.lng); this.east = Math.max(this.east, ll.lng);
    return this;
  };
  LatLngBounds.prototype.getSouthWest = function () { return new LatLng(this.south, this.west); };
  LatLngBounds.prototype.getNorthEast = function () { return new LatLng(this.north, this.east); };
  LatLngBounds.prototype.getCenter = function () {
    return new LatLng((this.south + this.north) / 2, (this.west + this.east) / 2);
  };
  // Wider by `ratio` of its height and width on every side (Leaflet's pad).
  LatLngBounds.prototype.pad = function (ratio) {
    var dy = (this.north - this.south) * ratio, dx = (this.east - this.west) * ratio;
    return new LatLngBounds([this.south - dy, this.west - dx], [this.north + dy, this.east + dx]);
  };
  function latLngBounds(a, b) { return a instanceof LatLngBounds ? a : new LatLngBounds(a, b); }

  // Web Mercator: a latitude and longitude to pixels of a 256 px world (zoom 0).
  function project(ll) {
    var lat = Math.max(Math.min(ll.lat, MAX_LAT), -MAX_LAT) * Math.PI / 180;
    var sin = Math.sin(lat);
    return new Point(TILE * (ll.lng + 180) / 360,
                     TILE * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)));
  }
  function unproject(p) {
    var lng = p.x * 360 / TILE - 180;
    var lat = (2 * Math.atan(Math.exp((0.5 - p.y / TILE) * 2 * Math.PI)) - Math.PI / 2) * 180 / Math.PI;
    return new LatLng(lat, lng);
  }
  var CRS = { EPSG3857: { project: function (ll) {  // metres, as Leaflet's
    var p = project(latLng(ll));
    var half = Math.PI * EARTH;
    return new Point(p.x / TILE * 2 * half - half, half - p.y / TILE * 2 * half);
  } } };

  // ---- events ---------------------------------------------------------------------
  var Evented = {
    on: function (types, callback) {
      var self = this;
      this._events = this._events || {};
      types.split(" ").forEach(function (type) {
        (self._events[type] = self._events[type] || []).push(callback);
      });
      return this;
    },
    fire: function (type, data) {
      var list = (this._events && this._events[type]) || [];
      var event = extend({ type: type, target: this }, data);
      list.slice().forEach(function (callback) { callback.call(this, event); }, this);
      return this;
    }
  };

  function extend(target) {
    for (var i = 1; i < arguments.length; i++) {
      var source = arguments[i];
      for (var key in source) if (Object.prototype.hasOwnProperty.call(source, key)) target[key] = source[key];
    }
    return target;
  }

  function div(className, parent) {
    var node = document.createElement("div");
    node.className = className;
    if (parent) parent.appendChild(node);
    return node;
  }

  function setPosition(node, p) {
    node._mapPosition = p;
    node.style.transform = "translate3d(" + p.x + "px," + p.y + "px,0)";
  }

  var Browser = {
    touch: "ontouchstart" in window || navigator.maxTouchPoints > 0,
    mobile: /Android|iPhone|iPad|iPod|Mobile/.test(navigator.userAgent)
  };

  // ---- the map --------------------------------------------------------------------
  function Map(container, options) {
    this.options = extend({ zoomSnap: 1, zoomControl: true, minZoom: 0, maxZoom: 18 }, options);
    this._container = container;
    this._panes = {};
    this._svgs = [];
    this._layers = [];
    this._panePos = new Point(0, 0);
    this._popup = null;
    container.classList.add("leaflet-container", "leaflet-grab");
    if (Browser.touch) container.classList.add("leaflet-touch");
    if (!container.hasAttribute("tabindex")) container.setAttribute("tabindex", "0");
    this._mapPane = this.createPane("mapPane", container);
    ["tilePane", "overlayPane", "tooltipPane", "popupPane"].forEach(function (name) {
      this.createPane(name);
    }, this);
    var controls = div("leaflet-control-container", container);
    this._corners = {
      topleft: div("leaflet-top leaflet-left", controls),
      bottomright: div("leaflet-bottom leaflet-right", controls)
    };
    this._size = null;
    if (this.options.zoomControl) this._zoomControl = new ZoomControl().addTo(this);
    this._listen();
  }
  extend(Map.prototype, Evented);

  Map.prototype.createPane = function (name, parent) {
    var pane = div("leaflet-pane leaflet-" + name.replace("Pane", "") + "-pane", parent || this._mapPane);
    if (name === "mapPane") pane.className = "leaflet-pane leaflet-map-pane";
    this._panes[name] = pane;
    return pane;
  };
  Map.prototype.getPane = function (name) { return this._panes[name]; };

  Map.prototype.getSize = function () {
    if (!this._size) this._size = new Point(this._container.clientWidth, this._container.clientHeight);
    return this._size;
  };
  Map.prototype.getZoom = function () { return this._zoom; };
  Map.prototype.getCenter = function () { return this._center; };
  Map.prototype.getMinZoom = function () { return this.options.minZoom; };
  Map.prototype.getMaxZoom = function () { return this.options.maxZoom; };

  Map.prototype._scale = function (zoom) { return Math.pow(2, zoom === undefined ? this._zoom : zoom); };

  Map.prototype._snap = function (zoom) {
    var snap = this.options.zoomSnap;
    return snap ? Math.round(zoom / snap) * snap : zoom;
  };

  Map.prototype._limitZoom = function (zoom) {
    return Math.max(this.options.minZoom, Math.min(this.options.maxZoom, zoom));
  };

  // Keep the view inside the maximum bounds: centred on them where it is wider.
  Map.prototype._limitCenter = function (center, zoom) {
    var bounds = this.options.maxBounds;
    if (!bounds) return center;
    var scale = this._scale(zoom), half = this.getSize().multiplyBy(0.5);
    var c = project(center).multiplyBy(scale);
    var nw = project(new LatLng(bounds.north, bounds.west)).multiplyBy(scale);
    var se = project(new LatLng(bounds.south, bounds.east)).multiplyBy(scale);
    function axis(value, low, high, halfSize) {
      if (high - low <= 2 * halfSize) return (low + high) / 2;
      return Math.min(Math.max(value, low + halfSize), high - halfSize);
    }
    var limited = new Point(axis(c.x, nw.x, se.x, half.x), axis(c.y, nw.y, se.y, half.y));
    return limited.equals(c) ? center : unproject(limited.multiplyBy(1 / scale));
  };

  // The whole view changes: a new zoom or centre; layers are placed again.
  Map.prototype.setView = function (center, zoom, options) {
    zoom = this._limitZoom(zoom === undefined ? this._zoom : zoom);
    center = this._limitCenter(latLng(center), zoom);
    var zoomed = zoom !== this._zoom;
    if (zoomed && this._zoom !== undefined) this.fire("zoomstart");
    this._reset(center, zoom);
    if (zoomed) this.fire("zoomend");
    if (!(options && options.silent)) this.fire("moveend");
    return this;
  };

  Map.prototype._reset = function (center, zoom) {
    this._center = center;
    this._zoom = zoom;
    this._panePos = new Point(0, 0);
    setPosition(this._mapPane, this._panePos);
    this._origin = project(center).multiplyBy(this._scale()).subtract(this.getSize().multiplyBy(0.5));
    this._update();
    if (this._zoomControl) this._zoomControl.refresh();
  };

  // What moves in layer space after a change of view: the SVG, tiles, popup, tooltip.
  Map.prototype._update = function () {
    var self = this;
    this._svgs.forEach(function (svg) { self._placeSvg(svg); });
    this._layers.forEach(function (layer) { if (layer._update) layer._update(); });
    if (this._popup) this._popup._place();
    if (this._tooltip) this._tooltip._place();
  };

  Map.prototype.setZoom = function (zoom) { return this.setView(this._center, zoom); };

  // Zoom so that the container point `around` stays where it is.
  Map.prototype.zoomAround = function (around, zoom) {
    zoom = this._limitZoom(zoom);
    var before = this.containerPointToLatLng(around);
    var scale = this._scale(zoom);
    var half = this.getSize().multiplyBy(0.5);
    var centre = project(before).multiplyBy(scale).subtract(around).add(half);
    return this.setView(unproject(centre.multiplyBy(1 / scale)), zoom);
  };

  Map.prototype.panBy = function (offset) {
    offset = point(offset);
    if (!offset.x && !offset.y) return this;
    var scale = this._scale();
    var centre = project(this._center).multiplyBy(scale).add(offset);
    var limited = this._limitCenter(unproject(centre.multiplyBy(1 / scale)), this._zoom);
    var moved = project(limited).multiplyBy(scale).subtract(project(this._center).multiplyBy(scale));
    this._center = limited;
    this._panePos = this._panePos.subtract(moved);
    setPosition(this._mapPane, this._panePos);
    this.fire("move");
    return this;
  };

  Map.prototype.getBoundsZoom = function (bounds, padding) {
    var size = this.getSize().subtract(padding.multiplyBy(2));
    var nw = project(new LatLng(bounds.north, bounds.west));
    var se = project(new LatLng(bounds.south, bounds.east));
    var scale = Math.min(size.x / Math.max(se.x - nw.x, 1e-9), size.y / Math.max(se.y - nw.y, 1e-9));
    var zoom = Math.log(scale) / Math.LN2;
    var snap = this.options.zoomSnap || 1;
    if (!isFinite(zoom)) zoom = this.options.minZoom;
    return Math.floor(zoom / snap + 1e-9) * snap;
  };

  Map.prototype.fitBounds = function (bounds, options) {
    options = options || {};
    bounds = latLngBounds(bounds);
    var padding = point(options.padding || [0, 0]);
    var zoom = this.getBoundsZoom(bounds, padding);
    if (options.maxZoom !== undefined) zoom = Math.min(zoom, options.maxZoom);
    var nw = project(new LatLng(bounds.north, bounds.west));
    var se = project(new LatLng(bounds.south, bounds.east));
    return this.setView(unproject(nw.add(se).multiplyBy(0.5)), zoom);
  };

  Map.prototype.setMinZoom = function (zoom) {
    this.options.minZoom = zoom;
    if (this._zoom !== undefined && this._zoom < zoom) this.setZoom(zoom);
    else if (this._zoomControl) this._zoomControl.refresh();
    return this;
  };
  Map.prototype.setMaxZoom = function (zoom) {
    this.options.maxZoom = zoom;
    if (this._zoom !== undefined && this._zoom > zoom) this.setZoom(zoom);
    else if (this._zoomControl) this._zoomControl.refresh();
    return this;
  };
  Map.prototype.setMaxBounds = function (bounds) {
    this.options.maxBounds = latLngBounds(bounds);
    if (this._center) this.setView(this._center, this._zoom);
    return this;
  };

  Map.prototype.invalidateSize = function () {
    var before = this.getSize();
    this._size = null;
    var now = this.getSize();
    if (!now.equals(before) && this._center) {
      this._reset(this._center, this._zoom);
      this.fire("resize", { oldSize: before, newSize: now });
    }
    return this;
  };

  Map.prototype.latLngToLayerPoint = function (ll) {
    return project(latLng(ll)).multiplyBy(this._scale()).subtract(this._origin);
  };
  Map.prototype.latLngToContainerPoint = function (ll) {
    return this.latLngToLayerPoint(ll).add(this._panePos);
  };
  Map.prototype.containerPointToLayerPoint = function (p) { return point(p).subtract(this._panePos); };
  Map.prototype.containerPointToLatLng = function (p) {
    return unproject(point(p).subtract(this._panePos).add(this._origin).multiplyBy(1 / this._scale()));
  };
  Map.prototype.mouseEventToContainerPoint = function (event) {
    var box = this._container.getBoundingClientRect();
    return new Point(event.clientX - box.left - this._container.clientLeft,
                     event.clientY - box.top - this._container.clientTop);
  };

  Map.prototype.addLayer = function (layer) {
    if (this._layers.indexOf(layer) < 0) {
      this._layers.push(layer);
      layer._map = this;
      layer.onAdd(this);
    }
    return this;
  };
  Map.prototype.removeLayer = function (layer) {
    var at = this._layers.indexOf(layer);
    if (at >= 0) {
      this._layers.splice(at, 1);
      layer.onRemove(this);
      layer._map = null;
    }
    return this;
  };

  Map.prototype.closePopup = function () {
    if (this._popup) this._popup.close();
    return this;
  };

  // One SVG per pane that holds paths, covering the view and half as much again on every
  // side so that a drag shows no edge; its group maps zoom-REF pixels to layer pixels.
  Map.prototype._svgFor = function (paneName) {
    var pane = this.getPane(paneName);
    if (!pane._svg) {
      var svg = document.createElementNS(SVG, "svg");
      var group = document.createElementNS(SVG, "g");
      svg.appendChild(group);
      pane.appendChild(svg);
      pane._svg = { svg: svg, group: group };
      this._svgs.push(pane._svg);
      this._placeSvg(pane._svg);
    }
    return pane._svg;
  };

  Map.prototype._placeSvg = function (svg) {
    if (this._zoom === undefined) return;
    var size = this.getSize(), pad = size.multiplyBy(0.5);
    var min = this.containerPointToLayerPoint([0, 0]).subtract(pad).round();
    var width = size.x + 2 * pad.x, height = size.y + 2 * pad.y;
    setPosition(svg.svg, min);
    svg.svg.setAttribute("width", Math.round(width));
    svg.svg.setAttribute("height", Math.round(height));
    svg.svg.setAttribute("viewBox", [min.x, min.y, Math.round(width), Math.round(height)].join(" "));
    var k = Math.pow(2, this._zoom - REF);
    svg.group.setAttribute("transform",
      "matrix(" + k + ",0,0," + k + "," + (-this._origin.x) + "," + (-this._origin.y) + ")");
  };

  // ---- interaction ------------------------------------------------------------------
  Map.prototype._listen = function () {
    var self = this, container = this._container;
    var drag = null;

    container.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "touch" || event.button !== 0 || !self._center) return;
      if (event.target.closest(".leaflet-control, .leaflet-popup")) return;
      drag = { x: event.clientX, y: event.clientY, moved: false };
    });
    document.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!drag.moved) {
        drag.moved = true;
        container.classList.add("leaflet-dragging");
        self.fire("movestart");
      }
      drag.x = event.clientX;
      drag.y = event.clientY;
      self.panBy([-dx, -dy]);
    });
    document.addEventListener("pointerup", function () {
      if (!drag) return;
      if (drag.moved) {
        container.classList.remove("leaflet-dragging");
        self._dragged = true;  // the click that ends a drag opens nothing
        setTimeout(function () { self._dragged = false; }, 0);
        self._update();
        self.fire("moveend");
      }
      drag = null;
    });

    // A click on the map itself, not an area, a popup or a control, closes the popup.
    container.addEventListener("click", function (event) {
      if (self._dragged) { event.stopPropagation(); return; }
      if (event.target.closest(".leaflet-interactive, .leaflet-popup, .leaflet-control")) return;
      self.closePopup();
    });

    container.addEventListener("dblclick", function (event) {
      if (event.target.closest(".leaflet-control, .leaflet-popup")) return;
      event.preventDefault();
      var around = self.mouseEventToContainerPoint(event);
      self.zoomAround(around, self._zoom + (event.shiftKey ? -1 : 1));
    });

    // The wheel (with Ctrl or Cmd in an embed: frame.js) and a trackpad's pinch.
    var wheel = 0, wheelAt = null, wheelFrame = null;
    container.addEventListener("wheel", function (event) {
      if (!self.options.scrollWheelZoom || !self._center) return;
      event.preventDefault();
      var unit = event.deltaMode === 1 ? 20 : event.deltaMode === 2 ? 60 : 1;
      wheel += event.deltaY * unit;
      wheelAt = self.mouseEventToContainerPoint(event);
      if (!wheelFrame) wheelFrame = requestAnimationFrame(function () {
        wheelFrame = null;
        var step = self.options.zoomSnap || 1;
        var change = -wheel / 120;  // a mouse notch (100-120 px) is about one zoom level
        change = change > 0 ? Math.max(step, self._snap(change)) : Math.min(-step, self._snap(change));
        wheel = 0;
        var zoom = self._limitZoom(self._zoom + change);
        if (zoom !== self._zoom) self.zoomAround(wheelAt, zoom);
      });
    }, { passive: false });

    // Two fingers pan and pinch (one finger is the page's: frame.js).
    var pinch = null;
    function fingers(event) {
      var a = self.mouseEventToContainerPoint(event.touches[0]);
      var b = self.mouseEventToContainerPoint(event.touches[1]);
      return { mid: a.add(b).multiplyBy(0.5), distance: Math.max(Math.hypot(a.x - b.x, a.y - b.y), 1) };
    }
    container.addEventListener("touchstart", function (event) {
      if (event.touches.length !== 2 || !self._center) return;
      var now = fingers(event);
      pinch = { start: now, latlng: self.containerPointToLatLng(now.mid), zoom: self._zoom };
      self.fire("zoomstart");
    }, { passive: true });
    container.addEventListener("touchmove", function (event) {
      if (!pinch || event.touches.length !== 2) return;
      event.preventDefault();
      var now = fingers(event);
      var zoom = self._limitZoom(pinch.zoom + Math.log(now.distance / pinch.start.distance) / Math.LN2);
      var scale = self._scale(zoom), half = self.getSize().multiplyBy(0.5);
      var centre = project(pinch.latlng).multiplyBy(scale).subtract(now.mid).add(half);
      self._reset(self._limitCenter(unproject(centre.multiplyBy(1 / scale)), zoom), zoom);
      pinch.mid = now.mid;
    }, { passive: false });
    container.addEventListener("touchend", function (event) {
      if (!pinch || event.touches.length >= 2) return;
      var around = pinch.mid || pinch.start.mid;
      pinch = null;
      self.zoomAround(around, self._snap(self._zoom));
    });

    // The keyboard, on the map itself (each area has keys of its own: map.js).
    container.addEventListener("keydown", function (event) {
      if (event.target !== container || event.altKey || event.ctrlKey || event.metaKey || !self._center) return;
      var pan = { ArrowLeft: [-80, 0], ArrowRight: [80, 0], ArrowUp: [0, -80], ArrowDown: [0, 80] }[event.key];
      if (pan) {
        self.panBy(pan);
        self._update();
        self.fire("moveend");
      } else if (event.key === "+" || event.key === "=") {
        self.setZoom(self._zoom + 1);
      } else if (event.key === "-" || event.key === "_") {
        self.setZoom(self._zoom - 1);
      } else if (event.key === "Escape") {
        self.closePopup();
      } else {
        return;
      }
      event.preventDefault();
    });
  };

  // ---- controls ---------------------------------------------------------------------
  function ZoomControl() {}
  ZoomControl.prototype.addTo = function (map) {
    this._map = map;
    var bar = div("leaflet-control-zoom leaflet-bar leaflet-control", map._corners.topleft);
    this._in = this._button(bar, "+", "Zoom in", "leaflet-control-zoom-in", 1);
    this._out = this._button(bar, "\u2212", "Zoom out", "leaflet-control-zoom-out", -1);
    return this;
  };
  ZoomControl.prototype._button = function (bar, text, title, className, step) {
    var map = this._map, link = document.createElement("a");
    link.className = className;
    link.href = "#";
    link.title = title;
    link.setAttribute("role", "button");
    link.setAttribute("aria-label", title);
    var glyph = document.createElement("span");
    glyph.setAttribute("aria-hidden", "true");
    glyph.textContent = text;
    link.appendChild(glyph);
    link.addEventListener("click", function (event) {
      event.preventDefault();
      event.stopPropagation();
      if (!link.classList.contains("leaflet-disabled") && map._center) map.setZoom(map._zoom + step);
    });
    link.addEventListener("dblclick", function (event) { event.stopPropagation(); });
    bar.appendChild(link);
    return link;
  };
  ZoomControl.prototype.refresh = function () {
    var map = this._map, zoom = map._zoom;
    [[this._in, zoom >= map.options.maxZoom], [this._out, zoom <= map.options.minZoom]]
      .forEach(function (pair) {
        pair[0].classList.toggle("leaflet-disabled", !!pair[1]);
        pair[0].setAttribute("aria-disabled", String(!!pair[1]));
      });
  };

  function Attribution() {}
  Attribution.prototype.addTo = function (map) {
    this._node = div("leaflet-control-attribution leaflet-control", map._corners.bottomright);
    map._attribution = this;
    this.refresh(map);
    return this;
  };
  Attribution.prototype.refresh = function (map) {
    // The tile layer's attribution is the operator's setting (MAPSERVER_TILES), often with
    // a link, not data: it goes in as HTML, as Leaflet puts it.
    this._node.innerHTML = map._layers.map(function (layer) { return layer.options && layer.options.attribution; })
      .filter(Boolean).join(" | ");
  };

  // ---- a tile layer (MAPSERVER_TILES) -------------------------------------------------
  function TileLayer(url, options) { this._url = url; this.options = options || {}; this._tiles = {}; }
  TileLayer.prototype.addTo = function (map) { map.addLayer(this); return this; };
  TileLayer.prototype.onAdd = function (map) {
    this._pane = map.getPane("tilePane");
    if (map._attribution) map._attribution.refresh(map);
    this._update();  // (and again on every change of view: Map._update)
  };
  TileLayer.prototype.onRemove = function () { this._pane.textContent = ""; this._tiles = {}; };
  TileLayer.prototype._update = function () {
    var map = this._map;
    if (!map || map._zoom === undefined) return;
    var z = Math.max(0, Math.min(19, Math.round(map._zoom)));
    var size = TILE * Math.pow(2, map._zoom - z);
    var topLeft = map.containerPointToLatLng([0, 0]), bottomRight = map.containerPointToLatLng(map.getSize());
    var a = project(topLeft).multiplyBy(Math.pow(2, z) / TILE), b = project(bottomRight).multiplyBy(Math.pow(2, z) / TILE);
    var keep = {}, count = Math.pow(2, z);
    for (var x = Math.floor(a.x); x <= Math.floor(b.x); x++) {
      for (var y = Math.max(0, Math.floor(a.y)); y <= Math.min(count - 1, Math.floor(b.y)); y++) {
        var key = z + "/" + x + "/" + y, tile = this._tiles[key];
        if (!tile) {
          tile = this._tiles[key] = document.createElement("img");
          tile.className = "leaflet-tile";
          tile.alt = "";
          tile.src = this._url.replace("{z}", z).replace("{x}", ((x % count) + count) % count)
            .replace("{y}", y).replace("{s}", "a").replace("{r}", "");
          this._pane.appendChild(tile);
        }
        var corner = map.latLngToLayerPoint(unproject(new Point(x, y).multiplyBy(TILE / count)));
        setPosition(tile, corner);
        tile.style.width = tile.style.height = size + "px";
        keep[key] = true;
      }
    }
    for (var old in this._tiles) {
      if (!keep[old]) { this._pane.removeChild(this._tiles[old]); delete this._tiles[old]; }
    }
  };

  // ---- areas as SVG paths -------------------------------------------------------------
  var DEFAULTS = { stroke: true, color: "#3388ff", weight: 3, opacity: 1, fill: true,
                   fillOpacity: 0.2, interactive: true, className: "" };

  function Path(feature, options, group) {
    this.feature = feature;
    this.options = extend({}, DEFAULTS, options);
    this._group = group;
  }
  extend(Path.prototype, Evented);

  // "M x y L x y … Z" for every ring, in whole pixels at zoom REF.
  function pathData(geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    var scale = Math.pow(2, REF), parts = [];
    polygons.forEach(function (rings) {
      rings.forEach(function (ring) {
        var last = "";
        for (var i = 0; i < ring.length; i++) {
          var p = project(new LatLng(ring[i][1], ring[i][0]));
          var xy = Math.round(p.x * scale) + " " + Math.round(p.y * scale);
          if (xy === last) continue;  // points that round to the same pixel
          parts.push((i ? "L" : "M") + xy);
          last = xy;
        }
        parts.push("Z");
      });
    });
    return parts.join("");
  }

  Path.prototype._build = function (svg) {
    var node = (this._path = document.createElementNS(SVG, "path"));
    var o = this.options;
    node.setAttribute("class", ((o.interactive ? "leaflet-interactive " : "") + o.className).trim());
    node.setAttribute("fill-rule", "evenodd");
    node.setAttribute("stroke-linecap", "round");
    node.setAttribute("stroke-linejoin", "round");
    node.setAttribute("d", pathData(this.feature.geometry) || "M0 0");
    this._applyStyle();
    svg.group.appendChild(node);
    if (o.interactive) this._bindDom();
  };

  Path.prototype._applyStyle = function () {
    var o = this.options, node = this._path;
    if (!node) return;
    if (o.stroke) {
      node.setAttribute("stroke", o.color);
      node.setAttribute("stroke-opacity", o.opacity);
      node.setAttribute("stroke-width", o.weight);
    } else {
      node.setAttribute("stroke", "none");
    }
    if (o.fill) {
      node.setAttribute("fill", o.fillColor || o.color);
      node.setAttribute("fill-opacity", o.fillOpacity);
    } else {
      node.setAttribute("fill", "none");
    }
  };

  Path.prototype.setStyle = function (style) {
    extend(this.options, style);
    this._applyStyle();
    return this;
  };
  Path.prototype.getElement = function () { return this._path; };
  Path.prototype.getBounds = function () {
    if (!this._bounds) {
      var bounds = (this._bounds = new LatLngBounds());
      (function walk(coords) {
        if (typeof coords[0] === "number") bounds.extend([coords[1], coords[0]]);
        else for (var i = 0; i < coords.length; i++) walk(coords[i]);
      })(this.feature.geometry.coordinates);
    }
    return this._bounds;
  };
  // Where a popup opens by default: the label point, inside the area, else its middle.
  Path.prototype.getCenter = function () {
    var label = this.feature.properties && this.feature.properties.label;
    return label ? new LatLng(label[1], label[0]) : this.getBounds().getCenter();
  };
  Path.prototype._mapOf = function () { return this._group && this._group._map; };

  Path.prototype._bindDom = function () {
    var self = this, node = this._path;
    node.addEventListener("click", function (event) {
      var map = self._mapOf();
      if (!map || map._dragged) return;
      if (self._popup) self.openPopup(map.containerPointToLatLng(map.mouseEventToContainerPoint(event)));
      self.fire("click");
    });
    node.addEventListener("mouseover", function (event) {
      self.fire("mouseover");
      if (self._tooltip) self._tooltip.open(self._mapOf(), self._mouseAt(event));
    });
    node.addEventListener("mousemove", function (event) {
      if (self._tooltip && self._tooltip._isOpen) self._tooltip.moveTo(self._mouseAt(event));
    });
    node.addEventListener("mouseout", function () {
      self.fire("mouseout");
      self.closeTooltip();
    });
    node.addEventListener("focus", function () {
      if (self._tooltip) self._tooltip.open(self._mapOf(), self.getCenter());
    });
    node.addEventListener("blur", function () { self.closeTooltip(); });
  };
  Path.prototype._mouseAt = function (event) {
    var map = this._mapOf();
    return map.containerPointToLatLng(map.mouseEventToContainerPoint(event));
  };

  Path.prototype.bindPopup = function (content, options) { this._popup = new Popup(this, content, options); return this; };
  Path.prototype.getPopup = function () { return this._popup; };
  Path.prototype.openPopup = function (at) {
    var map = this._mapOf();
    if (this._popup && map) this._popup.open(map, at ? latLng(at) : this.getCenter());
    return this;
  };
  Path.prototype.closePopup = function () { if (this._popup) this._popup.close(); return this; };
  Path.prototype.bindTooltip = function (content, options) { this._tooltip = new Tooltip(this, content, options); return this; };
  Path.prototype.closeTooltip = function () { if (this._tooltip) this._tooltip.close(); return this; };

  // ---- GeoJSON layers -------------------------------------------------------------------
  function GeoJSON(data, options) {
    this.options = options || {};
    this._paths = [];
    if (data) this.addData(data);
  }
  GeoJSON.prototype.addTo = function (map) { map.addLayer(this); return this; };
  GeoJSON.prototype.onAdd = function (map) {
    this._svg = map._svgFor(this.options.pane || "overlayPane");
    this._paths.forEach(function (path) { path._build(this._svg); }, this);
  };
  GeoJSON.prototype.onRemove = function () {
    this._paths.forEach(function (path) {
      if (path._path && path._path.parentNode) path._path.parentNode.removeChild(path._path);
      path._path = null;
      path.closePopup();
      path.closeTooltip();
    });
  };
  GeoJSON.prototype.addData = function (data) {
    if (data.type === "FeatureCollection") {
      data.features.forEach(this.addData, this);
      return this;
    }
    var feature = data.type === "Feature" ? data : { type: "Feature", properties: {}, geometry: data };
    if (!feature.geometry) return this;
    var o = this.options;
    var style = typeof o.style === "function" ? o.style(feature) : o.style;
    var path = new Path(feature, extend({ interactive: o.interactive !== false }, style), this);
    this._paths.push(path);
    if (o.onEachFeature) o.onEachFeature(feature, path);
    if (this._map) path._build(this._svg);
    return this;
  };

  // ---- popups and tooltips ------------------------------------------------------------
  function contentOf(content, source) {
    var made = typeof content === "function" ? content(source) : content;
    if (typeof made === "string") {  // as text: no area name is ever read as HTML
      var text = document.createElement("span");
      text.textContent = made;
      return text;
    }
    return made;
  }

  function Popup(source, content, options) {
    this._source = source;
    this._content = content;
    this.options = extend({ maxWidth: 300, minWidth: 50, autoPanPaddingTopLeft: [5, 5],
                            autoPanPaddingBottomRight: [5, 5] }, options);
  }

  Popup.prototype.isOpen = function () { return !!this._map && this._map._popup === this; };

  Popup.prototype.open = function (map, at) {
    if (map._popup && map._popup !== this) map._popup.close();
    this._map = map;
    this._latlng = at;
    if (!this._node) this._build();
    map.getPane("popupPane").appendChild(this._node);
    map._popup = this;
    this.update();
    this._source.fire("popupopen", { popup: this });
    map.fire("popupopen", { popup: this });
    return this;
  };

  Popup.prototype._build = function () {
    var self = this, node = (this._node = div("leaflet-popup"));
    var wrapper = div("leaflet-popup-content-wrapper", node);
    this._body = div("leaflet-popup-content", wrapper);
    var tip = div("leaflet-popup-tip-container", node);
    div("leaflet-popup-tip", tip);
    var close = document.createElement("a");
    close.className = "leaflet-popup-close-button";
    close.href = "#close";
    close.setAttribute("role", "button");
    close.setAttribute("aria-label", "Close popup");
    var glyph = document.createElement("span");
    glyph.setAttribute("aria-hidden", "true");
    glyph.textContent = "\u00d7";
    close.appendChild(glyph);
    close.addEventListener("click", function (event) { event.preventDefault(); self.close(); });
    node.appendChild(close);
    // Clicks and wheels inside the popup stay there.
    ["click", "dblclick", "pointerdown"].forEach(function (type) {
      node.addEventListener(type, function (event) { event.stopPropagation(); });
    });
  };

  // Fill, size (as wide as its content, within the limits) and place it, then pan the
  // map so that it is all in view.
  Popup.prototype.update = function () {
    if (!this.isOpen()) return;
    var content = contentOf(this._content, this._source);
    if (content && content.parentNode !== this._body) {
      this._body.textContent = "";
      this._body.appendChild(content);
    }
    var body = this._body, style = body.style;
    style.width = "";
    style.whiteSpace = "nowrap";
    var width = Math.min(Math.max(body.offsetWidth, this.options.minWidth), this.options.maxWidth);
    style.width = width + 1 + "px";
    style.whiteSpace = "";
    this._place();
    this._pan();
  };

  Popup.prototype._place = function () {
    if (!this.isOpen()) return;
    var at = this._map.latLngToLayerPoint(this._latlng);
    this._node.style.left = -Math.round(this._node.offsetWidth / 2) + "px";
    setPosition(this._node, at);
  };

  Popup.prototype._pan = function () {
    var map = this._map, box = this._node.getBoundingClientRect();
    var frame = map._container.getBoundingClientRect(), size = map.getSize();
    var topLeft = point(this.options.autoPanPaddingTopLeft), bottomRight = point(this.options.autoPanPaddingBottomRight);
    var left = box.left - frame.left, top = box.top - frame.top;
    var right = box.right - frame.left, bottom = box.bottom - frame.top;
    var dx = 0, dy = 0;
    if (right + bottomRight.x > size.x) dx = right + bottomRight.x - size.x;
    if (left - dx < topLeft.x) dx = left - topLeft.x;
    if (bottom + bottomRight.y > size.y) dy = bottom + bottomRight.y - size.y;
    if (top - dy < topLeft.y) dy = top - topLeft.y;
    if (dx || dy) {
      map.panBy([Math.round(dx), Math.round(dy)]);
      map._update();
      map.fire("moveend");
    }
  };

  Popup.prototype.close = function () {
    var map = this._map;
    if (!map || map._popup !== this) return this;
    map._popup = null;
    if (this._node.parentNode) this._node.parentNode.removeChild(this._node);
    this._source.fire("popupclose", { popup: this });
    return this;
  };

  function Tooltip(source, content, options) {
    this._source = source;
    this._content = content;
    this.options = extend({ direction: "top", className: "" }, options);
  }
  Tooltip.prototype.open = function (map, at) {
    if (!map) return;
    if (map._tooltip && map._tooltip !== this) map._tooltip.close();
    this._map = map;
    if (!this._node) {
      this._node = div(("leaflet-tooltip " + this.options.className + " leaflet-tooltip-" + this.options.direction).replace(/\s+/g, " "));
      this._node.setAttribute("role", "tooltip");
    }
    this._node.textContent = "";
    this._node.appendChild(contentOf(this._content, this._source));
    map.getPane("tooltipPane").appendChild(this._node);
    map._tooltip = this;
    this._isOpen = true;
    this.moveTo(at);
  };
  Tooltip.prototype.moveTo = function (at) { this._latlng = at; this._place(); };
  Tooltip.prototype._place = function () {
    if (!this._isOpen) return;
    var at = this._map.latLngToLayerPoint(this._latlng), node = this._node;
    setPosition(node, at.add(new Point(-Math.round(node.offsetWidth / 2), -node.offsetHeight - 8)));
  };
  Tooltip.prototype.close = function () {
    if (!this._isOpen) return;
    this._isOpen = false;
    if (this._map && this._map._tooltip === this) this._map._tooltip = null;
    if (this._node.parentNode) this._node.parentNode.removeChild(this._node);
  };

  MS.lite = {
    map: function (container, options) { return new Map(container, options); },
    svg: function () { return null; },
    geoJSON: function (data, options) { return new GeoJSON(data, options); },
    tileLayer: function (url, options) { return new TileLayer(url, options); },
    control: { attribution: function () { return new Attribution(); } },
    latLng: latLng,
    latLngBounds: latLngBounds,
    extend: extend,
    DomUtil: { setPosition: setPosition },
    CRS: CRS,
    Browser: Browser
  };
})();
