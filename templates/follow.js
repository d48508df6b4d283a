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

  var options = window.studyguidePresent || {};
  /** Where the slide is on the screen (reveal.js scales it to fit). */
  function slideBox() {
    return document.querySelector('.reveal .slides').getBoundingClientRect();
  }

  function present() {
    badge.textContent = 'presenting · pass on';
    badge.setAttribute('data-state', 'presenting');
    // --duration: the speaker view's pacing timer (reveal.js's totalTime) counts down the talk.
    if (options.duration) {
      whenReady(function () {
        Reveal.configure({ totalTime: options.duration });
      });
    }
    // The pointer: where the presenter's cursor is on the slide, at most 20 times a second.
    var pointed = 0;
    var point = function (x, y) {
      var i = Reveal.getIndices();
      fetch('/__studyguide/pointer', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-studyguide-token': token },
        body: JSON.stringify({ deck: deck, h: i.h, v: i.v || 0, x: x, y: y }),
      });
    };
    document.addEventListener('mousemove', function (event) {
      var now = Date.now();
      if (now - pointed < 50) return;
      pointed = now;
      var box = slideBox();
      var x = (event.clientX - box.left) / box.width;
      var y = (event.clientY - box.top) / box.height;
      if (x >= 0 && x <= 1 && y >= 0 && y <= 1) point(x, y);
    });
    document.addEventListener('mouseleave', function () {
      point(-1, -1);
    });
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
    // The presenter's pointer: a dot on the same slide, gone after 3 s without a move.
    var dot = document.createElement('div');
    dot.className = 'sg-pointer';
    dot.setAttribute('aria-hidden', 'true');
    dot.style.cssText =
      'position:fixed;z-index:99998;width:16px;height:16px;margin:-8px 0 0 -8px;border-radius:50%;background:rgba(220,30,30,.85);box-shadow:0 0 0 4px rgba(220,30,30,.25);pointer-events:none;display:none';
    document.body.appendChild(dot);
    var hide = 0;
    source.addEventListener('pointer', function (event) {
      var p = JSON.parse(event.data);
      var i = Reveal.getIndices();
      var here = following && p.deck === deck && p.h === i.h && p.v === (i.v || 0) && p.x >= 0;
      dot.style.display = here ? 'block' : 'none';
      if (!here) return;
      var box = slideBox();
      dot.style.left = box.left + p.x * box.width + 'px';
      dot.style.top = box.top + p.y * box.height + 'px';
      clearTimeout(hide);
      hide = setTimeout(function () {
        dot.style.display = 'none';
      }, 3000);
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
