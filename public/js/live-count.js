// The campaign page's count, kept current while the page is open. Optional: without this file the
// page shows the count it was drawn with, and nothing else changes.
//
// It asks the campaign's public JSON (the page's <link rel="alternate" type="application/json">):
// never sooner than the JSON's own max-age, revalidating with its ETag (the browser sends
// If-None-Match from its cache, and the answer is usually a 304 with no body); a little later each
// time nothing has changed, much later after a failure (or when told by Retry-After), and not at all
// while the tab is hidden. Screen readers hear the new count through a polite live region, at most
// once every 30 seconds. The words come from the page (data attributes), so they are in its language.
(function () {
  'use strict';

  var root = document.querySelector('[data-live-count]');
  var link = document.querySelector('link[rel="alternate"][type="application/json"]');
  if (!root || !link || !window.fetch) return;

  var FIRST_MS = 15000;
  var MOST_MS = 120000;
  var FAILED_MOST_MS = 300000;
  var ANNOUNCE_EVERY_MS = 30000;

  var lang = document.documentElement.lang || 'en';
  var numbers = new Intl.NumberFormat(lang);
  var plurals = new Intl.PluralRules(lang);
  var goal = Number(root.getAttribute('data-goal'));
  var count = Number(root.getAttribute('data-count'));
  var bar = root.querySelector('progress');
  var label = root.querySelector('[data-live-label]');
  var note = root.querySelector('[data-live-note]');
  var signed = document.querySelector('[data-live-signed]');

  // Present (and empty) from the start, so screen readers are listening when it first speaks.
  var spoken = document.createElement('p');
  spoken.className = 'visually-hidden';
  spoken.setAttribute('aria-live', 'polite');
  root.appendChild(spoken);

  /** The element's template for this number ("data-one", "data-other", "data-many"), filled. */
  function words(element, prefix, n, values) {
    var form = element.getAttribute(prefix + plurals.select(n)) || element.getAttribute(prefix + 'other') || '';
    return form.replace(/%\{(\w+)\}/g, function (whole, name) {
      return name in values ? values[name] : whole;
    });
  }

  function show(n) {
    var values = { count: numbers.format(n), percent: numbers.format(Math.min(100, Math.floor((n / goal) * 100))) };
    values.left = numbers.format(Math.max(0, goal - n));
    // The label's templates are HTML written by our own server (the number in <strong>); only digits go in.
    if (label) label.innerHTML = words(label, 'data-', n, values);
    if (bar) bar.value = Math.min(n, goal);
    if (note) {
      var key =
        n >= goal ? 'data-reached' : Math.floor((n / goal) * 100) === 0 && n > 0 ? 'data-under-one' : 'data-to-go';
      note.textContent = (note.getAttribute(key) || '').replace(/%\{(\w+)\}/g, function (whole, name) {
        return name in values ? values[name] : whole;
      });
    }
    if (signed && n > 0) signed.textContent = words(signed, 'data-', n, values);
  }

  var lastAnnounced = 0;
  var announceTimer;
  function announce() {
    clearTimeout(announceTimer);
    var wait = lastAnnounced + ANNOUNCE_EVERY_MS - Date.now();
    if (wait > 0) {
      announceTimer = setTimeout(announce, wait);
      return;
    }
    lastAnnounced = Date.now();
    spoken.textContent = words(root, 'data-announce-', count, { count: numbers.format(count) });
  }

  var delay = FIRST_MS;
  var timer;
  var due = Date.now() + delay;

  function schedule(ms) {
    clearTimeout(timer);
    delay = ms;
    due = Date.now() + ms;
    if (!document.hidden) timer = setTimeout(check, ms);
  }

  /** Seconds of max-age in a Cache-Control header, or 0. */
  function maxAge(response) {
    var match = /max-age=(\d+)/.exec(response.headers.get('Cache-Control') || '');
    return match ? Number(match[1]) * 1000 : 0;
  }

  function check() {
    fetch(link.href, { cache: 'no-cache', credentials: 'omit', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) {
          var after = Number(response.headers.get('Retry-After')) * 1000;
          schedule(Math.max(after || 0, Math.min(delay * 2, FAILED_MOST_MS)));
          return;
        }
        return response.json().then(function (data) {
          var floor = maxAge(response);
          if (typeof data.signatureCount === 'number' && data.signatureCount !== count) {
            count = data.signatureCount;
            show(count);
            announce();
            schedule(Math.max(FIRST_MS, floor));
          } else {
            schedule(Math.max(floor, Math.min(delay * 1.5, MOST_MS)));
          }
        });
      })
      .catch(function () {
        schedule(Math.min(delay * 2, FAILED_MOST_MS));
      });
  }

  // A hidden tab asks nothing; shown again, it asks at once if its turn has passed.
  document.addEventListener('visibilitychange', function () {
    clearTimeout(timer);
    if (document.hidden) return;
    timer = setTimeout(check, Math.max(0, due - Date.now()));
  });

  schedule(FIRST_MS);
})();
