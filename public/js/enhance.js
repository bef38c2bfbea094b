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

  // "Copy link" on the thank-you page.
  var copy = document.querySelector('[data-copy]');
  if (copy && navigator.clipboard) {
    var input = document.getElementById(copy.getAttribute('data-copy'));
    var status = document.querySelector('[data-copy-status]');
    copy.hidden = false;
    copy.addEventListener('click', function () {
      navigator.clipboard.writeText(input.value).then(
        function () {
          status.textContent = 'Link copied. Paste it anywhere to share.';
        },
        function () {
          input.select();
          status.textContent = 'Select the link and copy it.';
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
