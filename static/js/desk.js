/* The desk's few enhancements; every page works without them. Copy the embed code; drop
   a file on the upload form; refresh the preview when the description changes. */
(function () {
  "use strict";

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var said = button.parentNode.querySelector(".copied");
    function done(text) { if (said) { said.textContent = text; } }
    field.focus();
    field.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(function () { done("Copied."); },
        function () { done("Selected: press Ctrl+C or ⌘C to copy."); });
    } else {
      done(document.execCommand && document.execCommand("copy") ? "Copied." : "Selected: press Ctrl+C or ⌘C to copy.");
    }
  }

  function dropZone(zone) {
    var input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
      }
    });
  }

  function livePreview(form) {
    /* A change saves the draft after a pause, then redraws the previews. Once the form is
       sent (publish, or the plain update button), no save starts and no preview reloads:
       the draft may be gone by then. A save still on its way holds the form back until it
       is answered, so the two never cross at the server. */
    var timer = null, saving = null, leaving = false;
    function refresh() {
      timer = null;
      var data = new FormData(form);
      data.set("action", "save"); /* (form.action is the buttons named "action") */
      saving = fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok || leaving) { return; }
          document.querySelectorAll("iframe[data-preview]").forEach(function (frame) {
            frame.src = frame.src.split("#")[0].split("?")[0] + "?t=" + Date.now();
          });
        }, function () {})
        .then(function () { saving = null; });
    }
    form.addEventListener("change", function () {
      if (leaving) { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
    form.addEventListener("submit", function (event) {
      window.clearTimeout(timer);
      leaving = true;
      if (saving) {
        event.preventDefault();
        var submitter = event.submitter;
        saving.then(function () { form.requestSubmit(submitter); });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () { copy(button); });
    });
    document.querySelectorAll("[data-drop]").forEach(dropZone);
    document.querySelectorAll("form[data-live-preview]").forEach(livePreview);
  });
})();
