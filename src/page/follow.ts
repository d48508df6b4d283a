/*
 * Follow mode, added to the decks served by `studyguide present` (never written
 * to the outputs). The deck opened with ?presenter=TOKEN posts where it is;
 * every other deck follows it (slides, fragments, another deck), until its
 * reader moves on their own ("free"); F or the badge follows again. On a phone
 * the audience reads the slide in a reading view (reading.ts). The speaker
 * view's frames and any deck in a frame do nothing.
 */
import css from './follow.css';
import type { Pointer, Position, PresentSettings } from './protocol.js';
import { startQuiz } from './quiz.js';
import { readingView, touchScreen, type ReadingView } from './reading.js';
import type { RevealApi } from './reveal.js';

declare global {
  interface Window {
    studyguidePresent?: PresentSettings;
  }
}

/** The presenter's token, kept for the tab: the deck's own links (another deck) lose the query. */
const KEY = 'studyguide:presenter';
/** reveal.js's events for a move: a slide, or a fragment shown or hidden. */
const MOVES = ['slidechanged', 'fragmentshown', 'fragmenthidden'];

function start(Reveal: RevealApi): void {
  let token = new URLSearchParams(location.search).get('presenter');
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else token = sessionStorage.getItem(KEY);
  } catch {
    // Storage refused: the presenter keeps the query in the link.
  }
  const deck = location.pathname;
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);
  const badge = document.createElement('button');
  badge.type = 'button';
  badge.className = 'sg-follow';
  document.body.appendChild(badge);

  const whenReady = (fn: () => void) => {
    if (Reveal.isReady()) fn();
    else Reveal.on('ready', fn);
  };
  const indices = (): Position => {
    const i = Reveal.getIndices();
    // Fragments as reveal.js counts them (-1: none shown) plus one: never negative on the wire.
    return { deck, h: i.h, v: i.v || 0, f: typeof i.f === 'number' ? i.f + 1 : 0 };
  };
  const options = window.studyguidePresent ?? { duration: null, quiz: false };
  /** Where the slide is on the screen (reveal.js scales it to fit). */
  const slideBox = () => document.querySelector('.reveal .slides')!.getBoundingClientRect();

  const stop = (message: string) => {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // Nothing kept.
    }
    const [first, second] = message.split('\n');
    window.prompt(first, second ?? '');
    location.replace(deck + location.hash);
  };

  /** The presenter's deck: posts its moves. Returns its POST (with the token). */
  const present = (token: string) => {
    const send = (pathname: string, body?: unknown) =>
      fetch(pathname, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-studyguide-token': token },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    badge.textContent = 'presenting · pass on';
    badge.setAttribute('data-state', 'presenting');
    // --duration: the speaker view's pacing timer (reveal.js's totalTime) counts down the talk.
    const duration = options.duration;
    if (duration) whenReady(() => Reveal.configure({ totalTime: duration }));
    // The pointer: where the presenter's cursor is on the slide, at most 20 times a second.
    let pointed = 0;
    const point = (x: number, y: number) => {
      const i = Reveal.getIndices();
      void send('/__studyguide/pointer', { deck, h: i.h, v: i.v || 0, x, y } satisfies Pointer);
    };
    document.addEventListener('mousemove', (event) => {
      const now = Date.now();
      if (now - pointed < 50) return;
      pointed = now;
      const box = slideBox();
      const x = (event.clientX - box.left) / box.width;
      const y = (event.clientY - box.top) / box.height;
      if (x >= 0 && x <= 1 && y >= 0 && y <= 1) point(x, y);
    });
    document.addEventListener('mouseleave', () => point(-1, -1));
    const post = () => {
      void send('/__studyguide/move', indices()).then((response) => {
        if (response.status === 403) stop('This presenter link no longer works.');
      });
    };
    for (const event of MOVES) Reveal.on(event, post);
    whenReady(post);
    badge.onclick = () => {
      void send('/__studyguide/pass')
        .then((response) => (response.ok ? (response.json() as Promise<{ token: string }>) : null))
        .then((passed) => {
          if (!passed) return;
          const link = location.origin + deck + '?presenter=' + encodeURIComponent(passed.token);
          badge.setAttribute('data-passed', link);
          stop('Control passed on. Give this link to the next presenter:\n' + link);
        });
    };
    return send;
  };

  /** An audience deck: follows the presenter's. Returns its reading view. */
  const follow = (): ReadingView => {
    // reveal.js's scroll view (on by itself below 435 px) moves the deck as the page scrolls: a following deck never
    // uses it. 0, not null: reveal.js may have turned it on already (it starts as soon as its plugins are in), and
    // only a width that it checks, and that no screen is under, turns it off.
    Reveal.configure({ scrollActivationWidth: 0 });
    // Live reload leaves this deck's place to follow mode (src/page/live-reload.ts).
    document.documentElement.setAttribute('data-sg-audience', '');
    const reading = readingView(Reveal, deck, badge);
    let following = true;
    let applying = false;
    let last: Position | null = null;
    const go = (p: Position) => {
      if (p.deck !== deck) {
        location.href = p.deck;
        return;
      }
      whenReady(() => {
        applying = true;
        try {
          Reveal.slide(p.h, p.v, p.f - 1);
        } finally {
          applying = false;
        }
      });
    };
    const set = (on: boolean) => {
      following = on;
      // A touch screen has no F key: the badge is the button.
      badge.textContent = on ? 'following' : touchScreen() ? 'Follow' : 'free · F follows';
      badge.setAttribute('data-state', on ? 'following' : 'free');
      if (on && last) go(last);
    };
    // The live-reload script's stream carries the moves too (one connection a page), and reconnects when it goes quiet.
    const source: EventTarget = window.studyguideEvents ?? new EventSource('/__studyguide/events');
    source.addEventListener('position', (event) => {
      last = JSON.parse((event as MessageEvent<string>).data) as Position;
      if (following) go(last);
    });
    // The presenter's pointer: a dot on the same slide, gone after 3 s without a move.
    const dot = document.createElement('div');
    dot.className = 'sg-pointer';
    dot.setAttribute('aria-hidden', 'true');
    document.body.appendChild(dot);
    let hide = 0;
    source.addEventListener('pointer', (event) => {
      const p = JSON.parse((event as MessageEvent<string>).data) as Pointer;
      const i = Reveal.getIndices();
      // The reflowed slide has no place that matches the presenter's: no dot in the reading view.
      const here = following && !reading.active() && p.deck === deck && p.h === i.h && p.v === (i.v || 0) && p.x >= 0;
      dot.style.display = here ? 'block' : 'none';
      if (!here) return;
      const box = slideBox();
      dot.style.left = box.left + p.x * box.width + 'px';
      dot.style.top = box.top + p.y * box.height + 'px';
      clearTimeout(hide);
      hide = window.setTimeout(() => (dot.style.display = 'none'), 3000);
    });
    for (const event of MOVES)
      Reveal.on(event, () => {
        if (!applying && following) set(false);
      });
    badge.onclick = () => set(!following);
    // F (reveal.js's fullscreen key) follows again.
    whenReady(() => Reveal.addKeyBinding({ keyCode: 70, key: 'F', description: 'follow the presenter' }, () => set(true)));
    set(true);
    return reading;
  };

  const send = token ? present(token) : null;
  const reading = token ? null : follow();
  // --quiz, on a deck with quiz slides: the live quiz.
  const events = window.studyguideEvents;
  if (options.quiz && events && document.querySelector('.reveal .slides [data-sg-card]'))
    startQuiz({ Reveal, presenter: send && ((pathname, body) => send(pathname, body)), reading, events });
}

const Reveal = window.Reveal;
if (
  Reveal &&
  typeof EventSource === 'function' &&
  typeof fetch === 'function' &&
  window.top === window &&
  !/receiver/.test(location.search)
)
  start(Reveal);
