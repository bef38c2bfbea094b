// Inside a partner's iframe: tells the partner's page how tall this page is, so public/js/embed-parent.js
// there can size the frame to fit. Only the origins the campaign lists (embed_origins) are told: a
// message is addressed to one origin at a time and the browser delivers it only if that is the parent.
(function () {
  'use strict';
  if (window.parent === window) return;
  var origins = (document.body.getAttribute('data-embed-origins') || '').split(' ').filter(Boolean);
  if (!origins.length) return;
  // Chromium and Safari say which origin framed us; elsewhere each listed origin is tried.
  var ancestors = window.location.ancestorOrigins;
  if (ancestors && ancestors.length) {
    origins = origins.filter(function (o) {
      return o === ancestors[0];
    });
  }
  var last = 0;
  function tell() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    origins.forEach(function (origin) {
      window.parent.postMessage({ type: 'undersigned:height', height: height }, origin);
    });
  }
  if (window.ResizeObserver) new ResizeObserver(tell).observe(document.documentElement);
  window.addEventListener('load', tell);
  tell();
})();
