// Optional enhancements. Every page works without this file.
(function () {
  'use strict';

  // Move focus to the error summary so screen readers announce it and keyboard users start there.
  var summary = document.querySelector('[data-error-summary]');
  if (summary) summary.focus();

  // Links in the summary focus their field, not just scroll to it.
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('.error-summary a[href^="#"]');
    if (!link) return;
    var field = document.getElementById(link.getAttribute('href').slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    var group = field.closest('.field');
    if (group) group.scrollIntoView({ block: 'center' });
  });

  // "You have N characters left" under a box with a limit (GOV.UK's character count). Without this
  // script the limit is stated under the box and an over-long text is refused with a message. The
  // words come from the page (data attributes), so they are translated with it. The visible count
  // follows every keystroke but is hidden from screen readers; a polite live region says the same a
  // second after typing stops, so a screen reader is not interrupted at every letter.
  document.querySelectorAll('[data-character-count]').forEach(function (field) {
    var box = field.querySelector('textarea');
    var info = field.querySelector('[data-character-count-info]');
    var max = Number(info && info.getAttribute('data-max'));
    if (!box || !info || !max) return;
    var number = new Intl.NumberFormat(document.documentElement.lang || 'en');
    var visible = document.createElement('p');
    visible.className = info.className;
    visible.setAttribute('aria-hidden', 'true');
    var spoken = document.createElement('p');
    spoken.className = 'visually-hidden';
    spoken.setAttribute('aria-live', 'polite');
    function message() {
      var left = max - box.value.length;
      var key = left >= 0 ? (left === 1 ? 'leftOne' : 'left') : left === -1 ? 'overOne' : 'over';
      return {
        over: left < 0,
        text: info.getAttribute('data-' + key).replace('%{count}', number.format(Math.abs(left))),
      };
    }
    function show() {
      var m = message();
      visible.textContent = m.text;
      visible.classList.toggle('character-count-over', m.over);
      field.classList.toggle('field-over-limit', m.over);
      return m.text;
    }
    var timer;
    box.addEventListener('input', function () {
      show();
      clearTimeout(timer);
      timer = setTimeout(function () {
        spoken.textContent = message().text;
      }, 1000);
    });
    // One step, before the browser paints again: the count takes the place of the sentence it replaces,
    // which stays as the box's description for screen readers.
    show();
    info.classList.add('visually-hidden');
    info.parentNode.insertBefore(visible, info.nextSibling);
    info.parentNode.insertBefore(spoken, visible.nextSibling);
  });

  // "Copy link" on the thank-you page.
  var copy = document.querySelector('[data-copy]');
  if (copy && navigator.clipboard) {
    var input = document.getElementById(copy.getAttribute('data-copy'));
    var status = document.querySelector('[data-copy-status]');
    copy.hidden = false;
    copy.addEventListener('click', function () {
      navigator.clipboard.writeText(input.value).then(
        function () {
          status.textContent = copy.getAttribute('data-copied');
        },
        function () {
          input.select();
          status.textContent = copy.getAttribute('data-copy-failed');
        },
      );
    });
  }

  // Stop a double tap on "Sign the letter" from sending the form twice.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = 'true';
  });
  // Coming back with the Back button shows the page from memory: let its form be sent again.
  window.addEventListener('pageshow', function () {
    document.querySelectorAll('form').forEach(function (form) {
      delete form.dataset.sent;
    });
  });
})();
