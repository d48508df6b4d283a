/*
 * Build-time slide fitter. Every slide of the deck is laid out at the deck's
 * size; a slide taller than the deck is split at block boundaries into
 * continuation slides "Title (2/3)" (lists between items, tables between
 * rows, code between lines, paragraphs between words), and a single block that
 * cannot be split, or is too wide, is scaled down. Never clipped.
 * The result, keyed by slide, is read back by the build and written to disk.
 *
 * Slides are measured together: each is laid out on its own (absolutely
 * positioned at the deck's size), so one layout measures a whole batch, and
 * only the slides that do not fit are split, one at a time.
 */
import { scaleLegibly, type Floor, type ScaledBlocks } from './legible.js';
import type { BelowFloor, FittedSlides, PageGlobal } from './protocol.js';
import { fail, install, readConfig, ready } from './ready.js';
import { pour } from './pour.js';
import { head, imagesSettled, loadKatexFaces, textLongerThan, tooBigToTry, wrapWideFormulas } from './split.js';

const sg: PageGlobal<'slides-fit'> = install('slides-fit', { update: update });
const config = readConfig<'slides-fit'>();
const H = config.height - config.safety;
const W = config.width;
/**
 * Slides (or parts of one) shown and measured at once: one layout measures them all (a layout
 * has a cost of its own besides the slides in it). Not all of them: a layout forced while they
 * are shown (a formula wrapped, a block scaled) lays out only what changed, but visits each one.
 */
const BATCH = 64;

/** Text smaller than 12 slide pixels is not legible from the back of a room; a block is scaled to no less than 60% (code, set small already, 50%). */
const FLOOR: Floor = { px: 12, scale: 0.6, codeScale: 0.5 };

function fitsSection(section: HTMLElement): boolean {
  return section.scrollHeight <= H && section.scrollWidth <= W + 1;
}
function isHeader(node: Element): boolean {
  return node.matches('.sg-title, .sg-crumbs, h1.sg-title, .sg-sub');
}

/**
 * What a split block's previous part held, set on its rest (which goes on to the next part): its
 * children (a list, a quote) or its characters (code, a paragraph). See `cannotFit`.
 */
const heldBefore = new WeakMap<Element, number>();

/** Blocks split between children: their rest is measured by its first children. */
const SPLIT_BY_CHILDREN = /^(UL|OL|BLOCKQUOTE)$/;
/** Blocks split in their text: their rest is measured by the start of its text. */
const SPLIT_IN_TEXT = /^(PRE|P)$/;
/** What a cut in the text could change the shape of: such text is not measured by its start. */
const ATOMS = '.katex, math, svg, img, .sg-tag, .footnotes';

/** The element a paragraph's or a code block's text is split in (as src/page/split.ts does). */
function textHolder(block: HTMLElement): Element {
  return (block.tagName === 'PRE' && block.querySelector('code')) || block;
}

/**
 * `block` with only its first `size` children shown: the others stay in place, hidden, so that
 * the shown ones lay out as in the whole block (same numbering, same margins, same structural
 * selectors). Null when that is the whole block.
 */
function firstChildren(block: HTMLElement, size: number): HTMLElement | null {
  if (size >= block.childElementCount) return null;
  const probe = block.cloneNode(false) as HTMLElement;
  let shown = 0;
  block.childNodes.forEach((child) => {
    if (child.nodeType !== Node.ELEMENT_NODE) {
      probe.append(child.cloneNode(false));
    } else if (shown < size) {
      probe.append(child.cloneNode(true));
      shown++;
    } else {
      const stub = child.cloneNode(false) as HTMLElement;
      stub.style.setProperty('display', 'none', 'important');
      probe.append(stub);
    }
  });
  return probe;
}

/**
 * `block` (the rest of a split paragraph or code block: the element, or `pre > code`, holding
 * the text) with only its first `size` characters. Null when that is the whole text.
 */
function firstCharacters(block: HTMLElement, size: number): HTMLElement | null {
  const holder = textHolder(block);
  if (!textLongerThan(holder, size)) return null;
  return head(block, holder === block ? null : 'code', size);
}

/**
 * Whether the rest of a split block certainly does not fit in `cur`, found without laying the
 * whole rest out: its start (one child or a quarter more than the previous part held, then
 * twice as much, ...) is measured instead. The whole rest lays out as that start and more below
 * it, so if the start does not fit, the whole does not either. Without this, a list or a code
 * block split over 40 slides was laid out whole for each of them (the square of its length).
 */
function cannotFit(cur: HTMLElement, block: HTMLElement): boolean {
  const held = heldBefore.get(block);
  if (held === undefined) return false;
  const byChildren = SPLIT_BY_CHILDREN.test(block.tagName);
  for (let size = byChildren ? held + 1 : held + Math.ceil(held / 4) + 1; ; size *= 2) {
    const probe = byChildren ? firstChildren(block, size) : firstCharacters(block, size);
    if (!probe) return false;
    cur.append(probe);
    const fits = fitsSection(cur);
    probe.remove();
    if (!fits) return true;
  }
}

/** Of the slide's height, what its title may take; more, and continuation slides show it shortened. */
const TITLE_ROOM = 0.35;
const SHORT_TITLE_ROOM = 0.5;
const SHORT_TITLE_WORDS = 12;

/**
 * A title too tall for the slide (a question of 200 words) is set smaller, to the floor at most;
 * still taller than half the slide, the continuation slides repeat only its first words. Returns
 * the header the continuation slides show.
 */
function fitHeader(section: HTMLElement, header: HTMLElement[], below: ScaledBlocks): HTMLElement[] {
  const title = header.find((h) => h.classList.contains('sg-title'));
  if (!title) return header;
  const height = () => header[header.length - 1]!.getBoundingClientRect().bottom - section.getBoundingClientRect().top;
  if (height() <= H * TITLE_ROOM) return header;
  scaleLegibly(title, title.offsetHeight - (height() - H * TITLE_ROOM), Infinity, FLOOR, below, FLOOR.scale);
  if (height() <= H * SHORT_TITLE_ROOM) return header;
  const short = title.cloneNode(false) as HTMLElement;
  const words = (title.textContent || '').trim().split(/\s+/);
  short.textContent = words.slice(0, SHORT_TITLE_WORDS).join(' ') + (words.length > SHORT_TITLE_WORDS ? ' …' : '');
  return header.map((h) => (h === title ? short : h));
}

/**
 * A quiz card's answer is one wrapper (one fragment): on a slide it does not fit, its blocks go
 * on one by one, each still a fragment of the answer, so that they split like any other blocks.
 */
function answerBlocks(block: HTMLElement): HTMLElement[] {
  if (!block.matches('div.sg-answer') || block.childElementCount === 0) return [block];
  const blocks = Array.from(block.children) as HTMLElement[];
  blocks.forEach((child) => {
    child.classList.add('sg-answer', 'fragment');
    child.setAttribute('data-fragment-index', block.getAttribute('data-fragment-index') || '0');
  });
  block.replaceWith(...blocks);
  return blocks;
}

/** Split a slide that does not fit into parts that do (it is in the document, shown). */
/** Split a slide that does not fit into parts; blocks it scales below the floor go in `below`. */
function splitSlide(section: HTMLElement, below: ScaledBlocks): HTMLElement[] {
  const notes = section.querySelector(':scope > aside.notes');
  if (notes) notes.remove();
  const children = Array.from(section.children) as HTMLElement[];
  const header = children.filter(isHeader);
  const contHeader = fitHeader(section, header, below);
  const queue = children.filter((c) => !isHeader(c)).flatMap(answerBlocks);
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
    (parts.length > 0 ? contHeader : header).forEach((h) => {
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
  // The slide was measured whole, and does not fit: when it is its header and one block, the
  // first part with that block is the same layout, and is not made again to learn the same
  // (only the first: the rest of a split list goes on as the same element).
  let measured = !notes && queue.length === 1 ? queue[0] : null;
  let known = false;
  pour(
    queue,
    {
      current: () => cur,
      fits: () => fitsSection(cur),
      isEmpty: () => cur.children.length <= headerCount,
      next: () => newPart(),
    },
    {
      taking(block) {
        known = block === measured;
        measured = null;
      },
      knownTooBig: (block) => known || cannotFit(cur, block),
      // On a slide, a block that fits a slide of its own moves there whole (easier to read
      // than a paragraph cut mid-way); only lists are split to fill the slide.
      movesWhole: (block) => !/^(UL|OL)$/.test(block.tagName) && !tooBigToTry(block),
      split([head, rest]) {
        if (SPLIT_BY_CHILDREN.test(head.tagName)) heldBefore.set(rest, head.childElementCount);
        // Text is measured by its start only where no part of it must stay whole (a formula, an image).
        else if (SPLIT_IN_TEXT.test(head.tagName) && !rest.querySelector(ATOMS))
          heldBefore.set(rest, (textHolder(head).textContent || '').length);
      },
      restMovesOn: true,
      // Alone on a slide and still too big: scale it to the room left.
      scale: (block) => scaleLegibly(block, H - block.offsetTop, W, FLOOR, below),
    },
  );
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
  // Hidden until they are measured again, all together (`finish`).
  parts.forEach((p) => {
    p.classList.remove('sg-measuring');
  });
  return parts;
}

/** Wide content that wraps no further (a 12-column table, a long unbroken line): scale it. */
function scaleWide(p: HTMLElement, below: ScaledBlocks): void {
  (Array.from(p.children) as HTMLElement[]).forEach((child) => {
    // A block scaled already measures its scroll width unscaled.
    const zoom = parseFloat(child.style.zoom) || 1;
    if (child.scrollWidth * zoom > p.clientWidth + 1 || child.getBoundingClientRect().right > p.getBoundingClientRect().right + 1) {
      scaleLegibly(child, Infinity, p.clientWidth, FLOOR, below);
    }
  });
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

/** A fitted slide or part, as it is written: its markup, and whether it still overflows. */
interface Done {
  html: string;
  overflows: boolean;
}

/**
 * The last measurements, with `parts` shown together (a batch at a time): the width check of
 * split parts (`scaleWide`, noting in `below` what it scales below the floor), then whether each still overflows; then their markup, and out of the document.
 */
function finish(parts: HTMLElement[], below: ScaledBlocks | null): Done[] {
  const done: Done[] = [];
  for (let start = 0; start < parts.length; start += BATCH) {
    const batch = parts.slice(start, start + BATCH);
    if (below) {
      batch.forEach((p) => {
        p.classList.add('sg-measuring');
      });
      batch.forEach((p) => scaleWide(p, below));
    }
    batch.forEach((p) => {
      p.removeAttribute('data-key');
      p.classList.add('sg-measuring');
    });
    const fits = batch.map(fitsSection);
    batch.forEach((p, i) => {
      p.classList.remove('sg-measuring');
      done.push({ html: p.outerHTML, overflows: !fits[i] });
      p.remove();
    });
  }
  return done;
}

function run(): void {
  const result: FittedSlides = {};
  const overflowing: string[] = [];
  const scaled: BelowFloor[] = [];
  // In a fresh container: Chromium keeps a cost per child a container ever had, so measuring
  // in the one that held all 10,000 slides of 5,000 notes took 4 ms a slide, against 0.4 ms in
  // a new one (70 s against 7 s).
  const sections = Array.from(document.querySelectorAll<HTMLElement>('.slides > section'));
  const old = document.querySelector('.slides')!;
  const container = old.cloneNode(false) as HTMLElement;
  old.replaceWith(container);
  for (let start = 0; start < sections.length; start += BATCH) {
    const batch = sections.slice(start, start + BATCH);
    const keys = batch.map((section) => section.getAttribute('data-key')!);
    batch.forEach((section) => {
      container.append(section);
      section.classList.add('sg-measuring'); // its parts inherit the class while they are filled
    });
    // A display formula wider than the slide wraps (set inline) before anything is split or scaled.
    batch.forEach((section) => {
      wrapWideFormulas(section);
    });
    const fits = batch.map(fitsSection);
    const done: Done[][] = [];
    const whole = batch.filter((_, i) => fits[i]);
    whole.forEach((section) => {
      study([section]);
    });
    const wholeDone = finish(whole, null);
    batch.forEach((section, i) => {
      if (fits[i]) done[i] = [wholeDone.shift()!];
      else section.classList.remove('sg-measuring');
    });
    // The others, one at a time, alone in the document.
    batch.forEach((section, i) => {
      if (fits[i]) return;
      section.classList.add('sg-measuring');
      const below: ScaledBlocks = new Map();
      done[i] = finish(splitSlide(section, below), below);
      for (const block of below.values()) scaled.push({ key: keys[i]!, ...block });
    });
    keys.forEach((key, i) => {
      result[key] = done[i]!.map((d) => {
        if (d.overflows) overflowing.push(key);
        return d.html;
      });
    });
  }
  ready(sg, { slides: result, overflowing: overflowing, belowFloor: scaled });
}

/** The fonts the shown slides use, loaded: text is measured in its own face. */
function fontsLoaded(): Promise<unknown> {
  return loadKatexFaces(document).then(() => (document.fonts ? document.fonts.ready : null));
}

/**
 * The slides of a newly rendered fitting page, fitted as if the page had been loaded with them:
 * shown all at once (so the faces they need start loading, as on load), their images and fonts
 * waited for, then `run`. A fit leaves the page without slides, so this page holds none but these.
 */
function update(html: string): Promise<void> {
  const next = new DOMParser().parseFromString(html, 'text/html').querySelector('.slides');
  const slides = document.querySelector('.slides')!;
  slides.innerHTML = next ? next.innerHTML : '';
  void slides.getBoundingClientRect().height; // a layout: the faces of the new text start loading
  return imagesSettled(slides).then(fontsLoaded).then(run);
}

const go = () => {
  fontsLoaded().then(run).catch(fail);
};
if (document.readyState === 'complete') go();
else window.addEventListener('load', go);
