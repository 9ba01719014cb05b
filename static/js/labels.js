/* mapserver: place labels. The highlighted and top areas with their rates ("Corby
   358.6"), then (labels=all) other names, largest population first, as space allows.
   Greedy placement in that order, each label kept clear of the labels already placed
   and of the map's controls, inside the map; placed again after every zoom or move.
   The same rules as mapserver/labels.py, which labels the server-rendered image.
   Text widths are measured once per text on a canvas, never from the page's layout. */
(function () {
  "use strict";
  var MS = (window.Mapserver = window.Mapserver || {});
  var L = MS.lite;  // lite.js: the part of Leaflet's API the map uses
  var F = MS.format;
  var MODES = ["none", "top", "all"];
  var GAP = 2;      // pixels kept between two labels, and between a label and the edge
  var number1 = F.fixed(1);

  // The URL wins over the page's own setting, so a static export's plain HTML files
  // honour ?labels= too.
  function chosenMode(container) {
    var asked = new URLSearchParams(window.location.search).get("labels");
    if (MODES.indexOf(asked) >= 0) return asked;
    return MODES.indexOf(container.dataset.labels) >= 0 ? container.dataset.labels : "top";
  }

  function Labels(view) {
    this.view = view;
    this.map = view.map;
    this.mode = chosenMode(view.container);
    this.widths = {};
    this.points = {};
    var self = this;
    view.features.forEach(function (feature) {
      var point = feature.properties && feature.properties.label;
      if (point) self.points[feature.id] = L.latLng(point[1], point[0]);
    });
    this.pane = this.map.createPane("labels");
    this.pane.style.zIndex = 460;       // above the outlines (450), under tooltips and popups
    this.pane.style.pointerEvents = "none";
    // The areas carry the same names and rates as their accessible names.
    this.pane.setAttribute("aria-hidden", "true");
    this.fonts = { strong: this.probe("map-label map-label-top"), plain: this.probe("map-label") };
    this.map.on("zoomstart", function () { self.pane.classList.add("map-labels-moving"); });
    this.map.on("moveend resize", function () { self.place(); });
    // Placed in a task of its own: measuring the map's controls may lay the page out.
    setTimeout(function () { self.refresh(); }, 0);
  }

  // Font and line height of a label style, read once from the stylesheet.
  Labels.prototype.probe = function (className) {
    var node = F.el("div", className, "Mg");
    this.pane.appendChild(node);
    var style = getComputedStyle(node);
    var font = {
      css: style.fontWeight + " " + style.fontSize + " " + style.fontFamily,
      height: Math.ceil(parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2),
      padding: parseFloat(style.paddingLeft) + parseFloat(style.paddingRight)
    };
    this.pane.removeChild(node);
    return font;
  };

  Labels.prototype.measure = function (text, strong) {
    var key = (strong ? "1" : "0") + text;
    if (!(key in this.widths)) {
      var context = Labels.context || (Labels.context = document.createElement("canvas").getContext("2d"));
      var font = strong ? this.fonts.strong : this.fonts.plain;
      context.font = font.css;
      this.widths[key] = Math.ceil(context.measureText(text).width + font.padding);
    }
    return this.widths[key];
  };

  // The labels to try, in priority order, for this week's values.
  Labels.prototype.refresh = function () {
    var view = this.view, order = [], seen = {};
    var add = function (code, strong) {
      if (seen[code] || !view.areas[code]) return;
      seen[code] = true;
      order.push({ code: code, strong: strong });
    };
    if (this.mode !== "none") {
      view.highlight.forEach(function (code) { add(code, true); });
      var lists = view.labelOrder;  // (either values format, read by format.js)
      lists.top.forEach(function (code) { add(code, true); });
      if (this.mode === "all") lists.others.forEach(function (code) { add(code, false); });
    }
    var self = this;
    this.candidates = order.filter(function (item) { return self.points[item.code]; })
      .map(function (item) {
        var area = view.areas[item.code];
        // "Bristol", not "Bristol, City of": the server says which names it shortens
        var name = view.labelOrder.short[item.code] || area.name;
        var rate = item.strong && area.rate !== null ? number1.format(area.rate) : null;
        var text = rate ? name + " " + rate : name;
        var font = item.strong ? self.fonts.strong : self.fonts.plain;
        return { code: item.code, name: name, rate: rate, strong: item.strong,
                 width: self.measure(text, item.strong), height: font.height };
      });
    this.place();
  };

  // Boxes (left, top, right, bottom in map pixels) that labels must keep clear of.
  Labels.prototype.obstacles = function () {
    var origin = this.view.container.getBoundingClientRect();
    var boxes = [];
    this.view.container.querySelectorAll(".leaflet-control").forEach(function (control) {
      var r = control.getBoundingClientRect();
      if (r.width && r.height) {
        boxes.push([r.left - origin.left, r.top - origin.top, r.right - origin.left, r.bottom - origin.top]);
      }
    });
    return boxes;
  };

  function overlaps(a, b) {
    return a[0] < b[2] + GAP && b[0] < a[2] + GAP && a[1] < b[3] + GAP && b[1] < a[3] + GAP;
  }

  // Corners to try: centred on the point, then (top areas) around it.
  function positions(c, x, y) {
    var w = c.width, h = c.height, left = x - w / 2, top = y - h / 2;
    if (!c.strong) return [[left, top]];
    return [[left, top], [left, top - h / 2 - 2], [left, top + h / 2 + 2], [x + 4, top],
            [x - 4 - w, top], [left, top - h - 2], [left, top + h + 2],
            // beside the point and a line up or down: two top areas close together
            [x + 4, top - h / 2 - 2], [x + 4, top + h / 2 + 2],
            [x - 4 - w, top - h / 2 - 2], [x - 4 - w, top + h / 2 + 2]];
  }

  Labels.prototype.place = function () {
    var map = this.map, size = map.getSize(), taken = this.obstacles(), placed = [];
    var right = size.x - GAP, bottom = size.y - GAP;
    (this.candidates || []).forEach(function (c) {
      var anchor = map.latLngToContainerPoint(this.points[c.code]);
      if (anchor.x < GAP || anchor.x > right || anchor.y < GAP || anchor.y > bottom) return;
      if (c.width > right - GAP || c.height > bottom - GAP) return;
      var spots = positions(c, anchor.x, anchor.y);
      for (var i = 0; i < spots.length; i++) {
        var left = spots[i][0], top = spots[i][1];
        if (c.strong) {  // a top area's label moves in from the edge rather than vanish
          left = Math.min(Math.max(left, GAP), right - c.width);
          top = Math.min(Math.max(top, GAP), bottom - c.height);
        }
        var box = [left, top, left + c.width, top + c.height];
        if (box[0] < GAP || box[1] < GAP || box[2] > right || box[3] > bottom) continue;
        if (taken.some(function (other) { return overlaps(box, other); })) continue;
        taken.push(box);
        placed.push({ c: c, left: left, top: top });
        break;
      }
    }, this);
    this.draw(placed);
  };

  Labels.prototype.draw = function (placed) {
    var map = this.map, fragment = document.createDocumentFragment();
    placed.forEach(function (item) {
      var c = item.c;
      var node = F.el("div", c.strong ? "map-label map-label-top" : "map-label");
      node.setAttribute("data-code", c.code);
      node.appendChild(F.el("span", "map-label-name", c.name));
      if (c.rate) {  // the rate in its own span, for styling
        node.appendChild(document.createTextNode(" "));
        node.appendChild(F.el("span", "map-label-rate", c.rate));
      }
      // Its width is the measured one, so the box placed is the box drawn.
      node.style.width = c.width + "px";
      L.DomUtil.setPosition(node, map.containerPointToLayerPoint([item.left, item.top]));
      fragment.appendChild(node);
    });
    this.pane.textContent = "";
    this.pane.appendChild(fragment);
    this.pane.classList.remove("map-labels-moving");
    this.view.container.setAttribute("data-labels-placed", String(placed.length));
  };

  MS.onReady = MS.onReady || [];
  MS.onUpdate = MS.onUpdate || [];
  MS.onReady.push(function (view) { view.labels = new Labels(view); });
  MS.onUpdate.push(function (view) { if (view.labels) view.labels.refresh(); });
})();
