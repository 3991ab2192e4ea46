// Small behaviours every page shares, kept out of the HTML so the Content-Security-Policy can
// forbid inline scripts: selects that submit their form, selects that fill a text box, chat
// logs that stay scrolled to the newest message.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
    var fill = target.getAttribute("data-fill-target");
    if (fill) {
      var box = document.getElementById(fill);
      if (box) box.value = target.value;
    }
  });

  function scrollChatLogs(root) {
    (root || document).querySelectorAll(".chat-log").forEach(function (log) {
      log.scrollTop = log.scrollHeight;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { scrollChatLogs(); });
  document.addEventListener("htmx:afterSwap", function (event) { scrollChatLogs(event.target); });
})();
