/* mapserver: what an embed does inside a news article. It reports its height to the
   host page (our loader, pym.js, Datawrapper-style listeners, AMP), leaves one-finger
   swipes and plain mouse wheels to the article, and adds the table view and the
   week stepper. */
(function () {
  "use strict";
  var MS = (window.Mapserver = window.Mapserver || {});
  var L = MS.lite;  // lite.js: the part of Leaflet's API the map uses
  var F = MS.format;
  var el = F.el;
  MS.onReady = MS.onReady || [];

  // ---- height for the host page -------------------------------------------------
  var MIN_MAP = 240, MAX_MAP = 720;

  function mapAspect(view) {
    var crs = L.CRS.EPSG3857, b = view.bounds;
    var sw = crs.project(b.getSouthWest()), ne = crs.project(b.getNorthEast());
    return (ne.y - sw.y) / Math.max(ne.x - sw.x, 1);
  }

  // The height the embed wants: its header, legend and source line, plus a map as tall
  // as the region's shape asks for at this width. It depends on the width only, so
  // resizing the iframe to it settles at once.
  function idealHeight(view) {
    var graphic = document.querySelector(".graphic");
    var mapBox = view.container.getBoundingClientRect();
    var chrome = graphic.getBoundingClientRect().height - mapBox.height;
    var mapHeight = Math.round(Math.min(MAX_MAP, Math.max(MIN_MAP, mapBox.width * mapAspect(view))));
    view.container.setAttribute("data-ideal-height", String(mapHeight));
    return Math.ceil(chrome + mapHeight);
  }

  function reportHeight(view, force) {
    if (window.parent === window || !document.body.classList.contains("embed")) return;
    var height = idealHeight(view);
    if (!force && height === reportHeight.last) return;
    reportHeight.last = height;
    var parent = window.parent;
    var id = window.location.pathname;
    parent.postMessage({ type: "mapserver:height", height: height, href: window.location.href }, "*");
    var datawrapper = {};
    datawrapper[id] = height;
    parent.postMessage({ "datawrapper-height": datawrapper }, "*");
    parent.postMessage({ sentinel: "amp", type: "embed-size", height: height }, "*");
    var pymId = new URLSearchParams(window.location.search).get("childId");
    if (pymId) parent.postMessage("pymxPYMx" + pymId + "xPYMxheightxPYMx" + height, "*");
  }

  MS.onReady.push(function (view) {
    var moved = false;
    ["pointerdown", "wheel", "keydown"].forEach(function (name) {
      view.container.addEventListener(name, function () { moved = true; }, { passive: true });
    });
    var lastWidth = 0;
    var size = view.map.getSize();
    var refit = function () {
      var now = view.map.invalidateSize().getSize();
      // Until the reader moves the map, keep the whole region in view when the frame
      // changes size (the host page resizing the iframe, a phone turning).
      if (!moved && !now.equals(size)) {
        view.map.fitBounds(view.bounds, { padding: [6, 6], animate: false });
      }
      size = now;
      reportHeight(view, false);
    };
    new ResizeObserver(function () {
      var width = document.documentElement.clientWidth;
      if (width !== lastWidth) reportHeight.last = null;
      lastWidth = width;
      refit();
    }).observe(document.documentElement);
    window.addEventListener("message", function (event) {
      if (event.data && event.data.type === "mapserver:measure") reportHeight(view, true);
    });
    reportHeight(view, true);
  });

  // ---- gestures -------------------------------------------------------------------
  function hint(container, text) {
    var box = container.querySelector(".map-hint");
    if (!box) {
      box = el("div", "map-hint");
      box.setAttribute("aria-hidden", "true");
      container.appendChild(box);
    }
    box.textContent = text;
    box.classList.add("map-hint-shown");
    clearTimeout(hint.timer);
    hint.timer = setTimeout(function () { box.classList.remove("map-hint-shown"); }, 1500);
  }

  // One finger scrolls the article and two move the map; the wheel zooms only with
  // Ctrl or Cmd held, as readers expect of a map inside a page.
  MS.gestures = function (map, container, touch) {
    var mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
    container.addEventListener("wheel", function (event) {
      if (event.ctrlKey || event.metaKey) return;
      event.stopImmediatePropagation(); // Leaflet never sees it; the page scrolls as usual
      hint(container, "Use " + (mac ? "\u2318" : "Ctrl") + " + scroll to zoom the map");
    }, true);
    container.addEventListener("touchstart", function (event) {
      if (event.touches.length === 1) {
        event.stopImmediatePropagation();
        hint(container, "Use two fingers to move the map");
      }
    }, { capture: true, passive: true });
    container.classList.add("map-gestures");
    if (touch) container.classList.add("map-touch");
  };

  // ---- table view ---------------------------------------------------------------
  MS.refreshTable = function (view) {
    var holder = document.getElementById("table-view");
    if (!holder || holder.hidden) return;
    holder.textContent = "";
    holder.appendChild(F.figuresTable(view.areas,
      view.values.title + ", " + view.values.region + ", " + view.values.week_text));
  };

  MS.onReady.push(function (view) {
    var button = document.getElementById("table-toggle");
    var holder = document.getElementById("table-view");
    if (!button || !holder) return;
    button.hidden = false;
    button.disabled = false;
    button.addEventListener("click", function () {
      var showTable = holder.hidden;
      holder.hidden = !showTable;
      view.container.hidden = showTable;
      button.setAttribute("aria-pressed", String(showTable));
      button.textContent = showTable ? "Map" : "Table";
      MS.refreshTable(view);
      if (!showTable) view.map.invalidateSize();
    });
  });

  // ---- week stepper ---------------------------------------------------------------
  function addDays(iso, days) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  MS.onReady.push(function (view) {
    var bar = document.getElementById("timeline");
    var data = view.container.dataset;
    if (!bar || !data.valuesTemplate) return;
    bar.hidden = false;
    var cache = {};
    var previous = bar.querySelector("[data-step='-7']");
    var next = bar.querySelector("[data-step='7']");
    var play = bar.querySelector("[data-play]");
    play.disabled = false;  // (previous and next: by setButtons)
    var reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
    var timer = null;
    // Another indicator's periods (years, three-year spans ...) are listed by their last
    // day; the Covid weeks are every 7 days.
    var periods = data.periods ? data.periods.split(",") : null;

    function shift(week, steps) {
      if (!periods) return addDays(week, 7 * steps);
      var at = periods.indexOf(week) + steps;
      return at >= 0 && at < periods.length ? periods[at] : "";
    }

    function outside(week) {
      return !week || week < data.firstWeek || week > data.lastWeek;
    }

    function setButtons() {
      previous.disabled = outside(shift(view.values.week, -1));
      next.disabled = outside(shift(view.values.week, 1));
      // With reduced motion the map does not change by itself: no autoplay.
      play.hidden = reduced.matches;
    }

    function go(week) {
      // Keyed by URL, not week: after a live refresh the template names the new data
      // version, and a week seen before must not come back with the old figures.
      var url = data.valuesTemplate.replace("{week}", week);
      if (!cache[url]) cache[url] = MS.getJSON(url);
      return cache[url].then(function (values) {
        if (values.vintage && data.vintage && String(values.vintage) !== data.vintage) {
          // That week is on other districts (North Northamptonshire from 2021, say):
          // its own page brings their outlines.
          var page = new URL(window.location.href);
          page.searchParams.set(page.searchParams.has("period") ? "period" : "week", week);
          page.searchParams.set("timeline", "1");
          window.location.assign(page.toString());
          return;
        }
        view.update(values);
        setButtons();
      });
    }

    function stop() {
      clearInterval(timer);
      timer = null;
      play.textContent = "Play";
      play.setAttribute("aria-pressed", "false");
    }

    bar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || button.disabled) return;
      if (button.hasAttribute("data-play")) {
        if (timer) return stop();
        play.textContent = "Pause";
        play.setAttribute("aria-pressed", "true");
        timer = setInterval(function () {
          var week = shift(view.values.week, 1);
          if (outside(week)) return stop();
          go(week);
        }, 1200);
        return;
      }
      stop();
      go(shift(view.values.week, Number(button.getAttribute("data-step")) > 0 ? 1 : -1));
    });
    setButtons();
  });
})();
