// Live embeds: when a new data version becomes current, load its figures in place.
// A light check (an ETag'd /live.json, answered 304 while nothing changes) every few
// minutes, only while the page is visible. Pinned embeds (v=) carry no data-live-url.
(function () {
  "use strict";
  var MS = (window.Mapserver = window.Mapserver || {});

  MS.onReady = MS.onReady || [];
  MS.onReady.push(function (view) {
    var data = view.container.dataset;
    if (!data.liveUrl || !data.version || !window.fetch) return;
    var every = Math.max(1, Number(data.liveEvery || 300)) * 1000;
    var lastCheck = Date.now();
    var busy = false;

    function switchTo(live) {
      var old = "/" + data.version + "/";
      var fresh = "/" + live.data_version + "/";
      // Showing the latest week: follow it; showing another week: refresh that week.
      var week = view.values.week === data.lastWeek ? live.default_week : view.values.week;
      var template = data.valuesTemplate.split(old).join(fresh);
      return MS.getJSON(template.replace("{week}", week)).then(function (values) {
        // The new week is on other districts (a merger took effect), or the lean values
        // are laid out for other boundaries, names or order: load the page again.
        var moved = values.format === 2 && values.geometry !== view.places.version;
        if (moved || (values.vintage && data.vintage && String(values.vintage) !== data.vintage)) {
          window.location.reload();
          return;
        }
        view.container.setAttribute("data-values-template", template);
        if (data.historyTemplate) {
          view.container.setAttribute("data-history-template", data.historyTemplate.split(old).join(fresh));
        }
        view.container.setAttribute("data-last-week", live.last_week);
        view.container.setAttribute("data-version", live.data_version);
        view.history = {};
        view.update(values);
      });
    }

    function check() {
      if (busy || document.visibilityState === "hidden") return;
      busy = true;
      lastCheck = Date.now();
      fetch(data.liveUrl, { credentials: "same-origin", cache: "no-cache" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (live) {
          if (!live || live.data_version === data.version) return;
          // New boundaries cannot be recoloured in place: load the page again. (A lean
          // geometry has a version of its own, which the new values name: see switchTo.)
          var lean = Boolean(view.places && view.places.version);
          if (!lean && live.geometry_version && data.geometry.indexOf("/" + live.geometry_version + "/") < 0) {
            window.location.reload();
            return;
          }
          return switchTo(live);
        })
        .catch(function () {})
        .then(function () { busy = false; });
    }

    setInterval(check, every);
    // Back from a hidden tab: check at once if a check is overdue.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && Date.now() - lastCheck >= every) check();
    });
  });
})();
