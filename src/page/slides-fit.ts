/*
 * Build-time slide fitter. Every slide of the deck is laid out at the deck's
 * size; a slide taller than the deck is split at block boundaries into
 * continuation slides "Title (2/3)" (lists between items, tables between
 * rows, code between lines, paragraphs between words), and a single block that
 * cannot be split, or is too wide, is scaled down. Never clipped.
 * The result, keyed by slide, is read back by the build and written to disk.
 */
import type { FittedSlides, PageGlobal } from './protocol.js';
import { fail, install, readConfig, ready } from './ready.js';
import { loadKatexFaces, shrinkToFit, split, tooBigToTry, wrapWideFormulas } from './split.js';

const sg: PageGlobal<'slides-fit'> = install('slides-fit', {});
const config = readConfig<'slides-fit'>();
const H = config.height - config.safety;
const W = config.width;

function fitsSection(section: HTMLElement): boolean {
  return section.scrollHeight <= H && section.scrollWidth <= W + 1;
}
function isHeader(node: Element): boolean {
  return node.matches('.sg-title, .sg-crumbs, h1.sg-title, .sg-sub');
}

function fit(section: HTMLElement): HTMLElement[] {
  const notes = section.querySelector(':scope > aside.notes');
  // A display formula wider than the slide wraps (set inline) before anything is split or scaled.
  wrapWideFormulas(section);
  if (fitsSection(section)) {
    study([section]);
    return [section];
  }
  if (notes) notes.remove();
  const children = Array.from(section.children) as HTMLElement[];
  const header = children.filter(isHeader);
  const queue = children.filter((c) => !isHeader(c));
  let parts: HTMLElement[] = [];
  // Null until the first part is made, just below.
  let cur = null as unknown as HTMLElement;
  function newPart(): HTMLElement {
    // A finished part stops being laid out: measuring the next one then costs the same
    // whether it is the 2nd or the 1,600th part (a 10,000-item list).
    if (cur) cur.classList.remove('sg-measuring');
    cur = section.cloneNode(false) as HTMLElement;
    cur.classList.add('sg-measuring');
    if (parts.length > 0) {
      cur.removeAttribute('id');
      cur.classList.add('sg-cont');
    }
    header.forEach((h) => {
      cur.append(h.cloneNode(true));
    });
    section.parentNode!.insertBefore(cur, section);
    parts.push(cur);
    return cur;
  }
  newPart();
  // What is still to place stays in the original slide: hidden, it is not laid out again
  // with every measurement (a 10,000-item list took 24 ms a slide while it was).
  section.classList.remove('sg-measuring');
  const headerCount = header.length;
  while (queue.length > 0) {
    const block = queue.shift()!;
    const huge = tooBigToTry(block);
    if (!huge) {
      cur.append(block);
      if (fitsSection(cur)) continue;
      block.remove();
    }
    // On a slide, a block that fits a slide of its own moves there whole (easier to read
    // than a paragraph cut mid-way); only lists are split to fill the slide.
    const alone = cur.children.length <= headerCount;
    const isList = block.tagName === 'UL' || block.tagName === 'OL';
    if (!alone && !isList && !huge) {
      newPart();
      queue.unshift(block);
      continue;
    }
    const target = cur;
    const pieces = split(block, (node) => {
      target.append(node);
      const ok = fitsSection(target);
      node.remove();
      return ok;
    });
    if (pieces) {
      cur.append(pieces[0]);
      queue.unshift(pieces[1]);
      newPart();
      continue;
    }
    if (cur.children.length > headerCount) {
      newPart();
      queue.unshift(block);
      continue;
    }
    // Alone on a slide and still too big: scale it to the room left.
    cur.append(block);
    shrinkToFit(block, H - block.offsetTop, W);
  }
  // A part left holding only the header (the split ended exactly at a slide's end) is dropped.
  parts = parts.filter((p, i) => {
    if (i > 0 && p.children.length <= headerCount) {
      p.remove();
      return false;
    }
    return true;
  });
  section.remove();
  if (parts.length > 1) {
    parts.forEach((p, i) => {
      const title = p.querySelector('.sg-title');
      if (title) {
        const mark = document.createElement('span');
        mark.className = 'sg-part';
        mark.textContent = ' (' + (i + 1) + '/' + parts.length + ')';
        title.append(mark);
      }
    });
  }
  if (notes) parts[0]!.append(notes);
  study(parts);
  // Wide content that wraps no further (a 12-column table, a long unbroken line): scale it.
  parts.forEach((p) => {
    p.classList.add('sg-measuring');
    (Array.from(p.children) as HTMLElement[]).forEach((child) => {
      if (child.scrollWidth > p.clientWidth + 1 || child.getBoundingClientRect().right > p.getBoundingClientRect().right + 1) {
        shrinkToFit(child, Infinity, p.clientWidth);
      }
    });
    p.classList.remove('sg-measuring');
  });
  return parts;
}

/**
 * Study-group behaviour: a section whose heading asks a question shows the
 * question first and the answer as one fragment; with `fragments`, list
 * items appear one by one.
 */
function study(parts: HTMLElement[]): void {
  const first = parts[0]!;
  const title = first.querySelector('.sg-title');
  const question =
    first.classList.contains('sg-content') &&
    title &&
    /\?\s*$/.test(title.firstChild ? title.textContent!.replace(/\s*\(\d+\/\d+\)$/, '') : '');
  const answer = question ? Array.from(first.children).filter((c) => !isHeader(c) && c.tagName !== 'ASIDE') : [];
  answer.forEach((block) => {
    block.classList.add('fragment', 'sg-answer');
    block.setAttribute('data-fragment-index', '0');
  });
  // What the notes hide (a folded callout's body, a details answer) opens on the next key press;
  // it was measured open, so the slide fits either way.
  parts.forEach((part) => {
    part.querySelectorAll('.callout-folded > .callout-body, .sg-details > .sg-details-body').forEach((body) => {
      body.classList.add('fragment');
    });
  });
  if (!config.fragments) return;
  parts.forEach((part) => {
    if (part === first && answer.length) return;
    part.querySelectorAll(':scope > ul > li, :scope > ol > li').forEach((li) => {
      li.classList.add('fragment');
    });
  });
}

function run(): void {
  const result: FittedSlides = {};
  const overflowing: string[] = [];
  // One slide in the document at a time, in a fresh container: Chromium keeps a cost per child
  // a container ever had, so measuring in the one that held all 10,000 slides of 5,000 notes
  // took 4 ms a slide, against 0.4 ms in a new one (70 s against 7 s).
  const sections = Array.from(document.querySelectorAll<HTMLElement>('.slides > section'));
  const old = document.querySelector('.slides')!;
  const container = old.cloneNode(false) as HTMLElement;
  old.replaceWith(container);
  sections.forEach((section) => {
    const key = section.getAttribute('data-key')!;
    container.append(section);
    section.classList.add('sg-measuring'); // its parts inherit the class while they are filled
    const parts = fit(section);
    result[key] = parts.map((p) => {
      p.removeAttribute('data-key');
      p.classList.add('sg-measuring');
      if (!fitsSection(p)) overflowing.push(key);
      p.classList.remove('sg-measuring');
      return p.outerHTML;
    });
    parts.forEach((p) => {
      p.remove();
    });
  });
  ready(sg, { slides: result, overflowing: overflowing });
}

const go = () => {
  loadKatexFaces(document)
    .then(() => (document.fonts ? document.fonts.ready : null))
    .then(run)
    .catch(fail);
};
if (document.readyState === 'complete') go();
else window.addEventListener('load', go);
