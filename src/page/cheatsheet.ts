/*
 * Cheat sheet layout: flows the blocks of #flow into explicit page boxes with
 * N columns each. Chromium cannot paginate a multi-column body (the columns
 * run off sideways and the PDF gets shrunk), so pages are built here, block by
 * block, measuring the real layout:
 *  - a heading is never the last thing in a column (it moves with what follows);
 *  - lists split between items, tables between rows, code between lines
 *    (with a visible continuation mark), paragraphs between words;
 *  - a block too tall for an empty column is scaled down, never clipped.
 * window.studyguide.layout({ fontPt }) lays out again, fitPages({ pages, … })
 * fits N pages (src/page/protocol.ts).
 */
import type { FitOptions, LayoutOptions, LayoutResult, PageGlobal } from './protocol.js';
import { fail, install, readConfig, ready } from './ready.js';
import { describe, smallestText } from './legible.js';
import { leaveOut, select } from './select.js';
import { pour } from './pour.js';
import { imagesSettled, loadKatexFaces, shrinkToFit, wrapWideFormulas } from './split.js';

/** A layout result with the size it was made at (while fitting). */
type Sized = LayoutResult & { size: number };

const config = readConfig<'cheatsheet'>();
const flow = document.getElementById('flow')!;
const pagesRoot = document.getElementById('pages')!;
// Laid out from a detached copy: the hidden flow's ids (topic anchors, footnotes) would come
// first in the document, and a link (in the page and in the PDF) goes to the first element with its id.
flow.remove();

/** The top-level topics each page shows, for its header. */
const pageTopics = new WeakMap<Element, string[]>();
const topicsOf = (page: Element) => pageTopics.get(page)!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function makePage(): HTMLElement {
  const page = el('section', 'page');
  const head = el('header', 'page-head');
  head.append(el('span', 'doc-title', config.title), el('span', 'where'));
  const cols = el('div', 'cols');
  for (let i = 0; i < config.columns; i++) cols.append(el('div', 'col'));
  const foot = el('footer', 'page-foot');
  foot.append(el('span', 'made', config.footer || ''), el('span', 'num'));
  page.append(head, cols, foot);
  pageTopics.set(page, []);
  pagesRoot.append(page);
  return page;
}

function fits(col: HTMLElement): boolean {
  return col.scrollHeight <= col.clientHeight + 0.5;
}
function isHeading(node: Node): node is HTMLElement {
  return node.nodeType === 1 && (node as Element).classList.contains('t');
}
function shrinkToColumn(item: HTMLElement, col: HTMLElement): void {
  shrinkToFit(item, col.clientHeight - item.offsetTop, col.clientWidth);
}

/* --- flow ------------------------------------------------------------- */

/** A list (or quote) of many parts, without formulas or diagrams (those may first be set narrower, whole). */
function longList(item: HTMLElement): boolean {
  return /^(UL|OL|BLOCKQUOTE)$/.test(item.tagName) && item.childElementCount > 8 && !item.querySelector('.katex, .sg-diagram');
}

/**
 * Where the last layout stood when it took each block of the flow: an update whose flow starts
 * with the same blocks goes on from the first one that changed, instead of laying out again
 * what comes before it (the same blocks at the same size lay out the same).
 */
interface Checkpoint {
  page: HTMLElement;
  ci: number;
  /** What the column held: the headings at its end may have been carried on since. */
  held: Element[];
  topics: string[];
  current: string | null;
  path: string | null;
  shrunk: number;
}
interface LastLayout {
  fontPt: string;
  /** The flow's blocks, as markup. */
  blocks: string[];
  /** By block: where the layout stood when it took that block (none for blocks not reached yet). */
  at: Checkpoint[];
}
let last: LastLayout | null = null;
/** Each flow's blocks as markup, read once per flow (a fit lays the same flow out up to ten times). */
let flowMarkup = new WeakMap<HTMLElement, string[]>();
const markupOf = (source: HTMLElement) => {
  let blocks = flowMarkup.get(source);
  if (!blocks) flowMarkup.set(source, (blocks = Array.from(source.children, (n) => n.outerHTML)));
  return blocks;
};

/** Blocks kept whole when they fit in a column: moved on rather than split. */
function keepWhole(item: HTMLElement): boolean {
  if (item.tagName === 'PRE' || item.tagName === 'TABLE' || item.tagName === 'FIGURE' || item.querySelector('img')) return true;
  if (item.tagName === 'UL' || item.tagName === 'OL') return item.children.length <= 4;
  return false;
}

/** A small running head at the top of a column that continues a topic. */
function runningHead(path: string): HTMLElement {
  const head = el('div', 'col-head', path + ' (cont.)');
  head.setAttribute('aria-hidden', 'true');
  return head;
}

/**
 * Lay `source` out (the flow, or the part of it chosen to fit); `resume`: go on from the last
 * layout where the flow starts the same (an update).
 */
function layout(source: HTMLElement, options?: LayoutOptions, resume = false): LayoutResult {
  if (options && options.fontPt) document.documentElement.style.setProperty('--fs', options.fontPt + 'pt');
  const fontPt = document.documentElement.style.getPropertyValue('--fs');
  const flowBlocks = markupOf(source);
  // The first block that differs from the last layout's, and where that layout stood when it took it.
  let from = 0;
  if (resume && last && last.fontPt === fontPt) while (from < flowBlocks.length && flowBlocks[from] === last.blocks[from]) from++;
  while (from > 0 && !(last && last.at[from])) from--;
  const resumed = from > 0 ? last!.at[from]! : null;
  const at = resumed ? last!.at.slice(0, from) : [];
  last = { fontPt: fontPt, blocks: flowBlocks, at: at };
  const firstOf = new Map<Element, number>();
  const queue = Array.from(source.children)
    .slice(from)
    .map((n, i) => {
      const copy = n.cloneNode(true) as HTMLElement;
      firstOf.set(copy, from + i);
      return copy;
    });
  let page: HTMLElement;
  let ci: number;
  let current: string | null; // top-level topic being laid out, for the page header
  let path: string | null; // topic path of the last heading placed, for running heads
  let shrunk: number;
  if (resumed) {
    page = resumed.page;
    while (page.nextElementSibling) page.nextElementSibling.remove();
    ci = resumed.ci;
    page.querySelectorAll('.col').forEach((col, i) => {
      if (i === ci) col.replaceChildren(...resumed.held);
      else if (i > ci) col.textContent = '';
    });
    pageTopics.set(page, resumed.topics.slice());
    current = resumed.current;
    path = resumed.path;
    shrunk = resumed.shrunk;
  } else {
    pagesRoot.textContent = '';
    page = makePage();
    ci = 0;
    current = null;
    path = null;
    shrunk = 0;
  }
  let cols = page.querySelectorAll<HTMLElement>('.col');

  function nextColumn(nextItem: HTMLElement): HTMLElement {
    ci++;
    if (ci >= cols.length) {
      page = makePage();
      cols = page.querySelectorAll<HTMLElement>('.col');
      ci = 0;
      if (current) topicsOf(page).push(current);
    }
    const col = cols[ci]!;
    if (path && !(isHeading(nextItem) && /\bt[01]\b/.test(nextItem.className))) col.append(runningHead(path));
    return col;
  }
  /** Go on in the next column, with the headings that ended this one (a heading goes with what follows it). */
  function moveOn(col: HTMLElement, item: HTMLElement): void {
    const carried: HTMLElement[] = [];
    while (col.lastElementChild && isHeading(col.lastElementChild)) carried.unshift(col.removeChild(col.lastElementChild));
    nextColumn(carried[0] || item).append(...carried);
  }
  function contentless(col: HTMLElement): boolean {
    return Array.from(col.children).every((c) => isHeading(c) || c.classList.contains('col-head'));
  }

  pour(
    queue,
    {
      current: () => cols[ci]!,
      fits: () => fits(cols[ci]!),
      isEmpty: () => contentless(cols[ci]!),
      next: (first) => moveOn(cols[ci]!, first),
    },
    {
      taking(item) {
        // Only when a block comes first: it may come again, moved on or as the rest of itself once split.
        const index = firstOf.get(item);
        if (index !== undefined) {
          firstOf.delete(item);
          at[index] = { page, ci, held: Array.from(cols[ci]!.children), topics: topicsOf(page).slice(), current, path, shrunk };
        }
        if (isHeading(item)) {
          path = item.getAttribute('data-path');
          if (/\bt[01]\b/.test(item.className)) {
            current = item.textContent!;
            if (topicsOf(page).indexOf(current) < 0) topicsOf(page).push(current);
          }
        }
      },
      // Laying the rest of a long list out whole at every column would cost its length each time
      // (quadratic in the list): find the part that fits first, and try the list whole only when
      // all but its last child fit. Where fewer fit, the whole cannot (it is taller than that part
      // with its one-line continuation mark): the same result as trying it whole first, in linear time.
      splitsFirst: longList,
      placed(item) {
        const col = cols[ci]!;
        // A display formula wider than the column is set so that it wraps; what still does not fit
        // (a formula with no place to break, a diagram) is scaled to the column's width.
        if (item.scrollWidth > col.clientWidth + 1 && (item.matches('.sg-diagram') || item.querySelector('.katex, .sg-diagram'))) {
          wrapWideFormulas(item);
          if (item.scrollWidth > col.clientWidth + 1) shrinkToFit(item, Infinity, col.clientWidth);
        }
      },
      // Code, tables, images and short lists that would fit a whole column move on whole.
      movesWhole: (item, measured) => measured && keepWhole(item) && item.getBoundingClientRect().height <= cols[ci]!.clientHeight * 0.92,
      restMovesOn: false,
      scale(item) {
        shrinkToColumn(item, cols[ci]!);
        shrunk++;
      },
    },
  );

  const pages = pagesRoot.querySelectorAll<HTMLElement>('.page');
  pages.forEach((p, i) => {
    p.querySelector('.num')!.textContent = 'page ' + (i + 1) + ' / ' + pages.length;
    p.querySelector('.where')!.textContent = topicsOf(p).join(' · ');
  });
  flow.classList.add('done');
  return {
    pages: pages.length,
    fill: fill(pages[pages.length - 1]!, pages.length),
    fontPt: Math.round(parseFloat(getComputedStyle(document.body).fontSize) * 0.75 * 100) / 100,
    shrunk: shrunk,
    stranded: stranded(),
    belowFloor: belowFloor(),
  };
}

/** Pages used as a continuous number: full pages plus the used share of the last one. */
function fill(lastPage: HTMLElement, count: number): number {
  const cols = lastPage.querySelectorAll<HTMLElement>('.col');
  let used = 0;
  cols.forEach((col) => {
    const last = col.lastElementChild as HTMLElement | null;
    // .col is the offset parent of its blocks (position: relative).
    if (last) used += Math.min(1, (last.offsetTop + last.offsetHeight) / col.clientHeight);
  });
  return count - 1 + used / cols.length;
}

/**
 * The largest body size (to 0.05 pt) at which the sheet takes at most
 * `pages` pages, not below `minPt`. Text area grows with the square of the
 * size, so each step interpolates in size² between the closest sizes known
 * to fit and not to fit; the real layout decides every step.
 */
function fitPages(opts: FitOptions): LayoutResult {
  const target = opts.pages;
  document.body.classList.remove('selecting');
  // The self-test leaves out what the sheet left out, then fits what is left.
  const source = opts.omit && opts.omit.length ? leaveOut(flow, opts.omit) : flow;
  const onLoad = sg.result as Sized;
  const first = source === flow && onLoad.fontPt === opts.startPt ? onLoad : (layout(source, { fontPt: opts.startPt }) as Sized);
  // Far from fitting even at the floor (text area goes with the size squared): choose at once.
  if (opts.select && first.pages > target && first.fill * (opts.minPt / opts.startPt) ** 2 > target * 1.1) return choose(source, opts);
  const step = 0.05;
  const round = (f: number) => parseFloat((Math.round(f / step) * step).toFixed(2));
  let lo = null as Sized | null; // largest tried size that fits
  let hi = null as Sized | null; // smallest tried size that does not
  let tries = 0;
  let last: Sized;
  function attempt(f: number): Sized {
    if (!isFinite(f)) f = opts.startPt;
    f = Math.min(opts.maxPt, Math.max(opts.minPt, round(f)));
    const r = layout(source, { fontPt: f }) as Sized;
    r.size = f;
    last = r;
    tries++;
    if (r.pages <= target) {
      if (!lo || f > lo.size) lo = r;
    } else if (!hi || f < hi.size) hi = r;
    return r;
  }
  first.size = opts.startPt;
  last = first;
  if (first.pages <= target) lo = first;
  else hi = first;
  const goal = target - 0.04; // aim a little under the limit: the last column then has room to spare
  const guess = (r: Sized) => r.size * Math.sqrt(goal / r.fill);
  let next = guess(first);
  for (let i = 0; i < 8; i++) {
    if (lo && hi && hi.size - lo.size <= step * 1.5) break;
    // The last page is (nearly) full at a size that fits: within a percent of the best.
    if (lo && lo.fill >= target - 0.05) break;
    if (lo && lo.size >= opts.maxPt) break;
    if (hi && hi.size <= opts.minPt) break;
    const r = attempt(next);
    if (lo && hi) {
      const a = lo.size * lo.size;
      const b = hi.size * hi.size;
      const t = (goal - lo.fill) / (hi.fill - lo.fill);
      next = Math.sqrt(a + (b - a) * Math.min(0.9, Math.max(0.1, t)));
      if (round(next) <= lo.size) next = lo.size + step;
      if (round(next) >= hi.size) next = hi.size - step;
    } else if (lo) next = Math.max(guess(r), lo.size + step);
    else next = Math.min(guess(r), hi!.size - step);
  }
  if (!lo && !(hi && hi.size <= opts.minPt)) attempt(opts.minPt);
  // Nothing fits even at the floor: print at the floor, on the pages it needs.
  let chosen = (lo || hi) as Sized;
  if (last !== chosen) {
    const size = chosen.size;
    chosen = layout(source, { fontPt: size }) as Sized;
    chosen.size = size;
  }
  chosen.fitted = chosen.pages <= target;
  chosen.tries = tries;
  if (!chosen.fitted && opts.select) return choose(source, opts);
  return (sg.result = chosen);
}

/** At the floor size, print what matters most (src/page/select.ts) on the pages asked for. */
function choose(source: HTMLElement, opts: FitOptions): LayoutResult {
  document.documentElement.style.setProperty('--fs', opts.minPt + 'pt');
  // Images as thumbnails, code at the floor: what can shrink shrinks before a block is left out.
  document.body.classList.add('selecting');
  let result = null as LayoutResult | null;
  const chosen = select(
    source,
    {
      measuringColumn() {
        const page = makePage();
        page.style.cssText = 'height:auto;contain:none;overflow:visible';
        const col = page.querySelector<HTMLElement>('.col')!;
        const height = col.clientHeight;
        col.style.cssText = 'height:auto;overflow:visible';
        // The real column's height, before it was let grow.
        return { col, height: height || pageColumnHeight(), done: () => page.remove() };
      },
      layout(from) {
        result = layout(from, { fontPt: opts.minPt });
        return result;
      },
      columnFills,
    },
    { pages: opts.pages, columns: config.columns },
  );
  const r = (result ?? layout(chosen.source, { fontPt: opts.minPt })) as Sized;
  r.size = opts.minPt;
  r.fitted = !chosen.selection.core;
  r.selection = chosen.selection;
  r.thumbnails = thumbnails();
  return (sg.result = r);
}

/** A column's height on a page as laid out (a page made for measuring has none until it is in the document). */
function pageColumnHeight(): number {
  const page = makePage();
  const height = page.querySelector<HTMLElement>('.col')!.clientHeight;
  page.remove();
  return height;
}

/** Every column but the last one used: how full it is, and the first block of the column after it. */
function columnFills(): { fill: number; next: Element | null }[] {
  const cols = Array.from(pagesRoot.querySelectorAll<HTMLElement>('.col'));
  let lastUsed = cols.length - 1;
  while (lastUsed > 0 && !cols[lastUsed]!.lastElementChild) lastUsed--;
  return cols.slice(0, lastUsed).map((col, i) => {
    const lastChild = col.lastElementChild as HTMLElement | null;
    const used = lastChild ? (lastChild.offsetTop + lastChild.offsetHeight) / col.clientHeight : 0;
    const next = Array.from(cols[i + 1]!.children).find((c) => !c.classList.contains('col-head') && !isHeading(c)) ?? null;
    return { fill: used, next };
  });
}

/** Images shown smaller than the column would show them (thumbnails while choosing). */
function thumbnails(): number {
  let n = 0;
  pagesRoot.querySelectorAll('img').forEach((img) => {
    if (!img.naturalWidth || !img.naturalHeight) return;
    const width = Math.min(img.naturalWidth, img.parentElement ? img.parentElement.clientWidth : img.naturalWidth);
    if (img.clientHeight + 1 < (width / img.naturalWidth) * img.naturalHeight && img.clientHeight + 1 < img.naturalHeight) n++;
  });
  return n;
}

/**
 * Blocks scaled (taller than a column, wider than it) so far that their smallest text is under the
 * floor (`--min-font-size`): the build names them in a warning.
 */
function belowFloor(): { block: string; scale: number; pt: number }[] {
  const floorPx = (config.floorPt * 4) / 3;
  return Array.from(pagesRoot.querySelectorAll<HTMLElement>('.scaled')).flatMap((el) => {
    const scale = parseFloat(el.style.zoom) || 1;
    const px = smallestText(el) * scale;
    return px < floorPx ? [{ block: describe(el), scale: Math.round(scale * 100) / 100, pt: Math.round(px * 7.5) / 10 }] : [];
  });
}

/** Headings that end a column (should be none): for tests and checks. */
function stranded(): string[] {
  const out: string[] = [];
  pagesRoot.querySelectorAll('.col').forEach((col) => {
    const last = col.lastElementChild;
    const next = col.nextElementSibling || nextPageFirstCol(col);
    if (last && isHeading(last) && next && next.firstElementChild) out.push(last.textContent!);
  });
  return out;
}
function nextPageFirstCol(col: Element): Element | null {
  const page = col.closest('.page')!.nextElementSibling;
  return page ? page.querySelector('.col') : null;
}

/*
 * The flow is hidden, so nothing asks for the fonts before the first layout:
 * load the faces (and unicode ranges) the text needs first, or the layout
 * would be measured with fallback fonts and printed with others.
 * The text is laid out, hidden, in each font the sheet uses: Chromium's font
 * fallback then loads the faces it would for the flow, and no more.
 * (`document.fonts.load(font, text)` loads every family's faces whose range
 * holds a character: 62 faces for the Latin bundled notes instead of 24.)
 */
function loadFonts(): Promise<unknown> {
  if (!document.fonts) return Promise.resolve();
  // The characters of the notes plus the glyphs the stylesheet adds (::before/::after
  // content), each once: that is all the faces' unicode ranges need to know.
  const seen: Record<string, boolean> = {};
  let text = '';
  const all = (flow.textContent || 'a') + (config.cssGlyphs || '');
  for (let i = 0; i < all.length; i++) {
    const c = all.charCodeAt(i);
    const ch = c >= 0xd800 && c <= 0xdbff ? all.slice(i, ++i + 1) : all[i]!;
    if (!seen[ch]) {
      seen[ch] = true;
      text += ch;
    }
  }
  const box = el('div');
  box.style.cssText = 'position:absolute;left:-10000px;top:0;width:100px;visibility:hidden';
  for (const spec of config.fontSpecs || []) {
    const probe = el('p', undefined, text);
    probe.style.font = spec;
    box.append(probe);
  }
  document.body.append(box);
  void box.offsetHeight; // laid out: the faces the probes need start loading
  return Promise.all([document.fonts.ready, loadKatexFaces(flow)])
    .then(() => document.fonts.ready)
    .then(() => box.remove());
}

function loadedFaces(): number {
  if (!document.fonts) return 0;
  let n = 0;
  document.fonts.forEach((face) => {
    if (face.status === 'loaded') n++;
  });
  return n;
}

function whenReady(fn: () => Promise<void>): void {
  const go = () => {
    loadFonts().then(fn).catch(fail);
  };
  if (document.readyState === 'complete') go();
  else window.addEventListener('load', go);
}

/**
 * Watch mode: take the flow of a newly built sheet (same template and
 * settings) and lay it out again, without reloading the page and its fonts.
 */
function update(html: string): Promise<LayoutResult> {
  const next = new DOMParser().parseFromString(html, 'text/html').getElementById('flow');
  flow.innerHTML = next ? next.innerHTML : '';
  flowMarkup = new WeakMap();
  document.body.classList.remove('selecting');
  return imagesSettled(flow)
    .then(loadFonts)
    .then(() => (sg.result = layout(flow, { fontPt: config.fontPt }, true)));
}

const sg: PageGlobal<'cheatsheet'> = install('cheatsheet', {
  update: update,
  layout: (options) => (sg.result = layout(flow, options)),
  fitPages: fitPages,
  stranded: stranded,
});
/** What the page shows on load: the flow, or what the PDF printed of it. */
const shown = (): HTMLElement => {
  if (!config.leaveOut) return flow;
  document.body.classList.add('selecting');
  return leaveOut(flow, config.leaveOut);
};
whenReady(() => {
  const source = shown();
  sg.result = layout(source, { fontPt: config.fontPt });
  // Laid-out text may still pull in a face (a bold run in another script): lay out again if so.
  const faces = loadedFaces();
  return (document.fonts ? document.fonts.ready : Promise.resolve()).then(() => {
    if (loadedFaces() !== faces) sg.result = layout(source, { fontPt: config.fontPt });
    ready(sg, sg.result!);
  });
});
