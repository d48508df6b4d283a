/*
 * The slide frames page: every distinct fitted slide on a frame of its own at the deck's size, laid
 * out as reveal.js shows it (centred vertically) with every fragment shown. The build screenshots
 * the frames (slide images) and, with `structure`, reads here what each slide holds, for the
 * PowerPoint: its title, its text as paragraphs with their list levels, its code with its colours,
 * its tables, and the boxes of what stays a picture (formulas, diagrams, images), all measured.
 */
import type {
  ExtractedSlide,
  ListMark,
  PageGlobal,
  Paragraph,
  Rect,
  SlideFramesResult,
  SlidePart,
  TableCellPart,
  TextRun,
} from './protocol.js';
import { fail, install, readConfig, ready } from './ready.js';

const sg: PageGlobal<'slide-extract'> = install('slide-extract', {});
const config = readConfig<'slide-extract'>();

/** Blocks whose text is read as paragraphs. */
const TEXT_BLOCK = /^(P|H[1-6]|UL|OL|DL|DT|DD|ADDRESS)$/;
/** Blocks that hold other blocks: their children are read in turn. */
const CONTAINER = /^(DIV|BLOCKQUOTE|SECTION|ARTICLE|ASIDE|DETAILS|SUMMARY|FIGURE|HEADER|FOOTER|MAIN|NAV|CENTER)$/;
/** What stays a picture, and why. */
const PICTURES: [string, 'math' | 'diagram' | 'image'][] = [
  ['.sg-math-display', 'math'],
  ['.sg-diagram', 'diagram'],
  ['img, svg, video, canvas, picture', 'image'],
];
/** Text no one sees: KaTeX's MathML, screen-reader text, speaker notes. */
const UNSEEN = '.katex-mathml, .sr-only, aside.notes, script, style, template';
/** A table is a picture when it has more columns than this, or the fitter had to scale it: too wide to stay a legible table. */
const MAX_TABLE_COLUMNS = 12;

let pictureIds = 0;

/* --- colours and fonts ------------------------------------------------------- */

function rgb(css: string): { hex: string; alpha: number } | null {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)/.exec(css);
  if (!m) return null;
  const alpha = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
  const hex = [m[1], m[2], m[3]]
    .map((v) => Math.round(Number(v)).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
  return { hex, alpha };
}

/** A background's colour, or null when it is transparent. */
function fillOf(style: CSSStyleDeclaration): { hex: string; alpha: number } | null {
  const c = rgb(style.backgroundColor);
  return c && c.alpha > 0.02 ? c : null;
}

/** The first family of a font stack: the name a PowerPoint viewer looks for. */
function firstFamily(stack: string): string {
  const first = (stack.split(',')[0] || '').trim().replace(/^["']|["']$/g, '');
  return first || 'sans-serif';
}

/** Opacity of `el` and its ancestors, up to the slide. */
function opacityOf(el: Element, slide: Element): number {
  let opacity = 1;
  for (let e: Element | null = el; e && e !== slide.parentElement; e = e.parentElement)
    opacity *= parseFloat(getComputedStyle(e).opacity) || 1;
  return opacity;
}

/** Whether the computed font size already holds an ancestor's CSS zoom (Chromium's standardized zoom does not). */
const zoomInComputedSize = (() => {
  const outer = document.createElement('div');
  outer.style.zoom = '0.5';
  const inner = document.createElement('span');
  inner.style.fontSize = '20px';
  outer.append(inner);
  document.body.append(outer);
  const size = parseFloat(getComputedStyle(inner).fontSize);
  outer.remove();
  return size !== 20;
})();

/** The zoom the fitter set on `el` or its ancestors (a block scaled to fit). */
function zoomOf(el: Element, slide: Element): number {
  let zoom = 1;
  for (let e: Element | null = el; e && e !== slide; e = e.parentElement) zoom *= parseFloat((e as HTMLElement).style?.zoom || '1') || 1;
  return zoom;
}

/** A size as seen on the slide, in px. */
function seenPx(value: string, el: Element, slide: Element): number {
  const px = parseFloat(value) || 0;
  return zoomInComputedSize ? px : px * zoomOf(el, slide);
}

function lineHeightOf(style: CSSStyleDeclaration, el: Element, slide: Element): number {
  const lh = parseFloat(style.lineHeight);
  return Number.isFinite(lh) ? seenPx(style.lineHeight, el, slide) : seenPx(style.fontSize, el, slide) * 1.2;
}

/* --- geometry ---------------------------------------------------------------- */

let frameRect: DOMRect;

function rectOf(el: Element): Rect {
  const r = el.getBoundingClientRect();
  return { x: r.left - frameRect.left, y: r.top - frameRect.top, w: r.width, h: r.height };
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/* --- text runs --------------------------------------------------------------- */

interface RunContext {
  slide: Element;
  runs: TextRun[];
  /** Pictures met inside the text (an inline image): placed on their own. */
  pictures: SlidePart[];
  breakNext: boolean;
}

function runStyle(el: Element, ctx: RunContext): Omit<TextRun, 'text'> {
  const style = getComputedStyle(el);
  const color = rgb(style.color) ?? { hex: '000000', alpha: 1 };
  const run: Omit<TextRun, 'text'> = {
    sizePx: seenPx(style.fontSize, el, ctx.slide),
    font: firstFamily(style.fontFamily),
    color: color.hex,
    transparency: Math.round((1 - color.alpha * opacityOf(el, ctx.slide)) * 100),
  };
  if (parseInt(style.fontWeight, 10) >= 600) run.bold = true;
  if (/italic|oblique/.test(style.fontStyle)) run.italic = true;
  if (/line-through/.test(style.textDecorationLine)) run.strike = true;
  const shift = el.closest('sup, sub');
  if (shift && ctx.slide.contains(shift)) run[shift.tagName === 'SUP' ? 'sup' : 'sub'] = true;
  const mark = el.closest('mark');
  const markFill = mark ? fillOf(getComputedStyle(mark)) : null;
  if (markFill) run.highlight = markFill.hex;
  const link = el.closest('a[href]')?.getAttribute('href') ?? '';
  if (/^(https?:|mailto:)/i.test(link)) run.link = link;
  return run;
}

function pushText(text: string, el: Element, ctx: RunContext): void {
  if (!text) return;
  const run: TextRun = { text, ...runStyle(el, ctx) };
  if (ctx.breakNext) {
    run.breakBefore = true;
    ctx.breakNext = false;
  }
  const last = ctx.runs[ctx.runs.length - 1];
  const same = last && !run.breakBefore && JSON.stringify({ ...last, text: '' }) === JSON.stringify({ ...run, text: '' });
  if (same) last.text += text;
  else ctx.runs.push(run);
}

/** The TeX of an inline formula (KaTeX keeps it in its MathML): editable, where a picture in a line of text is not. */
function texOf(katex: Element): string {
  return katex.querySelector('annotation[encoding="application/x-tex"]')?.textContent?.trim() || katex.textContent || '';
}

/** Whether `el` stays a picture, and as what. */
function pictureRole(el: Element): 'math' | 'diagram' | 'image' | null {
  for (const [selector, role] of PICTURES) if (el.matches(selector)) return role;
  return null;
}

function picture(el: Element, role: 'math' | 'diagram' | 'image' | 'fallback', why?: string): SlidePart {
  const id = ++pictureIds;
  el.setAttribute('data-sg-pic', String(id));
  const alt = (el.getAttribute('alt') || el.getAttribute('aria-label') || el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 200);
  const part: SlidePart = { kind: 'picture', box: rectOf(el), id, role, alt };
  if (why) part.why = why;
  return part;
}

/** An image that did not load: its alt text, not a broken-image icon. */
function brokenImage(el: Element): boolean {
  return el instanceof HTMLImageElement && (!el.complete || el.naturalWidth === 0);
}

/** Read `node`'s inline content into runs; `stop` elements (nested lists, blocks) are left for the caller. */
function readInline(node: Node, ctx: RunContext, stop: (el: Element) => boolean): void {
  node.childNodes.forEach((child) => {
    if (child.nodeType === Node.TEXT_NODE) {
      pushText(
        (child as Text).data.replace(/[\s\u00ad]+/g, (s) => (s === '\u00ad' ? '' : ' ')),
        child.parentElement!,
        ctx,
      );
      return;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) return;
    const el = child as Element;
    if (el.matches(UNSEEN) || stop(el)) return;
    if (getComputedStyle(el).display === 'none') return;
    if (el.tagName === 'BR') {
      ctx.breakNext = true;
      return;
    }
    if (el.matches('.katex')) {
      // In the text's own size and face: KaTeX sets its formulas 1.21 times larger, in its own fonts.
      pushText(texOf(el), el.parentElement ?? el, ctx);
      return;
    }
    if (el instanceof HTMLInputElement && el.type === 'checkbox') {
      pushText(el.checked ? '☑ ' : '☐ ', el, ctx);
      return;
    }
    const role = pictureRole(el);
    if (role) {
      if (brokenImage(el)) pushText(`[${el.getAttribute('alt') || 'image'}]`, el, ctx);
      else if (el.getBoundingClientRect().width > 0) ctx.pictures.push(picture(el, role));
      return;
    }
    readInline(el, ctx, stop);
  });
}

/** Runs with the paragraph's white space collapsed as HTML collapses it. */
function tidy(runs: TextRun[]): TextRun[] {
  let lastSpace = true;
  const out: TextRun[] = [];
  for (const run of runs) {
    // Runs were merged from several text nodes: their spaces are collapsed again.
    let text = (run.breakBefore ? run.text.replace(/^ /, '') : run.text).replace(/ {2,}/g, ' ');
    if (lastSpace && text.startsWith(' ')) text = text.slice(1);
    if (!text && !run.breakBefore) continue;
    if (text) lastSpace = text.endsWith(' ');
    out.push({ ...run, text });
  }
  const last = out[out.length - 1];
  if (last) last.text = last.text.replace(/ +$/, '');
  return out.filter((r) => r.text || r.breakBefore);
}

/* --- paragraphs and text groups ---------------------------------------------- */

/** Consecutive paragraphs of one container: one text box. */
interface Group {
  parent: Element;
  /** A list's paragraphs are a box of their own: its bullets hang from the box's left edge. */
  list: boolean;
  box: Rect;
  paragraphs: (Paragraph & { top: number; bottom: number; left: number })[];
}

interface Walk {
  slide: Element;
  parts: SlidePart[];
  group: Group | null;
  fallbacks: string[];
}

function flush(walk: Walk): void {
  const group = walk.group;
  walk.group = null;
  if (!group || group.paragraphs.length === 0) return;
  let previousBottom: number | null = null;
  const paragraphs: Paragraph[] = group.paragraphs.map((p) => {
    const { top, bottom, left, ...paragraph } = p;
    paragraph.spaceBeforePx = previousBottom === null ? 0 : Math.max(0, top - previousBottom);
    paragraph.indentPx = Math.max(0, left - group.box.x);
    previousBottom = bottom;
    return paragraph;
  });
  walk.parts.push({ kind: 'text', box: group.box, paragraphs });
}

function listMark(li: Element): ListMark {
  const type = getComputedStyle(li).listStyleType;
  const known: ListMark[] = ['disc', 'circle', 'square', 'decimal', 'lower-alpha', 'upper-alpha', 'lower-roman', 'upper-roman'];
  if (type === 'lower-latin') return 'lower-alpha';
  if (type === 'upper-latin') return 'upper-alpha';
  return (known as string[]).includes(type) ? (type as ListMark) : 'none';
}

/**
 * One paragraph from `el`'s inline content (up to `stop`): its runs, size, alignment and extent.
 * `box` is where its lines are (a list item's own text stops where its nested list starts).
 */
function addParagraph(
  walk: Walk,
  el: Element,
  parent: Element,
  list: { level: number; mark: ListMark | null; start: number; inList?: boolean },
  stop: (e: Element) => boolean,
): void {
  const ctx: RunContext = { slide: walk.slide, runs: [], pictures: [], breakNext: false };
  readInline(el, ctx, stop);
  const runs = tidy(ctx.runs);
  const style = getComputedStyle(el);
  const rect = rectOf(el);
  const firstStop = Array.from(el.children).find(stop);
  const bottom = firstStop ? rectOf(firstStop).y : rect.y + rect.h;
  if (runs.length > 0) {
    const inList = list.inList ?? list.mark !== null;
    if (!walk.group || walk.group.parent !== parent || walk.group.list !== inList) {
      flush(walk);
      walk.group = { parent, list: inList, box: { ...rect, h: bottom - rect.y }, paragraphs: [] };
    }
    const textAlign = style.textAlign;
    walk.group.box = union(walk.group.box, { ...rect, h: bottom - rect.y });
    // The marker hangs left of the item: the box starts where the first marker is.
    if (list.mark !== null) {
      const markerLeft = rect.x - seenPx(getComputedStyle(el.parentElement!).marginLeft, el, walk.slide);
      if (markerLeft < walk.group.box.x)
        walk.group.box = { ...walk.group.box, w: walk.group.box.w + walk.group.box.x - markerLeft, x: markerLeft };
    }
    walk.group.paragraphs.push({
      runs,
      level: list.level,
      mark: list.mark,
      start: list.start,
      indentPx: 0,
      sizePx: seenPx(style.fontSize, el, walk.slide),
      lineHeightPx: lineHeightOf(style, el, walk.slide),
      spaceBeforePx: 0,
      align: textAlign === 'center' ? 'center' : textAlign === 'right' || textAlign === 'end' ? 'right' : 'left',
      top: rect.y,
      bottom,
      left: rect.x,
    });
  }
  if (ctx.pictures.length > 0) {
    // A paragraph that is only an image is the picture alone; one with text keeps its text box too.
    if (runs.length === 0) flush(walk);
    walk.parts.push(...ctx.pictures);
  }
}

/** Elements inside a list item that are not its inline text. */
const isBlockInItem = (e: Element) =>
  e.tagName === 'UL' || e.tagName === 'OL' || e.tagName === 'P' || e.tagName === 'PRE' || e.tagName === 'TABLE' || isBlockish(e);

/** Tags that are blocks whatever their display: a flex or grid container makes every child a block. */
const BLOCK_TAGS = /^(DIV|P|UL|OL|DL|PRE|TABLE|BLOCKQUOTE|SECTION|ARTICLE|ASIDE|DETAILS|FIGURE|HEADER|FOOTER|H[1-6]|HR)$/;

function isBlockish(e: Element): boolean {
  if (e.matches(UNSEEN)) return false;
  const parent = e.parentElement ? getComputedStyle(e.parentElement).display : '';
  if (/flex|grid/.test(parent)) return BLOCK_TAGS.test(e.tagName);
  const display = getComputedStyle(e).display;
  return (
    display === 'block' ||
    display === 'flex' ||
    display === 'grid' ||
    display === 'table' ||
    display === 'flow-root' ||
    display === 'list-item'
  );
}

function readList(walk: Walk, list: Element, parent: Element, level: number): void {
  const start = Number(list.getAttribute('start') || '1') || 1;
  Array.from(list.children).forEach((li) => {
    if (li.tagName !== 'LI' || getComputedStyle(li).display === 'none') return;
    const mark = listMark(li);
    // The item's own text (up to its first block), then its blocks: paragraphs, nested lists, code.
    addParagraph(walk, li, parent, { level, mark, start }, isBlockInItem);
    Array.from(li.children).forEach((child) => {
      if (!isBlockInItem(child)) return;
      if (child.tagName === 'UL' || child.tagName === 'OL') readList(walk, child, parent, level + 1);
      else if (child.tagName === 'P') addParagraph(walk, child, parent, { level, mark: null, start, inList: true }, () => false);
      else readBlock(walk, child, parent);
    });
  });
}

/* --- code and tables --------------------------------------------------------- */

function readCode(walk: Walk, pre: Element): void {
  const lines: TextRun[][] = [[]];
  const ctx: RunContext = { slide: walk.slide, runs: [], pictures: [], breakNext: false };
  const add = (text: string, el: Element) => {
    text.split('\n').forEach((piece, i) => {
      if (i > 0) lines.push([]);
      if (!piece) return;
      const run: TextRun = { text: piece, ...runStyle(el, ctx) };
      const line = lines[lines.length - 1]!;
      const last = line[line.length - 1];
      if (last && JSON.stringify({ ...last, text: '' }) === JSON.stringify({ ...run, text: '' })) last.text += piece;
      else line.push(run);
    });
  };
  const pseudo = (where: '::before' | '::after') => {
    const content = getComputedStyle(pre, where).content;
    return content && content !== 'none' && content !== 'normal' ? content.replace(/^["']|["']$/g, '') : '';
  };
  const before = pseudo('::before');
  if (before) {
    add(before, pre);
    lines.push([]);
  }
  const visit = (node: Node) => {
    node.childNodes.forEach((child) => {
      if (child.nodeType === Node.TEXT_NODE) add((child as Text).data, child.parentElement!);
      else if (child.nodeType === Node.ELEMENT_NODE && !(child as Element).matches(UNSEEN)) {
        const el = child as Element;
        const block = getComputedStyle(el).display === 'block';
        if (block && lines[lines.length - 1]!.length > 0) lines.push([]);
        visit(el);
      }
    });
  };
  visit(pre);
  while (lines.length > 1 && lines[lines.length - 1]!.length === 0) lines.pop();
  const after = pseudo('::after');
  if (after) lines.push([{ text: after, ...runStyle(pre, ctx), italic: true }]);
  const code = pre.querySelector('code') || pre;
  const codeStyle = getComputedStyle(code);
  const fill = fillOf(codeStyle) ?? fillOf(getComputedStyle(pre));
  const border = rgb(getComputedStyle(pre).borderTopColor);
  flush(walk);
  walk.parts.push({
    kind: 'code',
    box: rectOf(pre),
    lines,
    lineHeightPx: lineHeightOf(codeStyle, code, walk.slide),
    padPx: seenPx(codeStyle.paddingLeft, code, walk.slide),
    fill: fill?.hex ?? null,
    border: border && parseFloat(getComputedStyle(pre).borderTopWidth) > 0 ? border.hex : null,
  });
}

function readTable(walk: Walk, table: HTMLTableElement): void {
  flush(walk);
  const columns = Math.max(0, ...Array.from(table.rows).map((r) => Array.from(r.cells).reduce((n, c) => n + c.colSpan, 0)));
  if (columns > MAX_TABLE_COLUMNS || zoomOf(table, walk.slide) < 1) {
    const why = `${columns}-column table${zoomOf(table, walk.slide) < 1 ? ' scaled to fit the slide' : ''}`;
    walk.parts.push(picture(table, 'fallback', why));
    walk.fallbacks.push(`a ${why} is a picture (too wide to stay legible as a table)`);
    return;
  }
  const rows: TableCellPart[][] = [];
  const rowH: number[] = [];
  let colW: number[] = [];
  Array.from(table.rows).forEach((row) => {
    rowH.push(rectOf(row).h);
    const cells = Array.from(row.cells);
    if (colW.length === 0 && cells.every((c) => c.colSpan === 1) && cells.length === columns) colW = cells.map((c) => rectOf(c).w);
    rows.push(
      cells.map((cell) => {
        const sub: Walk = { slide: walk.slide, parts: [], group: null, fallbacks: walk.fallbacks };
        readFlow(sub, cell);
        flush(sub);
        const paragraphs = sub.parts.flatMap((p) => (p.kind === 'text' ? p.paragraphs : []));
        const fill = fillOf(getComputedStyle(cell)) ?? fillOf(getComputedStyle(row));
        return {
          paragraphs,
          header: cell.tagName === 'TH' || row.parentElement?.tagName === 'THEAD',
          fill: fill?.hex ?? null,
          colspan: cell.colSpan,
          rowspan: cell.rowSpan,
        };
      }),
    );
  });
  const box = rectOf(table);
  if (colW.length !== columns) colW = Array.from({ length: columns }, () => box.w / Math.max(1, columns));
  const border = rgb(getComputedStyle(table.rows[0]?.cells[0] ?? table).borderBottomColor);
  walk.parts.push({ kind: 'table', box, rows, colW, rowH, border: border?.hex ?? '888888' });
}

/* --- blocks ------------------------------------------------------------------ */

/** A container's background or bar, drawn behind its content. */
function backdrop(walk: Walk, el: Element): void {
  const style = getComputedStyle(el);
  const fill = fillOf(style);
  const left = parseFloat(style.borderLeftWidth) || 0;
  const top = parseFloat(style.borderTopWidth) || 0;
  const barColor = rgb(style.borderLeftColor);
  const bar = left > top && barColor && barColor.alpha > 0.02 ? { color: barColor.hex, px: left } : null;
  const lineColor = rgb(style.borderTopColor);
  const line = top > 0 && lineColor && lineColor.alpha > 0.02 ? lineColor.hex : null;
  if (!fill && !bar && !line) return;
  flush(walk);
  walk.parts.push({
    kind: 'shape',
    box: rectOf(el),
    fill: fill?.hex ?? null,
    fillTransparency: fill ? Math.round((1 - fill.alpha) * 100) : 0,
    line,
    bar,
  });
}

function readBlock(walk: Walk, el: Element, parent: Element): void {
  if (el.matches(UNSEEN) || getComputedStyle(el).display === 'none') return;
  const rect = el.getBoundingClientRect();
  if (rect.width === 0 && rect.height === 0) return;
  const role = pictureRole(el);
  if (role) {
    flush(walk);
    if (brokenImage(el)) {
      addParagraph(walk, el, parent, { level: 0, mark: null, start: 1 }, () => false);
      walk.fallbacks.push(`an image that could not be loaded is its text "${el.getAttribute('alt') || ''}"`);
    } else walk.parts.push(picture(el, role));
    return;
  }
  if (el.tagName === 'PRE') return readCode(walk, el);
  if (el instanceof HTMLTableElement) return readTable(walk, el);
  if (el.tagName === 'UL' || el.tagName === 'OL') return readList(walk, el, parent, 0);
  if (el.tagName === 'HR') return flush(walk);
  if (TEXT_BLOCK.test(el.tagName)) return addParagraph(walk, el, parent, { level: 0, mark: null, start: 1 }, () => false);
  const hasBlocks = Array.from(el.children).some((c) => isBlockish(c) || c.tagName === 'P' || c.tagName === 'PRE' || c.tagName === 'TABLE');
  if (CONTAINER.test(el.tagName) || hasBlocks) {
    backdrop(walk, el);
    readFlow(walk, el);
    return;
  }
  if ((el.textContent || '').trim()) return addParagraph(walk, el, parent, { level: 0, mark: null, start: 1 }, () => false);
  // An empty element shows at most its CSS (a callout's icon, a rule): nothing to edit, nothing lost.
  if (el.children.length === 0 && !/^(IFRAME|OBJECT|EMBED|INPUT|METER|PROGRESS)$/.test(el.tagName)) return;
  // Something without text that is not a known picture (a raw-HTML widget): its picture.
  flush(walk);
  const what = `<${el.tagName.toLowerCase()}${el.className ? ` class="${String(el.className)}"` : ''}>`;
  walk.parts.push(picture(el, 'fallback', what));
  walk.fallbacks.push(`a ${what} element is a picture`);
}

/** The blocks of `container`, in order; loose inline content between them is a paragraph of its own. */
function readFlow(walk: Walk, container: Element): void {
  let inline: Node[] = [];
  const flushInline = () => {
    if (inline.some((n) => n.nodeType === Node.ELEMENT_NODE || (n.textContent || '').trim())) {
      // Loose inline content between blocks (a callout's text after its title): wrapped, it is read as a paragraph.
      const span = document.createElement('span');
      container.insertBefore(span, inline[0]!);
      inline.forEach((n) => span.append(n));
      addParagraph(walk, span, container, { level: 0, mark: null, start: 1 }, () => false);
    }
    inline = [];
  };
  Array.from(container.childNodes).forEach((node) => {
    if (node.nodeType === Node.ELEMENT_NODE && (isBlockish(node as Element) || TEXT_BLOCK.test((node as Element).tagName))) {
      flushInline();
      readBlock(walk, node as Element, container);
    } else if (node.nodeType === Node.TEXT_NODE || node.nodeType === Node.ELEMENT_NODE) inline.push(node);
  });
  flushInline();
}

/* --- slides ------------------------------------------------------------------ */

/** Speaker notes as plain text: a line per paragraph, list items with a bullet. */
function notesOf(section: Element): string {
  const aside = section.querySelector(':scope > aside.notes');
  if (!aside) return '';
  const lines: string[] = [];
  const text = (el: Element) => (el.textContent || '').replace(/\s+/g, ' ').trim();
  const visit = (el: Element, depth: number) => {
    Array.from(el.children).forEach((child) => {
      if (child.tagName === 'UL' || child.tagName === 'OL')
        Array.from(child.children).forEach((li) => {
          const own = Array.from(li.childNodes)
            .filter((n) => !(n instanceof Element && (n.tagName === 'UL' || n.tagName === 'OL')))
            .map((n) => n.textContent || '')
            .join('')
            .replace(/\s+/g, ' ')
            .trim();
          lines.push(`${'  '.repeat(depth)}• ${own}`);
          Array.from(li.children).forEach((c) => {
            if (c.tagName === 'UL' || c.tagName === 'OL') visit({ children: [c] } as unknown as Element, depth + 1);
          });
        });
      else if (child.tagName === 'PRE') lines.push(child.textContent || '');
      else if (/^(DIV|BLOCKQUOTE|SECTION)$/.test(child.tagName)) visit(child, depth);
      else if (text(child)) lines.push(text(child));
    });
  };
  visit(aside, 0);
  if (lines.length === 0 && text(aside)) lines.push(text(aside));
  return lines.join('\n');
}

function extract(frame: HTMLElement, section: HTMLElement): ExtractedSlide {
  frameRect = frame.getBoundingClientRect();
  const frameBox: Rect = { x: frameRect.left + window.scrollX, y: frameRect.top + window.scrollY, w: frameRect.width, h: frameRect.height };
  const titleEl = section.querySelector(':scope > .sg-title');
  const walk: Walk = { slide: section, parts: [], group: null, fallbacks: [] };
  let title: ExtractedSlide['title'] = null;
  if (config.structure) {
    if (titleEl) {
      const sub: Walk = { slide: section, parts: [], group: null, fallbacks: [] };
      addParagraph(sub, titleEl, section, { level: 0, mark: null, start: 1 }, () => false);
      flush(sub);
      const part = sub.parts.find((p) => p.kind === 'text');
      if (part && part.kind === 'text') title = { box: part.box, paragraphs: part.paragraphs };
    }
    Array.from(section.childNodes).forEach((node) => {
      if (node === titleEl) return flush(walk);
      if (node.nodeType === Node.ELEMENT_NODE) readBlock(walk, node as Element, section);
      else if ((node.textContent || '').trim()) {
        const span = document.createElement('span');
        section.insertBefore(span, node);
        span.append(node);
        addParagraph(walk, span, section, { level: 0, mark: null, start: 1 }, () => false);
      }
    });
    flush(walk);
  }
  return {
    frame: frameBox,
    title,
    name: (titleEl?.textContent || '').replace(/\s+/g, ' ').trim(),
    parts: walk.parts,
    notes: config.structure ? notesOf(section) : '',
    fallbacks: walk.fallbacks,
  };
}

/** reveal.js's layout of a slide (`center: true`): centred vertically, never above the top. */
function place(section: HTMLElement): void {
  section.style.top = `${Math.max((config.height - section.scrollHeight) / 2, 0)}px`;
}

function run(): void {
  // The final state: every fragment shown, as after the last key press.
  document.querySelectorAll('.fragment').forEach((f) => f.classList.add('visible'));
  const frames = Array.from(document.querySelectorAll<HTMLElement>('.sg-frame'));
  frames.forEach((frame) => {
    const section = frame.querySelector<HTMLElement>('.slides > section');
    if (section) place(section);
  });
  const slides = frames.map((frame) => {
    const section = frame.querySelector<HTMLElement>('.slides > section');
    return section ? extract(frame, section) : { frame: rectOf(frame), title: null, name: '', parts: [], notes: '', fallbacks: [] };
  });
  const background = rgb(getComputedStyle(document.body).backgroundColor)?.hex ?? 'FFFFFF';
  const result: SlideFramesResult = { slides, background };
  ready(sg, result);
}

const fontsReady = () => (document.fonts ? document.fonts.ready : Promise.resolve());
const go = () => {
  fontsReady().then(run).catch(fail);
};
if (document.readyState === 'complete') go();
else window.addEventListener('load', go);
