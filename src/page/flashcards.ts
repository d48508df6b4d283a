/* Flashcards: shrink a card's text until it fits the card (never below 6 pt), then signal the build. */
import type { PageGlobal } from './protocol.js';
import { fail, install, ready } from './ready.js';

const sg: PageGlobal<'flashcards'> = install('flashcards', {});

function overflows(box: HTMLElement): boolean {
  return box.scrollHeight > box.clientHeight + 1;
}

/** The smallest size a card's text is shrunk to, in points; shrinking goes by half points. */
const FLOOR_PT = 6;
const STEP_PT = 0.5;

/**
 * Each card's text at the largest size that fits its card: its own size, or that less a number
 * of half points, down to 6 pt (where it stays, fitting or not). Every card is laid out on its
 * own (absolutely positioned, at a fixed size), so all cards are searched together: each round
 * tries one size for every card still searching (the middle of what is left, as text grows with
 * its size) and one layout measures them all. Trying every half point card by card was 2,800
 * layouts for 960 cards; a half point at a time for all cards, nine layouts of every card.
 */
function fit(): void {
  const boxes = Array.from(document.querySelectorAll<HTMLElement>('.card-text'));
  const start = boxes.map((box) => parseFloat(getComputedStyle(box).fontSize) * 0.75);
  // Per box, in half points below its size: `low` overflows, `high` is the answer so far.
  const search = boxes
    .map((box, i) => ({ box, start: start[i]!, low: 0, high: Math.ceil((start[i]! - FLOOR_PT) / STEP_PT - 1e-9) }))
    .filter((s) => s.start > FLOOR_PT && overflows(s.box));
  const size = (s: (typeof search)[number], steps: number) => s.start - steps * STEP_PT + 'pt';
  let open = search.filter((s) => s.high - s.low > 1);
  while (open.length > 0) {
    const middles = open.map((s) => {
      const middle = (s.low + s.high) >> 1;
      s.box.style.fontSize = size(s, middle);
      return middle;
    });
    open.forEach((s, i) => {
      if (overflows(s.box)) s.low = middles[i]!;
      else s.high = middles[i]!;
    });
    open = open.filter((s) => s.high - s.low > 1);
  }
  search.forEach((s) => {
    s.box.style.fontSize = size(s, s.high);
  });
  ready(sg, { shrunk: search.length });
}
(document.fonts ? document.fonts.ready : Promise.resolve()).then(fit).catch(fail);
