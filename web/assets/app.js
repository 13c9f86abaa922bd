// Optional enhancements only: every page and form works without this file.
(function () {
  'use strict';
  // The server writes dates in the viewer's time zone: tell it the browser's.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf('tz=' + encodeURIComponent(zone)) === -1) {
      document.cookie =
        'tz=' +
        encodeURIComponent(zone) +
        '; path=/; max-age=31536000; samesite=lax' +
        (location.protocol === 'https:' ? '; secure' : '');
    }
    document.querySelectorAll('input[type=hidden][name=timeZone]').forEach(function (input) {
      if (!input.value && zone) input.value = zone;
    });
  } catch {
    // An old browser: dates stay in UTC, labelled so.
  }

  document.addEventListener('DOMContentLoaded', function () {
    // After a refused post, move focus to the list of what to fix.
    var summary = document.querySelector('.error-summary');
    if (summary) summary.focus();
    // The posting form states the hourly fair-pay floor: show what it comes to for the hours typed
    // (the API decides; this only says the number before they send).
    var floor = document.querySelector('[data-floor-cents-per-hour]');
    var hours = document.getElementById('f-estimatedHours');
    if (floor && hours) {
      var perHour = Number(floor.getAttribute('data-floor-cents-per-hour'));
      var showFloor = function () {
        var h = Number(hours.value);
        floor.textContent =
          h > 0 && Math.floor(h) === h
            ? 'For ' + h + ' hours, the fee must be at least $' + ((h * perHour) / 100).toFixed(2) + '.'
            : '';
      };
      hours.addEventListener('input', showFloor);
      showFloor();
    }
    // A second click while the first submit is on its way sends nothing (the server would act once anyway).
    document.querySelectorAll('form[method=post]').forEach(function (form) {
      form.addEventListener('submit', function () {
        if (form.dataset.sent) return;
        form.dataset.sent = 'yes';
        setTimeout(function () {
          form.querySelectorAll('button[type=submit]').forEach(function (b) {
            b.setAttribute('aria-disabled', 'true');
            b.disabled = true;
          });
        }, 0);
      });
    });
  });
})();
