/**
 * A deck as an editable PowerPoint: the slides' structure, as the frames page read it
 * (src/page/slide-extract.ts), turned into pptxgenjs calls. Titles go in the title placeholder,
 * text in text boxes with their bullets and levels, code as monospace text in its colours, tables
 * as tables; formulas, diagrams and images are the pictures taken of them. Boxes are where the
 * HTML slide has them (a slide pixel is 1/96 inch), and every text box shrinks its text on
 * overflow, so a viewer that substitutes a font still shows it all.
 */
import JSZip from 'jszip';
import pptxgenjs from 'pptxgenjs';
import type { ExtractedSlide, Paragraph, Rect, SlidePart, TextRun } from '../page/protocol.js';

/**
 * The package's types are CommonJS ones (the class is their `.default`); Node loads its ES module,
 * whose default export is the class itself.
 */
type PptxClass = typeof pptxgenjs.default;
const PptxGenJS: PptxClass = (pptxgenjs as unknown as { default?: PptxClass }).default ?? (pptxgenjs as unknown as PptxClass);
type TextProps = pptxgenjs.default.TextProps;
type TextOptions = NonNullable<TextProps['options']>;
type Slide = pptxgenjs.default.Slide;

/** Slide pixels (CSS px) per inch, and points per pixel. */
const PX_PER_IN = 96;
const PT_PER_PX = 0.75;
const EMU_PER_PX = 914400 / PX_PER_IN;

const inch = (px: number) => Math.round((px / PX_PER_IN) * 10_000) / 10_000;
const pt = (px: number) => Math.round(px * PT_PER_PX * 100) / 100;

/**
 * Room a text box gets beyond its measured text: a viewer's substitute font (wider than the
 * theme's) wraps sooner, and the box grows into the free space below it before anything shrinks.
 */
const SLACK_PX = 6;

export interface PptxDeckInput {
  title: string;
  slides: ExtractedSlide[];
  /** PNG of each picture, by its id. */
  pictures: Map<number, Uint8Array>;
  width: number;
  height: number;
  /** Room around the slide, as a share of its size (reveal.js's margin): the slide is that much larger. */
  margin: number;
  /** The theme's background, `RRGGBB`. */
  background: string;
}

/** `slide` moved by (dx, dy): into the margin the PowerPoint slide has around the deck's. */
function shifted(slide: ExtractedSlide, dx: number, dy: number): ExtractedSlide {
  const move = (box: Rect): Rect => ({ ...box, x: box.x + dx, y: box.y + dy });
  return {
    ...slide,
    title: slide.title ? { ...slide.title, box: move(slide.title.box) } : null,
    parts: slide.parts.map((part) => ({ ...part, box: move(part.box) })),
  };
}

const NUMBERING: Record<string, string> = {
  decimal: 'arabicPeriod',
  'lower-alpha': 'alphaLcPeriod',
  'upper-alpha': 'alphaUcPeriod',
  'lower-roman': 'romanLcPeriod',
  'upper-roman': 'romanUcPeriod',
};
const BULLETS: Record<string, string> = { disc: '2022', circle: '25E6', square: '25AA' };

function runOptions(run: TextRun): TextOptions {
  const options: TextOptions = { fontSize: pt(run.sizePx), fontFace: run.font, color: run.color };
  if (run.transparency > 0) options.transparency = Math.min(100, run.transparency);
  if (run.bold) options.bold = true;
  if (run.italic) options.italic = true;
  if (run.strike) options.strike = 'sngStrike';
  if (run.sup) options.superscript = true;
  if (run.sub) options.subscript = true;
  if (run.highlight) options.highlight = run.highlight;
  if (run.link) options.hyperlink = { url: run.link };
  if (run.breakBefore) options.softBreakBefore = true;
  return options;
}

/** What a paragraph's first run carries for the whole paragraph: alignment, spacing, its bullet. */
function paragraphOptions(p: Paragraph): TextOptions {
  const options: TextOptions = { align: p.align, lineSpacing: pt(p.lineHeightPx) };
  if (p.spaceBeforePx > 0.5) options.paraSpaceBefore = pt(p.spaceBeforePx);
  if (p.mark !== null && p.mark !== 'none') {
    // pptxgenjs puts the text at `indent` × (level + 1) from the box: the measured start, shared out.
    const indent = pt(p.indentPx / (p.level + 1));
    const numbered = NUMBERING[p.mark];
    options.bullet = numbered
      ? { type: 'number', style: numbered, numberStartAt: p.start, indent }
      : { characterCode: BULLETS[p.mark] ?? '2022', indent };
    if (p.level > 0) options.indentLevel = p.level;
  }
  return options;
}

/** Paragraphs as pptxgenjs text: a paragraph ends with `breakLine`; one wrapped over lines stays one `<a:p>`. */
function textProps(paragraphs: Paragraph[]): TextProps[] {
  const out: TextProps[] = [];
  paragraphs.forEach((p, i) => {
    const first = paragraphOptions(p);
    const runs = p.runs.length > 0 ? p.runs : [{ text: '', sizePx: p.sizePx, font: '', color: '000000', transparency: 0 }];
    runs.forEach((run, j) => {
      const options: TextOptions = { ...runOptions(run), align: p.align, ...(j === 0 ? first : {}) };
      if (j === runs.length - 1 && i < paragraphs.length - 1) options.breakLine = true;
      out.push({ text: run.text, options });
    });
  });
  return out;
}

/**
 * Each text box grown into the free space below it (up to the next part or the slide's foot) and
 * beside it (up to the slide's edge: a list set in a narrow column, or centred, wraps no sooner).
 */
function slackBoxes(parts: SlidePart[], area: Rect): Map<SlidePart, Rect> {
  const boxes = new Map<SlidePart, Rect>();
  const overlaps = (a: number, aw: number, b: number, bw: number) => a < b + bw && a + aw > b;
  for (const part of parts) {
    const { box } = part;
    if (part.kind !== 'text' && part.kind !== 'code') {
      boxes.set(part, box);
      continue;
    }
    const others = parts.filter((o) => o !== part && o.kind !== 'shape');
    const below = others.filter((o) => o.box.y >= box.y + box.h - 1 && overlaps(o.box.x, o.box.w, box.x, box.w)).map((o) => o.box.y);
    const bottom = Math.min(area.y + area.h, ...below);
    const h = Math.max(box.h, Math.min(box.h + SLACK_PX * 4, bottom - box.y));
    if (part.kind === 'code') {
      boxes.set(part, { ...box, h });
      continue;
    }
    const beside = (o: SlidePart) => overlaps(o.box.y, o.box.h, box.y, h);
    const right = Math.min(area.x + area.w, ...others.filter((o) => beside(o) && o.box.x >= box.x + box.w - 1).map((o) => o.box.x));
    const left = Math.max(area.x, ...others.filter((o) => beside(o) && o.box.x + o.box.w <= box.x + 1).map((o) => o.box.x + o.box.w));
    const centred = part.paragraphs.every((p) => p.align === 'center');
    const grow = centred ? Math.max(0, Math.min(box.x - left, right - box.x - box.w)) : 0;
    boxes.set(part, { x: box.x - grow, y: box.y, w: centred ? box.w + 2 * grow : Math.max(box.w, right - box.x), h });
  }
  return boxes;
}

const position = (box: Rect) => ({ x: inch(box.x), y: inch(box.y), w: inch(Math.max(box.w, 1)), h: inch(Math.max(box.h, 1)) });

function addPart(slide: Slide, part: SlidePart, box: Rect, pictures: Map<number, Uint8Array>): void {
  switch (part.kind) {
    case 'shape': {
      slide.addShape('rect', {
        ...position(part.box),
        fill: part.fill ? { color: part.fill, transparency: part.fillTransparency } : { type: 'none' },
        line: part.line ? { color: part.line, width: 0.75 } : { type: 'none' },
      });
      if (part.bar)
        slide.addShape('rect', { ...position({ ...part.box, w: part.bar.px }), fill: { color: part.bar.color }, line: { type: 'none' } });
      return;
    }
    case 'text':
      slide.addText(textProps(part.paragraphs), { ...position(box), margin: 0, valign: 'top', fit: 'shrink', wrap: true });
      return;
    case 'code': {
      const lines = part.lines.map((runs) =>
        runs.map((r) => ({ ...r, text: r.text.replace(/\t/g, '    ') })).filter((r) => r.text.length > 0),
      );
      const size = part.lines.flat()[0]?.sizePx ?? 12;
      const font = part.lines.flat()[0]?.font ?? 'monospace';
      const paragraphs: Paragraph[] = lines.map((runs) => ({
        runs: runs.length > 0 ? runs : [{ text: '', sizePx: size, font, color: '000000', transparency: 0 }],
        level: 0,
        mark: null,
        start: 1,
        indentPx: 0,
        sizePx: size,
        lineHeightPx: part.lineHeightPx,
        spaceBeforePx: 0,
        align: 'left',
      }));
      slide.addText(textProps(paragraphs), {
        ...position(box),
        margin: pt(part.padPx),
        valign: 'top',
        fit: 'shrink',
        wrap: true,
        fill: part.fill ? { color: part.fill } : { type: 'none' },
        line: part.border ? { color: part.border, width: 0.75 } : { type: 'none' },
      });
      return;
    }
    case 'table': {
      const rows = part.rows.map((row) =>
        row.map((cell) => ({
          text: textProps(cell.paragraphs),
          options: {
            ...(cell.fill ? { fill: { color: cell.fill } } : {}),
            ...(cell.colspan > 1 ? { colspan: cell.colspan } : {}),
            ...(cell.rowspan > 1 ? { rowspan: cell.rowspan } : {}),
            valign: 'top' as const,
            // Inches (pptxgenjs reads a margin under 1 as inches): the cells' CSS padding, about 4 by 8 px.
            margin: [inch(3), inch(6), inch(3), inch(6)] as [number, number, number, number],
          },
        })),
      );
      slide.addTable(rows, {
        ...position(part.box),
        colW: part.colW.map(inch),
        rowH: part.rowH.map(inch),
        border: { type: 'solid', pt: 0.75, color: part.border },
      });
      return;
    }
    case 'picture': {
      const png = pictures.get(part.id);
      if (!png) return;
      slide.addImage({
        ...position(part.box),
        data: `image/png;base64,${Buffer.from(png).toString('base64')}`,
        altText: part.alt || part.role,
      });
      return;
    }
  }
}

/** One deck's `.pptx`. */
export async function pptxDeck(input: PptxDeckInput): Promise<Uint8Array> {
  const pptx = new PptxGenJS();
  const width = input.width * (1 + input.margin);
  const height = input.height * (1 + input.margin);
  const slides = input.slides.map((s) => shifted(s, (width - input.width) / 2, (height - input.height) / 2));
  pptx.defineLayout({ name: 'studyguide', width: inch(width), height: inch(height) });
  pptx.layout = 'studyguide';
  pptx.title = input.title;
  pptx.author = 'studyguide';
  const firstTitleRun = slides.find((s) => s.title)?.title?.paragraphs[0]?.runs[0];
  const firstBodyRun = slides
    .flatMap((s) => s.parts)
    .flatMap((p) => (p.kind === 'text' ? p.paragraphs : []))
    .find((p) => p.runs.length > 0)?.runs[0];
  // The theme's families: what PowerPoint offers for new text on these slides.
  pptx.theme = { headFontFace: firstTitleRun?.font ?? 'Calibri Light', bodyFontFace: firstBodyRun?.font ?? 'Calibri' };
  pptx.defineSlideMaster({
    title: 'studyguide',
    background: { color: input.background },
    objects: [{ placeholder: { options: { name: 'title', type: 'title', x: 0.4, y: 0.3, w: inch(width) - 0.8, h: 1 }, text: '' } }],
  });
  const titleBoxes: (Rect | null)[] = [];
  const headerTables: boolean[][] = [];
  for (const extracted of slides) {
    const slide = pptx.addSlide({ masterName: 'studyguide' });
    const title = extracted.title;
    if (title) {
      slide.addText(textProps(title.paragraphs), { placeholder: 'title', margin: 0, valign: 'top', fit: 'shrink', wrap: true });
      titleBoxes.push({ ...title.box, w: title.box.w + 2, h: title.box.h + SLACK_PX });
    } else titleBoxes.push(null);
    const boxes = slackBoxes(extracted.parts, {
      x: (width - input.width) / 2,
      y: (height - input.height) / 2,
      w: input.width,
      h: input.height,
    });
    for (const part of extracted.parts) addPart(slide, part, boxes.get(part) ?? part.box, input.pictures);
    headerTables.push(extracted.parts.flatMap((p) => (p.kind === 'table' ? [p.rows[0]?.every((c) => c.header) ?? false] : [])));
    if (extracted.notes) slide.addNotes(extracted.notes);
  }
  const written = (await pptx.write({ outputType: 'uint8array', compression: true })) as Uint8Array;
  return repair(written, titleBoxes, headerTables);
}

/* --- what pptxgenjs writes, made valid and placed -------------------------------------------- */

/**
 * pptxgenjs 4.0.1 writes an `<a:pPr>` before every run of a paragraph, where the schema allows
 * one, first (PowerPoint asks to repair such a file): all but the first are dropped.
 */
export function onePprPerParagraph(xml: string): string {
  return xml.replace(/<a:p>([\s\S]*?)<\/a:p>/g, (_whole, body: string) => {
    let seen = false;
    const kept = body.replace(/<a:pPr\b[^>]*\/>|<a:pPr\b[^>]*>[\s\S]*?<\/a:pPr>/g, (ppr: string, offset: number) => {
      const keep = !seen && offset === 0;
      seen = true;
      return keep ? ppr : '';
    });
    return `<a:p>${kept}</a:p>`;
  });
}

/** The title placeholder where the HTML slide has its title (pptxgenjs puts it where the layout's is). */
function placeTitle(xml: string, box: Rect | null): string {
  if (!box) return xml;
  const at = xml.indexOf('type="title"');
  if (at < 0) return xml;
  const emu = (px: number) => Math.max(0, Math.round(px * EMU_PER_PX));
  const rest = xml
    .slice(at)
    .replace(
      /<a:xfrm><a:off x="\d+" y="\d+"\/><a:ext cx="\d+" cy="\d+"\/><\/a:xfrm>/,
      `<a:xfrm><a:off x="${emu(box.x)}" y="${emu(box.y)}"/><a:ext cx="${emu(box.w)}" cy="${emu(box.h)}"/></a:xfrm>`,
    );
  return xml.slice(0, at) + rest;
}

/** A table whose first row is its header says so (PowerPoint's "Header Row"). */
function markHeaderRows(xml: string, headers: boolean[]): string {
  let i = 0;
  return xml.replace(/<a:tbl><a:tblPr\/>/g, (whole) => (headers[i++] ? '<a:tbl><a:tblPr firstRow="1"/>' : whole));
}

async function repair(file: Uint8Array, titles: (Rect | null)[], headers: boolean[][]): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(file);
  await Promise.all(
    titles.map(async (box, i) => {
      const name = `ppt/slides/slide${i + 1}.xml`;
      const xml = await zip.file(name)?.async('string');
      if (xml === undefined) return;
      zip.file(name, markHeaderRows(placeTitle(onePprPerParagraph(xml), box), headers[i] ?? []));
    }),
  );
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
