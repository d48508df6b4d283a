/*
 * Follow mode, added to the decks served by `studyguide present` (never written
 * to the outputs). The deck opened with ?presenter=TOKEN posts where it is;
 * every other deck follows it (slides, fragments, another deck), until its
 * reader moves on their own ("free"); F or the badge follows again. The
 * speaker view's frames and any deck in a frame do nothing.
 */
(function () {
  'use strict';
  if (!window.Reveal || !window.EventSource || !window.fetch || window.top !== window || /receiver/.test(location.search)) return;
  var KEY = 'studyguide:presenter';
  var token = new URLSearchParams(location.search).get('presenter');
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else token = sessionStorage.getItem(KEY);
  } catch (e) {}
  var deck = location.pathname;
  var badge = document.createElement('button');
  badge.type = 'button';
  badge.className = 'sg-follow';
  badge.style.cssText =
    'position:fixed;top:8px;right:8px;z-index:99999;font:12px/1.2 sans-serif;padding:4px 8px;border:1px solid rgba(128,128,128,.6);border-radius:12px;background:rgba(255,255,255,.85);color:#222;cursor:pointer';
  document.body.appendChild(badge);

  function whenReady(fn) {
    if (Reveal.isReady()) fn();
    else Reveal.on('ready', fn);
  }
  function indices() {
    var i = Reveal.getIndices();
    // Fragments as reveal.js counts them (-1: none shown) plus one: never negative on the wire.
    return { deck: deck, h: i.h, v: i.v || 0, f: typeof i.f === 'number' ? i.f + 1 : 0 };
  }

  function present() {
    badge.textContent = 'presenting · pass on';
    badge.setAttribute('data-state', 'presenting');
    var post = function () {
      fetch('/__studyguide/move', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-studyguide-token': token },
        body: JSON.stringify(indices()),
      }).then(function (response) {
        if (response.status === 403) stop('This presenter link no longer works.');
      });
    };
    ['slidechanged', 'fragmentshown', 'fragmenthidden'].forEach(function (event) {
      Reveal.on(event, post);
    });
    whenReady(post);
    badge.onclick = function () {
      fetch('/__studyguide/pass', { method: 'POST', headers: { 'x-studyguide-token': token } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (passed) {
          if (!passed) return;
          var link = location.origin + deck + '?presenter=' + encodeURIComponent(passed.token);
          badge.setAttribute('data-passed', link);
          stop('Control passed on. Give this link to the next presenter:\n' + link);
        });
    };
  }
  function stop(message) {
    try {
      sessionStorage.removeItem(KEY);
    } catch (e) {}
    window.prompt(message.split('\n')[0], message.split('\n')[1] || '');
    location.replace(deck + location.hash);
  }

  function follow() {
    var following = true;
    var applying = false;
    var last = null;
    var go = function (p) {
      if (p.deck !== deck) {
        location.href = p.deck;
        return;
      }
      whenReady(function () {
        applying = true;
        try {
          Reveal.slide(p.h, p.v, p.f - 1);
        } finally {
          applying = false;
        }
      });
    };
    var set = function (on) {
      following = on;
      badge.textContent = on ? 'following' : 'free · F follows';
      badge.setAttribute('data-state', on ? 'following' : 'free');
      if (on && last) go(last);
    };
    // The live-reload script's stream carries the moves too (one connection a page).
    var source = window.studyguideEvents || new EventSource('/__studyguide/events');
    source.addEventListener('position', function (event) {
      last = JSON.parse(event.data);
      if (following) go(last);
    });
    ['slidechanged', 'fragmentshown', 'fragmenthidden'].forEach(function (event) {
      Reveal.on(event, function () {
        if (!applying && following) set(false);
      });
    });
    badge.onclick = function () {
      set(!following);
    };
    // F (reveal.js's fullscreen key) follows again.
    whenReady(function () {
      Reveal.addKeyBinding({ keyCode: 70, key: 'F', description: 'follow the presenter' }, function () {
        set(true);
      });
    });
    set(true);
  }

  if (token) present();
  else follow();
})();
