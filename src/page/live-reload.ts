/*
 * Live reload, added to pages served by `studyguide serve` (never written to
 * the outputs). After each rebuild the page reloads; a deck keeps its slide
 * because reveal.js keeps it in the URL hash (#/topic-slug), and the speaker
 * view reconnects by itself. A failed build shows a banner instead.
 */
import type { RevealIndices } from './reveal.js';

declare global {
  interface Window {
    /**
     * The page's one event stream, as events that outlive a reconnection: follow mode
     * (`studyguide present`) listens on it for `position` and `pointer`, the live quiz for `hello` and `quiz` (a `MessageEvent` each).
     */
    studyguideEvents?: EventTarget;
  }
}

/** Where a deck was before a reload (reveal.js's indices), for a deck opened without a hash. */
const SAVED = 'studyguide:indices';
/** Events passed on to the page's other scripts. */
const SHARED = ['position', 'pointer', 'ping', 'hello', 'quiz'];
/** Pings missed before the stream counts as dead (a phone that slept, a network that changed). */
const MISSED_PINGS = 2.5;

/**
 * The server's stream, opened again when its pings stop: a connection a network dropped without
 * closing it never errors, and EventSource would wait on it for ever.
 */
function connect(bus: EventTarget, on: (source: EventSource) => void): void {
  let source: EventSource;
  let watchdog = 0;
  const open = () => {
    source = new EventSource('/__studyguide/events');
    for (const type of SHARED)
      source.addEventListener(type, (event) => bus.dispatchEvent(new MessageEvent(type, { data: (event as MessageEvent<string>).data })));
    source.addEventListener('ping', (event) => {
      const interval = Number((event as MessageEvent<string>).data);
      clearTimeout(watchdog);
      if (interval > 0)
        watchdog = window.setTimeout(() => {
          source.close();
          open();
        }, interval * MISSED_PINGS);
    });
    on(source);
  };
  open();
}

function start(): void {
  if (typeof EventSource !== 'function') return;
  const bus = new EventTarget();
  window.studyguideEvents = bus;
  connect(bus, (source) => listen(source));
}

let banner: HTMLPreElement | null = null;

function listen(source: EventSource): void {
  source.addEventListener('reload', () => {
    const Reveal = window.Reveal;
    if (Reveal?.isReady?.()) {
      try {
        sessionStorage.setItem(SAVED, JSON.stringify(Reveal.getIndices()));
      } catch {
        // Storage refused (private mode): the deck reloads at its hash.
      }
    }
    location.reload();
  });
  source.addEventListener('failed', (event) => {
    if (!banner) {
      banner = document.createElement('pre');
      banner.setAttribute('role', 'alert');
      banner.style.cssText =
        'position:fixed;left:0;right:0;bottom:0;margin:0;padding:8px 12px;z-index:99999;background:#8b0000;color:#fff;font:13px/1.4 monospace;white-space:pre-wrap';
      document.body.appendChild(banner);
    }
    banner.textContent = 'studyguide: build failed\n' + (event as MessageEvent<string>).data;
  });
}

function restore(): void {
  // Without a hash (a deck opened at its start), restore the slide saved before the reload.
  window.addEventListener('load', () => {
    let saved: RevealIndices | null = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(SAVED) ?? 'null') as RevealIndices | null;
      sessionStorage.removeItem(SAVED);
    } catch {
      // Nothing saved, or storage refused.
    }
    const Reveal = window.Reveal;
    // A deck that follows a presenter goes where the presenter is (src/page/follow.ts), not where it was.
    const follows = document.documentElement.hasAttribute('data-sg-audience');
    if (saved && Reveal && !follows && !location.hash.replace(/^#\/?/, '')) {
      const { h, v, f } = saved;
      const back = () => Reveal.slide(h, v, f);
      // reveal.js may be ready before the page's load event (or after it).
      if (Reveal.isReady?.()) back();
      else Reveal.on('ready', back);
    }
  });
}

start();
restore();
