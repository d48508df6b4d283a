/* Handouts: speaker notes move from each slide (where they are hidden) to the space under it. */
import type { PageGlobal } from './protocol.js';
import { install, ready } from './ready.js';

const sg: PageGlobal<'handout'> = install('handout', {});
const cells = document.querySelectorAll('.hd-cell');
cells.forEach((cell) => {
  const notes = cell.querySelector('aside.notes');
  const target = cell.querySelector('.hd-notes');
  if (notes && target) target.append(...Array.from(notes.childNodes));
});
ready(sg, { cells: cells.length });
