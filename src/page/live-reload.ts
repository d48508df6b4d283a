/*
 * Live reload, added to pages served by `studyguide serve` (never written to
 * the outputs). After each rebuild the page reloads; a deck keeps its slide
 * because reveal.js keeps it in the URL hash (#/topic-slug), and the speaker
 * view reconnects by itself. A failed build shows a banner instead.
 */
import type { RevealIndices } from './reveal.js';

declare global {
  interface Window {
    /** The page's one event stream: follow mode (`studyguide present`) listens on it too. */
    studyguideEvents?: EventSource;
  }
}

/** Where a deck was before a reload (reveal.js's indices), for a deck opened without a hash. */
const SAVED = 'studyguide:indices';

function start(): void {
  if (typeof EventSource !== 'function') return;
  const source = new EventSource('/__studyguide/events');
  window.studyguideEvents = source;
  let banner: HTMLPreElement | null = null;
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
    if (saved && Reveal && !location.hash.replace(/^#\/?/, '')) {
      const { h, v, f } = saved;
      const restore = () => Reveal.slide(h, v, f);
      // reveal.js may be ready before the page's load event (or after it).
      if (Reveal.isReady?.()) restore();
      else Reveal.on('ready', restore);
    }
  });
}

start();
