/*
 * Splitting blocks that do not fit, shared by the cheat sheet layout and the
 * slide fitter. `split(item, fitsWith)` returns [head, rest] where `head` is
 * the largest part that `fitsWith(head)` accepts, or null when the block
 * cannot be split there:
 *   lists between items (nesting kept, numbering continued), tables between
 *   rows (header repeated), code between lines, paragraphs between sentences,
 *   else words.
 * Split parts are marked: the head `.continues`, the rest `.cont`.
 * `item` must be detached; it may be reused as the rest. The search gallops
 * from small heads up, and the head is taken out of the block rather than the
 * rest copied, so a split costs about the size of the head, not of the block:
 * a 10,000-item list, a 20,000-line highlighted code block or a 1 MB
 * paragraph splits as fast as a short one.
 */

/** Does the page accept this part where it would go? (It is added, measured, removed.) */
export type FitsWith = (node: HTMLElement) => boolean;
/** Head and rest of a split block. */
export type Parts = [HTMLElement, HTMLElement];
/** Where a part can stay while it is measured again and again (see `split`). */
export interface Room {
  place(node: HTMLElement): void;
  fits(): boolean;
}

/** Text offsets further than this cannot fit one column or slide at any legible size. */
const MAX_HEAD_CHARS = 40000;

/**
 * The answer of the previous split of a block (set on the rest, which is split next):
 * see `largestFitting`.
 */
const splitHints = new WeakMap<Element, number>();

/**
 * Largest i in [lo, hi] with ok(i), for ok true up to some i and false after; -1 if none.
 * `hint` (the answer of the previous split of the same block) is tried first: the pieces
 * of a long uniform list are alike, so most splits then cost two layouts, not six.
 */
function largestFitting(ok: (i: number) => boolean, lo: number, hi: number, hint: number | undefined): number {
  if (lo > hi) return -1;
  let known: number | undefined;
  if (hint !== undefined && hint > lo && hint <= hi) {
    if (ok(hint)) known = hint;
    else hi = hint - 1;
  }
  if (known === undefined) {
    if (!ok(lo)) return -1;
    known = lo;
  }
  let good = known;
  let step = 1;
  for (;;) {
    const probe = Math.min(hi, good + step);
    if (probe === good) break;
    if (ok(probe)) {
      good = probe;
      step *= 2;
    } else {
      hi = probe - 1;
      break;
    }
  }
  while (good < hi) {
    const mid = (good + hi + 1) >> 1;
    if (ok(mid)) good = mid;
    else hi = mid - 1;
  }
  return good;
}

/**
 * A copy of `item` holding only the first `count` characters of the text of its part
 * `selector` (or of itself). With `take`, they are taken out of `item`, which goes on as the
 * rest. Both without a DOM Range: Chromium updates every live Range at each change of the
 * document, and the ranges of a long block's trials stay alive until collected, so a split
 * cost more the more splits came before it. Copying the rest instead of taking the head out
 * cost the rest's length at every split (a highlighted code block is thousands of elements).
 */
export function head(item: HTMLElement, selector: string | null, count: number, take = false): HTMLElement {
  const source: Element = selector ? item.querySelector(selector)! : item;
  const copy = item.cloneNode(false) as HTMLElement;
  const inner = selector ? (source.cloneNode(false) as Element) : copy;
  if (selector) copy.append(inner);
  copyText(source, count, inner, take);
  return copy;
}

/**
 * Copy (or with `take` move) the first `count` characters of `from`'s text into `into`, in
 * the elements they are in: whole children go as they are; the one the count ends in is cut
 * (its start copied, recursively), and it stays in `from` with the rest of its text.
 */
function copyText(from: Node, count: number, into: Node, take: boolean): void {
  let left = count;
  for (let child = from.firstChild; child && left > 0;) {
    const next = child.nextSibling;
    if (child.nodeType === Node.TEXT_NODE && (child as Text).data.length > left) {
      into.appendChild(document.createTextNode((child as Text).data.slice(0, left)));
      if (take) (child as Text).deleteData(0, left);
      return;
    }
    if (child.nodeType === Node.ELEMENT_NODE && textLongerThan(child, left)) {
      const part = child.cloneNode(false);
      into.appendChild(part);
      copyText(child, left, part, take);
      return;
    }
    // A comment's textContent is its data, which is not text of the page.
    if (child.nodeType !== Node.COMMENT_NODE) left -= child.textContent!.length;
    into.appendChild(take ? child : child.cloneNode(true));
    child = next;
  }
}

/** Whether `node` holds more than `count` characters of text, read no further than that. */
export function textLongerThan(node: Node, count: number): boolean {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  let length = 0;
  while (walker.nextNode()) if ((length += (walker.currentNode as Text).data.length) > count) return true;
  return false;
}

/** Split at the last text boundary where the head fits; `headClass` is set while measuring (it may add a mark). */
function splitText(
  item: HTMLElement,
  fitsWith: FitsWith,
  selector: string | null,
  boundaries: number[],
  minHead: number,
  headClass?: string,
): Parts | null {
  const headTo = (j: number, take = false) => {
    const h = head(item, selector, boundaries[j]!, take);
    if (headClass) h.classList.add(headClass);
    return h;
  };
  const i = largestFitting((j) => fitsWith(headTo(j)), 0, boundaries.length - 1, splitHints.get(item));
  if (i < 0 || boundaries[i]! < minHead) return null;
  const first = headTo(i, true);
  splitHints.set(item, i);
  return [first, item];
}

/** The text under `node`, read no further than MAX_HEAD_CHARS (and a piece): a long block is not read whole at every split. */
function leadingText(node: Node): string {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  let text = '';
  while (text.length <= MAX_HEAD_CHARS && walker.nextNode()) text += (walker.currentNode as Text).data;
  return text;
}

/** Offsets in `text` (up to MAX_HEAD_CHARS) where `at(text, i)` says a piece may start. */
function offsets(text: string, at: (text: string, i: number) => boolean): number[] {
  const out: number[] = [];
  const end = Math.min(text.length, MAX_HEAD_CHARS);
  for (let i = 1; i < end; i++) if (at(text, i)) out.push(i);
  return out;
}

/** A text range [start, end) of a block and the element that must stay whole around it. */
type AtomicRange = [number, number, Element];

/** Text ranges [start, end) of `item` inside elements that must stay whole (KaTeX formulas, SVG, tags). */
function atomicRanges(item: HTMLElement): AtomicRange[] {
  const out: AtomicRange[] = [];
  if (!item.querySelector('.katex, svg, .sg-tag')) return out;
  const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
  let pos = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode as Text;
    const atom = node.parentElement && node.parentElement.closest('.katex, svg, .sg-tag');
    if (atom) {
      const last = out[out.length - 1];
      if (last && last[2] === atom) last[1] = pos + node.data.length;
      else out.push([pos, pos + node.data.length, atom]);
    }
    pos += node.data.length;
  }
  return out;
}

/** Between sentences when one fits, else between words. */
function splitParagraph(item: HTMLElement, fitsWith: FitsWith): Parts | null {
  const text = leadingText(item);
  let word = (t: string, i: number): boolean => /\s/.test(t[i - 1]!) && !/\s/.test(t[i]!);
  // Reads `word` when called: with formulas, the word boundaries below that skip them.
  const sentence = (t: string, i: number): boolean => word(t, i) && /[.!?;:]\s+$/.test(t.slice(Math.max(0, i - 4), i));
  // A formula (or a chip) is never cut: no piece starts inside one.
  const atoms = atomicRanges(item);
  if (atoms.length) {
    const plain = word;
    word = (t, i) => plain(t, i) && !atoms.some((r) => r[0] < i && i < r[1]);
  }
  const parts = splitText(item, fitsWith, null, offsets(text, sentence), 12) || splitText(item, fitsWith, null, offsets(text, word), 12);
  if (parts) parts[1].classList.add('cont-p');
  return parts;
}

/** Between lines, keeping at least two together. */
function splitCode(item: HTMLElement, fitsWith: FitsWith): Parts | null {
  const selector = item.querySelector('code') ? 'code' : null;
  const text = leadingText(selector ? item.querySelector(selector)! : item);
  let lines = 0;
  const bounds = offsets(text, (t, i) => t[i - 1] === '\n' && ++lines >= 2 && i < t.length);
  const parts = splitText(item, fitsWith, selector, bounds, 0, 'continues');
  if (parts) mark(parts);
  return parts;
}

function childrenMatching(node: Element, selector: string): HTMLElement[] {
  return (Array.from(node.children) as HTMLElement[]).filter((c) => c.matches(selector));
}

/** Between children (list items, table rows): the head is built from the first k, the rest is `item` without them. */
function splitChildren(
  item: HTMLElement,
  fitsWith: FitsWith,
  room: Room | undefined,
  container: (item: HTMLElement) => Element,
  childSelector: string,
  adjustRest?: (rest: HTMLElement, k: number) => void,
): Parts | null {
  const box = container(item);
  const children = childrenMatching(box, childSelector);
  if (children.length < 2) return null;
  // The frame: the block without the children being split (a table keeps its header). Built once.
  const split = new Set<Node>(children);
  const frame = item.cloneNode(false) as HTMLElement;
  let frameBox: Element = frame;
  for (const child of Array.from(item.childNodes)) {
    if (box !== item && child === box) frame.append((frameBox = child.cloneNode(false) as Element));
    else if (!split.has(child) && (box !== item || child.nodeType === 1)) frame.append(child.cloneNode(true));
  }
  const boxPath = frameBox === frame ? null : Array.from(frame.childNodes).indexOf(frameBox);
  const head = (k: number) => {
    const copy = frame.cloneNode(true) as HTMLElement;
    const target = (boxPath === null ? copy : copy.childNodes[boxPath]) as Element;
    for (let i = 0; i < k; i++) target.append(children[i]!.cloneNode(true));
    copy.classList.add('continues'); // measured with its continuation mark
    return copy;
  };
  let first: HTMLElement;
  let k: number;
  if (room) {
    // One head, left in place and grown or cut back to each size tried: a try lays out only
    // the children it adds, not the whole head again.
    first = head(0);
    const target = (boxPath === null ? first : first.childNodes[boxPath]) as Element;
    let count = 0;
    room.place(first);
    const sized = (n: number) => {
      for (; count < n; count++) target.append(children[count]!.cloneNode(true));
      for (; count > n; count--) target.lastChild!.remove();
      return room.fits();
    };
    k = largestFitting(sized, 1, children.length - 1, splitHints.get(item));
    if (k < 1) {
      first.remove();
      return null;
    }
    sized(k);
  } else {
    k = largestFitting((n) => fitsWith(head(n)), 1, children.length - 1, splitHints.get(item));
    if (k < 1) return null;
    first = head(k);
  }
  splitHints.set(item, k); // `item` goes on as the rest
  const done = document.createRange(); // one removal, not k (a 10,000-item list splits many times)
  done.setStartBefore(children[0]!);
  done.setEndAfter(children[k - 1]!);
  done.deleteContents();
  if (adjustRest) adjustRest(item, k);
  mark([first, item]);
  return [first, item];
}

/**
 * Split a list inside its first item, when that item alone does not fit: the head is the list with
 * the item's first blocks that fit (its question, its options) and, split in turn, the start of the
 * next one (a nested list, an answer); the rest goes on with the item continued (no second bullet
 * or number) and the items after it. An outline of a topic with 150 subsections under one heading
 * was one item, scaled to 5.7 px; a practice exam's question with a long answer, a whole exam.
 */
function splitFirstItem(list: HTMLElement, fitsWith: FitsWith): Parts | null {
  const item = childrenMatching(list, 'li')[0];
  if (!item) return null;
  const blocks = Array.from(item.children) as HTMLElement[];
  if (blocks.length === 0) return null;
  /** The list with the item's nodes before `blocks[j]`, then `tail` (the start of `blocks[j]`). */
  const wrap = (j: number, tail?: HTMLElement) => {
    const head = list.cloneNode(false) as HTMLElement;
    const headItem = item.cloneNode(false) as HTMLElement;
    for (const child of Array.from(item.childNodes)) {
      if (child === blocks[j]) break;
      headItem.append(child.cloneNode(true));
    }
    if (tail) headItem.append(tail);
    head.append(headItem);
    head.classList.add('continues');
    return head;
  };
  const whole = largestFitting((j) => fitsWith(wrap(j)), 1, blocks.length - 1, undefined);
  const j = Math.max(whole, 0);
  // The next block, split where it can be: the head shows its start.
  const inner = blocks[j]!;
  const parts = split(inner, (node) => fitsWith(wrap(j, node)));
  if (!parts && whole < 1) return null;
  const head = wrap(j, parts ? parts[0] : undefined);
  // The item goes on in the rest: without what the head showed, marked so that it shows no marker.
  while (item.firstChild && item.firstChild !== inner) item.firstChild.remove();
  if (parts) inner.replaceWith(parts[1]);
  item.classList.add('sg-li-cont');
  mark([head, list]);
  return [head, list];
}

/**
 * An answer or callout whose first block alone does not fit: that block split in turn (a long list
 * of explanations), the head showing the summary or title and the block's start.
 */
function splitFirstBlock(item: HTMLElement, fitsWith: FitsWith): Parts | null {
  const body = bodyOf(item);
  const first = body.firstElementChild as HTMLElement | null;
  if (body === item || !first) return null;
  const at = Array.from(item.children).indexOf(body);
  const wrap = (node: HTMLElement) => {
    const head = item.cloneNode(false) as HTMLElement;
    Array.from(item.children).forEach((child, i) => head.append(child.cloneNode(i !== at)));
    head.children[at]!.append(node);
    head.classList.add('continues');
    return head;
  };
  const parts = split(first, (node) => fitsWith(wrap(node)));
  if (!parts) return null;
  const head = wrap(parts[0]);
  first.replaceWith(parts[1]);
  mark([head, item]);
  return [head, item];
}

function mark(parts: Parts): void {
  parts[0].classList.add('continues');
  parts[1].classList.add('cont');
}
function self(node: HTMLElement): Element {
  return node;
}
function bodyOf(node: HTMLElement): Element {
  return node.querySelector(':scope > .sg-details-body, :scope > .callout-body') || node;
}
function tbody(node: HTMLElement): Element {
  return (node as HTMLTableElement).tBodies[0] || node;
}

/**
 * `room`, when given, lets a list or table be measured in place: the head stays where it
 * would go (`place`) while it grows and shrinks, and `fits` measures it there. The head
 * returned is then already placed.
 */
export function split(item: HTMLElement, fitsWith: FitsWith, room?: Room): Parts | null {
  switch (item.tagName) {
    case 'UL':
      return splitChildren(item, fitsWith, room, self, 'li') || splitFirstItem(item, fitsWith);
    case 'OL': {
      const start = parseInt(item.getAttribute('start') || '1', 10) || 1;
      const parts = splitChildren(item, fitsWith, room, self, 'li', (rest, k) => {
        rest.setAttribute('start', String(start + k));
      });
      return parts || splitFirstItem(item, fitsWith);
    }
    case 'TABLE':
      return splitChildren(item, fitsWith, room, tbody, 'tr');
    case 'PRE':
      return splitCode(item, fitsWith);
    case 'BLOCKQUOTE':
      return splitChildren(item, fitsWith, room, self, '*');
    case 'P':
      return item.querySelector('img') ? null : splitParagraph(item, fitsWith);
    case 'DIV':
      // An answer (`<details>`) or a callout: between the blocks of its body, its summary or title on each part.
      if (item.matches('.sg-details, .callout')) return splitChildren(item, fitsWith, room, bodyOf, '*') || splitFirstBlock(item, fitsWith);
      return null;
    default:
      return null;
  }
}

/**
 * A list, table or quote whose first item cannot be split and does not fit even alone: that item
 * apart from the rest, so that only it is scaled, not everything after it too.
 */
export function firstAlone(item: HTMLElement): Parts | null {
  const box = item.tagName === 'TABLE' ? tbody(item) : item;
  const selector = item.tagName === 'TABLE' ? 'tr' : /^(UL|OL)$/.test(item.tagName) ? 'li' : item.tagName === 'BLOCKQUOTE' ? '*' : null;
  const children = selector ? childrenMatching(box, selector) : [];
  if (children.length < 2) return null;
  const head = item.cloneNode(true) as HTMLElement;
  const headBox = item.tagName === 'TABLE' ? tbody(head) : head;
  childrenMatching(headBox, selector!)
    .slice(1)
    .forEach((child) => child.remove());
  children[0]!.remove();
  if (item.tagName === 'OL') item.setAttribute('start', String((parseInt(item.getAttribute('start') || '1', 10) || 1) + 1));
  mark([head, item]);
  return [head, item];
}

/** Last resort for a block taller (or wider) than the room it has: scale it down, never clip it. */
export function shrinkToFit(item: HTMLElement, availableHeight: number, availableWidth?: number, least = 0.25): number {
  let scale = 1;
  if (item.scrollHeight > availableHeight && availableHeight > 0) scale = Math.min(scale, availableHeight / item.scrollHeight);
  if (availableWidth && item.scrollWidth > availableWidth) scale = Math.min(scale, availableWidth / item.scrollWidth);
  if (scale >= 1) return 1;
  scale = Math.max(least, 0.25, scale * 0.98);
  item.style.zoom = String(scale);
  item.classList.add('scaled');
  return scale;
}

/**
 * A block far larger than any column or slide (a 10,000-item list, a 1 MB
 * line): callers split it straight away instead of laying it out whole first.
 */
export function tooBigToTry(item: HTMLElement): boolean {
  return item.childElementCount > 400 || leadingText(item).length > MAX_HEAD_CHARS;
}

/**
 * Display formulas in `item` wider than the room they have are shown in their
 * wrappable form (set inline, breaking after = and +; see src/render/math.ts).
 * Returns whether any was changed.
 */
export function wrapWideFormulas(item: HTMLElement): boolean {
  let changed = false;
  const formulas = item.matches('.sg-math-display') ? [item] : Array.from(item.querySelectorAll<HTMLElement>('.sg-math-display'));
  formulas.forEach((formula) => {
    if (formula.classList.contains('wrapped') || !formula.querySelector(':scope > .sg-math-wrap')) return;
    if (formula.scrollWidth > formula.clientWidth + 1) {
      formula.classList.add('wrapped');
      changed = true;
    }
  });
  return changed;
}

/** Images under `root`, loaded (or failed): their size is needed before measuring. */
export function imagesSettled(root: ParentNode): Promise<unknown> {
  return Promise.all(
    Array.from(root.querySelectorAll('img'), (img) =>
      img.complete
        ? null
        : new Promise((resolve) => {
            img.addEventListener('load', resolve);
            img.addEventListener('error', resolve);
          }),
    ),
  );
}

/**
 * KaTeX's faces are asked for only once a formula is laid out: where `root`
 * has math, load them all before measuring, or it is measured with fallbacks.
 */
export function loadKatexFaces(root: ParentNode): Promise<unknown> {
  if (!document.fonts || !root.querySelector('.katex')) return Promise.resolve();
  const loads: Promise<unknown>[] = [];
  document.fonts.forEach((face) => {
    if (/KaTeX/.test(face.family)) loads.push(face.load().catch(() => {}));
  });
  return Promise.all(loads);
}
