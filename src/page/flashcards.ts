/* Flashcards: shrink a card's text until it fits the card (never below 6 pt), then signal the build. */
import type { PageGlobal } from './protocol.js';
import { fail, install, ready } from './ready.js';

const sg: PageGlobal<'flashcards'> = install('flashcards', {});

function overflows(box: HTMLElement): boolean {
  return box.scrollHeight > box.clientHeight + 1;
}

/**
 * Every card is laid out on its own (absolutely positioned, at a fixed size), so the cards are
 * shrunk together: each step sets the next size (0.5 pt smaller) of every card still too full,
 * and one layout measures them all (the same sizes as card by card). One layout per card and
 * step was 2,800 layouts for 960 cards, each slower the more cards the page holds: the cost
 * grew with the square of the cards.
 */
function fit(): void {
  const boxes = Array.from(document.querySelectorAll<HTMLElement>('.card-text'));
  const sizes = boxes.map((box) => parseFloat(getComputedStyle(box).fontSize) * 0.75);
  let full = boxes.map((_, i) => i).filter((i) => overflows(boxes[i]!) && sizes[i]! > 6);
  const shrunk = full.length;
  while (full.length > 0) {
    full.forEach((i) => {
      sizes[i] = sizes[i]! - 0.5;
      boxes[i]!.style.fontSize = sizes[i] + 'pt';
    });
    full = full.filter((i) => overflows(boxes[i]!) && sizes[i]! > 6);
  }
  ready(sg, { shrunk: shrunk });
}
(document.fonts ? document.fonts.ready : Promise.resolve()).then(fit).catch(fail);
