/* mapserver: keeps the key facts block (if any) about the week the map shows. When the
   week stepper changes the week, the facts for the new week come from /api/facts; where
   there is no API (a static export) the block is hidden rather than left stale. */
(function () {
  "use strict";
  var MS = (window.Mapserver = window.Mapserver || {});
  var F = MS.format;

  function refresh(block, week) {
    var template = block.dataset.factsTemplate;
    if (!template) { block.hidden = true; return; }
    MS.getJSON(template.replace("{week}", week)).then(function (facts) {
      if (document.getElementById("map").getAttribute("data-week") !== facts.week) return;
      var list = block.querySelector(".key-facts-list");
      list.textContent = "";
      facts.sentences.forEach(function (sentence) { list.appendChild(F.el("li", null, sentence)); });
      block.querySelector("[data-facts-week]").textContent = facts.week_text;
      block.setAttribute("data-week", facts.week);
      block.hidden = false;
    }).catch(function () { block.hidden = true; });
  }

  MS.onReady = MS.onReady || [];
  MS.onReady.push(function (view) {
    var block = document.querySelector(".key-facts");
    if (!block || !window.MutationObserver) return;
    new MutationObserver(function () {
      var week = view.container.getAttribute("data-week");
      if (week && week !== block.getAttribute("data-week")) refresh(block, week);
    }).observe(view.container, { attributes: true, attributeFilter: ["data-week"] });
  });
})();
