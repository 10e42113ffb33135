/* smtp-sim embed host script: sizes smtp-sim iframes to their content.
 *
 * Include it once on the page that embeds smtp-sim (any origin):
 *   <script src="https://…/smtp-sim/www/embed.js" async></script>
 *
 * Protocol (docs/embed.md): the embedded player posts
 *   {type: "smtp-sim:resize", height: <CSS pixels>}
 * to its parent window whenever its height changes. This script accepts such a message only
 * from an <iframe> of this page whose contentWindow sent it (event.source) and whose src has
 * the sender's origin (event.origin), and only a finite height, capped at 20000 px. It reads
 * nothing else from the message and sends nothing back. No dependencies, no globals.
 */
(function () {
  "use strict";
  var TYPE = "smtp-sim:resize";
  var MAX = 20000;

  function originOf(src) {
    try {
      return new URL(src, document.baseURI).origin;
    } catch (e) {
      return null;
    }
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || data.type !== TYPE) return;
    var height = Number(data.height);
    if (!isFinite(height) || height <= 0) return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source) continue;
      if (originOf(frame.src) !== event.origin) return;
      frame.style.height = Math.ceil(Math.min(height, MAX)) + "px";
      frame.setAttribute("data-smtp-sim-height", String(Math.ceil(Math.min(height, MAX))));
      return;
    }
  });
})();
