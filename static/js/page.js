/* The full map page: pickers apply on change, sortable league table, copy the embed code. */
(function () {
  "use strict";

  // A week's page has its own address (in a static export, a folder): go there; the
  // other pickers submit the form.
  function autoSubmit() {
    var form = document.querySelector("form.controls");
    if (!form) return;
    form.addEventListener("change", function (event) {
      var option = event.target.selectedOptions && event.target.selectedOptions[0];
      var picksPeriod = event.target.name === "week" || event.target.name === "period";
      if (picksPeriod && option && option.dataset.href) {
        window.location.href = option.dataset.href;
      } else {
        form.submit();
      }
    });
  }

  function sortable(table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (header, column) {
      var button = header.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var numeric = header.dataset.type === "number";
        var descending = header.getAttribute("aria-sort") !== "descending";
        if (!numeric && !header.hasAttribute("aria-sort")) descending = false;
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
          if (x === "" && y === "") return 0;
          if (x === "") return 1;  // unknown values always last
          if (y === "") return -1;
          var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "en-GB");
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  // A long league table opens with its first rows (map.css); this button shows them
  // all, and again only the first.
  function leagueAll() {
    var button = document.querySelector(".league-all");
    var table = document.getElementById("league");
    if (!button || !table) return;
    var all = button.textContent, fewer = button.dataset.fewer;
    button.addEventListener("click", function () {
      var short = table.classList.toggle("league-short");
      button.textContent = short ? all : fewer;
      button.setAttribute("aria-expanded", String(!short));
      // Chromium keeps the button in view by scroll anchoring; not every browser does.
      if (short) button.scrollIntoView({ block: "nearest" });
    });
  }

  function copyButton() {
    var button = document.getElementById("copy-embed");
    var code = document.getElementById("embed-code");
    if (!button || !code) return;
    // A static export knows its embed only as a relative path: make it absolute here.
    var src = code.dataset.src;
    if (src && !/^https?:/.test(src)) {
      code.value = code.value.split(src).join(new URL(src, window.location.href).href);
      code.dataset.src = new URL(src, window.location.href).href;
    }
    button.addEventListener("click", function () {
      code.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard) navigator.clipboard.writeText(code.value).then(done, function () {});
      else if (document.execCommand("copy")) done();
    });
  }

  function escapeAttribute(text) {
    return text.replace(/&/g, "&amp;").replace(/"/g, "&#34;").replace(/'/g, "&#39;")
      .replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // The embed code: the live or pinned ("as published") code chosen, then each
  // select[data-embed-param] set as one query parameter of its iframe's src (its default
  // value leaves the parameter out).
  function embedChoices() {
    var code = document.getElementById("embed-code");
    if (!code) return;
    var shown = { code: code.value, src: code.dataset.src };
    var selects = document.querySelectorAll("select[data-embed-param]");
    var kinds = document.querySelectorAll("input[name=embed-kind]");
    function render() {
      var kind = document.querySelector("input[name=embed-kind]:checked");
      var from = kind ? { code: kind.dataset.code, src: kind.dataset.src } : shown;
      var url = new URL(from.src, window.location.href);
      selects.forEach(function (select) {
        if (select.value === select.dataset.default) url.searchParams.delete(select.dataset.embedParam);
        else url.searchParams.set(select.dataset.embedParam, select.value);
      });
      code.value = from.code.split(escapeAttribute(from.src)).join(escapeAttribute(url.href));
      code.dataset.src = url.href;
    }
    selects.forEach(function (select) { select.addEventListener("change", render); });
    kinds.forEach(function (choice) {
      choice.addEventListener("change", function () {
        if (choice.checked) render();
      });
    });
  }

  function start() {
    autoSubmit();
    document.querySelectorAll("table.sortable").forEach(sortable);
    leagueAll();
    copyButton();
    embedChoices();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
