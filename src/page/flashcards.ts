/* Flashcards: shrink a card's text until it fits the card (never below 6 pt), then signal the build. */
import type { PageGlobal } from './protocol.js';
import { fail, install, ready } from './ready.js';

const sg: PageGlobal<'flashcards'> = install('flashcards', {});

function fit(): void {
  let shrunk = 0;
  document.querySelectorAll<HTMLElement>('.card-text').forEach((box) => {
    let size = parseFloat(getComputedStyle(box).fontSize) * 0.75;
    if (box.scrollHeight > box.clientHeight + 1 && size > 6) shrunk++;
    while (box.scrollHeight > box.clientHeight + 1 && size > 6) {
      size -= 0.5;
      box.style.fontSize = size + 'pt';
    }
  });
  ready(sg, { shrunk: shrunk });
}
(document.fonts ? document.fonts.ready : Promise.resolve()).then(fit).catch(fail);
