/*
 * Live reload, added to pages served by `studyguide serve` (never written to
 * the outputs). After each rebuild the page reloads; a deck keeps its slide
 * because reveal.js keeps it in the URL hash (#/topic-slug), and the speaker
 * view reconnects by itself. A failed build shows a banner instead.
 */
(function () {
  'use strict';
  if (!window.EventSource) return;
  var source = new EventSource('/__studyguide/events');
  // Follow mode (`studyguide present`) listens on the same stream.
  window.studyguideEvents = source;
  var banner = null;
  source.addEventListener('reload', function () {
    if (window.Reveal && window.Reveal.isReady && window.Reveal.isReady()) {
      try {
        sessionStorage.setItem('studyguide:indices', JSON.stringify(window.Reveal.getIndices()));
      } catch (e) {}
    }
    location.reload();
  });
  source.addEventListener('failed', function (event) {
    if (!banner) {
      banner = document.createElement('pre');
      banner.setAttribute('role', 'alert');
      banner.style.cssText = 'position:fixed;left:0;right:0;bottom:0;margin:0;padding:8px 12px;z-index:99999;background:#8b0000;color:#fff;font:13px/1.4 monospace;white-space:pre-wrap';
      document.body.appendChild(banner);
    }
    banner.textContent = 'studyguide: build failed\n' + event.data;
  });
  // Without a hash (a deck opened at its start), restore the slide saved before the reload.
  window.addEventListener('load', function () {
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem('studyguide:indices') || 'null');
      sessionStorage.removeItem('studyguide:indices');
    } catch (e) {}
    if (saved && window.Reveal && !location.hash.replace(/^#\/?/, '')) {
      var restore = function () {
        window.Reveal.slide(saved.h, saved.v, saved.f);
      };
      // reveal.js may be ready before the page's load event (or after it).
      if (window.Reveal.isReady && window.Reveal.isReady()) restore();
      else window.Reveal.on('ready', restore);
    }
  });
})();
