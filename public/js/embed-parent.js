// For a partner's page that shows an Undersigned embed: sizes each embed frame to its content. Load it
// from the petition site itself (<script src="https://…/embed.js" async>); it needs nothing else.
// A height is taken only from a message whose origin is the petition site's (this script's own) and
// whose sender is one of the frames showing it, so no other frame or window can resize anything.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !window.postMessage) return;
  var origin = new URL(script.src, window.location.href).origin;
  window.addEventListener('message', function (event) {
    if (event.origin !== origin) return;
    var data = event.data;
    if (!data || data.type !== 'undersigned:height' || typeof data.height !== 'number') return;
    var frames = document.querySelectorAll('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        // Bounded, so a broken page cannot make the frame absurdly tall.
        frames[i].style.height = Math.max(200, Math.min(Math.round(data.height), 4000)) + 'px';
      }
    }
  });
})();
