/* mapserver: "Find an area", a type-ahead search box over the region's areas, made as
   an ARIA combobox: the input owns a listbox, the arrow keys move aria-activedescendant,
   Enter zooms to the chosen area and opens its popup, and a status region says what was
   found. Names match ignoring case, accents and punctuation ("kings lynn" finds King's
   Lynn and West Norfolk); ONS codes match too, and postcodes when the server has a
   postcode file (data-postcodes). */
(function () {
  "use strict";
  var MS = (window.Mapserver = window.Mapserver || {});
  var F = MS.format;
  var el = F.el;
  var MAX_RESULTS = 8;
  var RATE = F.fixed(1);
  var POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?([0-9][A-Z]{2})?$/;

  // Lower case, accents dropped, apostrophes removed, other punctuation as spaces.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/['\u2018\u2019`]/g, "").replace(/[^a-z0-9]+/g, " ").trim();
  }

  // Best first: the exact code, names that start with the query, names with a word that
  // does, names that contain it (also with the spaces taken out), codes that start with it.
  function find(areas, query) {
    var q = fold(query), bare = q.replace(/ /g, "");
    if (!q) return [];
    var found = [];
    Object.keys(areas).forEach(function (code) {
      var area = areas[code], name = fold(area.name), lower = code.toLowerCase(), score = -1;
      if (lower === bare) score = 0;
      else if (name.indexOf(q) === 0) score = 1;
      else if ((" " + name).indexOf(" " + q) >= 0) score = 2;
      else if (name.indexOf(q) >= 0 || name.replace(/ /g, "").indexOf(bare) >= 0) score = 3;
      else if (bare.length >= 3 && lower.indexOf(bare) === 0) score = 4;
      if (score >= 0) found.push({ code: code, area: area, score: score });
    });
    found.sort(function (a, b) {
      return a.score - b.score || a.area.name.localeCompare(b.area.name, "en-GB");
    });
    return found.slice(0, MAX_RESULTS);
  }

  function postcodeOf(query) {
    var text = query.replace(/\s+/g, "").toUpperCase();
    return POSTCODE.test(text) ? text : null;
  }

  function Search(root, view) {
    this.root = root;
    this.view = view;
    this.input = root.querySelector("input");
    this.list = root.querySelector("[role=listbox]");
    this.note = root.querySelector(".area-search-note");
    this.status = root.querySelector("[role=status]");
    this.results = [];
    this.active = -1;
    var self = this;
    this.input.addEventListener("input", function () { self.update(); });
    this.input.addEventListener("keydown", function (event) { self.key(event); });
    this.input.addEventListener("blur", function () { setTimeout(function () { self.close(); }, 150); });
    // mousedown, not click: the option must be chosen before the input loses focus.
    this.list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      self.choose(option.getAttribute("data-code"));
    });
    root.hidden = false;
    this.input.disabled = false;  // (in its place, disabled, until the areas are known)
  }

  Search.prototype.say = function (text, visible) {
    this.status.textContent = text;
    this.note.textContent = visible ? text : "";
    this.note.hidden = !visible;
  };

  Search.prototype.update = function () {
    var query = this.input.value;
    this.results = find(this.view.areas, query);
    this.active = -1;
    this.render();
    if (!query.trim()) return this.say("", false);
    if (this.results.length) {
      var n = this.results.length;
      this.say(n + (n === 1 ? " area" : " areas") + " found: " + this.results[0].area.name +
        (n > 1 ? " first" : "") + ".", false);
    } else if (postcodeOf(query)) {
      this.say(this.root.dataset.postcodes ? "Press Enter to look up this postcode."
        : "Postcode search is not available on this map: type an area name or code.", true);
    } else {
      this.say("No area found", true);
    }
  };

  Search.prototype.render = function () {
    var self = this;
    this.list.textContent = "";
    this.results.forEach(function (result, i) {
      var option = el("li");
      option.id = "area-search-option-" + result.code;
      option.setAttribute("role", "option");
      option.setAttribute("data-code", result.code);
      option.setAttribute("aria-selected", String(i === self.active));
      option.appendChild(el("span", "area-search-name", result.area.name));
      option.appendChild(el("span", "area-search-rate",
        result.area.suppressed ? "suppressed" : result.area.rate === null ? "no data" : RATE.format(result.area.rate)));
      self.list.appendChild(option);
    });
    var open = this.results.length > 0;
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", String(open));
    if (this.active >= 0) {
      var current = this.list.children[this.active];
      this.input.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Search.prototype.close = function () {
    this.results = [];
    this.active = -1;
    this.render();
    this.note.hidden = true;
  };

  Search.prototype.key = function (event) {
    var count = this.results.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!count) { this.update(); count = this.results.length; }
      if (!count) return;
      var step = event.key === "ArrowDown" ? 1 : -1;
      this.active = this.active < 0 ? (step > 0 ? 0 : count - 1) : (this.active + step + count) % count;
      this.render();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (count) this.choose(this.results[Math.max(this.active, 0)].code);
      else this.submit();
    } else if (event.key === "Escape") {
      if (count || !this.note.hidden) { event.preventDefault(); this.close(); }
      else if (this.view.map.closePopup) this.view.map.closePopup();
    }
  };

  // Enter with no name in the list: a postcode, or say again that nothing was found.
  Search.prototype.submit = function () {
    var query = this.input.value.trim(), self = this;
    if (!query) return;
    var postcode = postcodeOf(query);
    if (!postcode) return this.say("No area found", true);
    var url = this.root.dataset.postcodes;
    if (!url) return this.say("Postcode search is not available on this map: type an area name or code.", true);
    this.say("Looking up " + query.toUpperCase() + "\u2026", true);
    fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (answer) {
        var body = answer[1];
        if (!answer[0] || !body.code) return self.say("No area found for postcode " + query.toUpperCase() + ".", true);
        if (!self.view.areas[body.code]) {
          return self.say(query.toUpperCase() + " is in " + (body.name || body.code) + ", which is not on this map.", true);
        }
        self.choose(body.code);
      })
      .catch(function () { self.say("The postcode could not be looked up.", true); });
  };

  Search.prototype.choose = function (code) {
    var area = this.view.areas[code];
    if (!area) return;
    // From the table view, go back to the map first.
    var toggle = document.getElementById("table-toggle");
    if (this.view.container.hidden && toggle) toggle.click();
    this.input.value = area.name;
    this.close();
    this.view.show(code);
    this.say(F.label(area) + ", shown on the map.", false);
  };

  MS.onReady = MS.onReady || [];
  MS.onReady.push(function (view) {
    var root = document.getElementById("area-search");
    if (root && view.show) MS.search = new Search(root, view);
  });
  MS.findAreas = find;
})();
