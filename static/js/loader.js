/* mapserver embed loader, for the pages that host our iframes: it resizes each iframe
   from this server to the height its content asks for. Without it an embed still works
   at the iframe's fixed height. */
(function () {
  "use strict";
  if (window.__mapserverLoader) return;
  window.__mapserverLoader = true;
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src, window.location.href).origin;

  function ourFrames() {
    return Array.prototype.filter.call(document.getElementsByTagName("iframe"), function (frame) {
      try { return new URL(frame.src, window.location.href).origin === origin; } catch (e) { return false; }
    });
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "mapserver:height") return;
    var height = Math.ceil(Number(data.height));
    if (!(height > 0 && height < 10000)) return;
    ourFrames().forEach(function (frame) {
      if (frame.contentWindow === event.source) {
        frame.style.height = height + "px";
        frame.setAttribute("height", String(height));
      }
    });
  });

  // Embeds that finished loading before this script ran: ask them to measure again.
  ourFrames().forEach(function (frame) {
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: "mapserver:measure" }, origin);
  });
})();
