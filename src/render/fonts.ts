/**
 * Fonts bundled through npm (@fontsource), so every machine prints the same
 * sheet and text in other scripts prints as glyphs, not boxes: Noto Sans
 * (Latin, Greek, Cyrillic, Vietnamese), Noto Sans Arabic, Noto Sans SC (Chinese
 * and Japanese kana), Noto Sans KR (Hangul), Noto Emoji, Noto Sans Mono.
 * Copied into `<out>/fonts/`; Chromium loads only the unicode ranges a page uses.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OutputFile } from '../output.js';

const require = createRequire(import.meta.url);

/** Package and the weight/style files the sheet uses. */
const FONTS: [string, string[]][] = [
  ['noto-sans', ['400.css', '700.css', '400-italic.css', '700-italic.css']],
  ['noto-sans-mono', ['400.css', '700.css']],
  ['noto-sans-arabic', ['400.css', '700.css']],
  ['noto-sans-sc', ['400.css', '700.css']],
  ['noto-sans-kr', ['400.css', '700.css']],
  // Monochrome outlines: colour emoji fonts (COLR) print as blank glyphs in Chromium's PDFs.
  ['noto-emoji', ['400.css']],
];

/** The emoji font's stylesheet in the output (decks use it for callout icons). */
export const EMOJI_CSS = 'fonts/noto-emoji/400.css';

/** The CSS font stacks; the families are those of the bundled files. */
export const FONT_STACKS = {
  body: '"Noto Sans", "Noto Sans Arabic", "Noto Sans SC", "Noto Sans KR", "Noto Emoji", sans-serif',
  mono: '"Noto Sans Mono", "Noto Sans SC", "Noto Sans KR", "Noto Emoji", monospace',
};

/** One @font-face rule of a package stylesheet, with its unicode range (null: all of Unicode). */
interface Face {
  rule: string;
  /** The range's spans as first, last, first, last, … code point. */
  spans: number[] | null;
}

/** Parsed package stylesheets by file: a builder keeps them, so a rebuild does not parse them again. */
export type FontFaces = Map<string, Face[]>;

/**
 * The font CSS and the woff2 files it names, for `<out>/fonts/`; `sheets` are the stylesheets' paths
 * relative to the output folder. Only the faces whose unicode range holds one of `used` (the characters
 * the outputs show) go along: the packages hold 150 MB of faces (mostly Chinese and
 * Korean subsets) that a page only ever loads for text it has.
 */
export async function fontFiles(used: Set<number>, parsed: FontFaces = new Map()): Promise<{ sheets: string[]; files: OutputFile[] }> {
  const sheets: string[] = [];
  const files: OutputFile[] = [];
  const points = Int32Array.from(used).sort();
  await Promise.all(
    FONTS.flatMap(([name, cssFiles]) => {
      const root = path.dirname(require.resolve(`@fontsource/${name}/package.json`));
      return cssFiles.map(async (file) => {
        const source = path.join(root, file);
        if (!parsed.has(source)) parsed.set(source, parseFaces(await readFile(source, 'utf8')));
        const css = parsed
          .get(source)!
          .filter((face) => holdsAny(face, points))
          .map((face) => face.rule)
          .join('');
        // Only the woff2 files: Chromium takes the first format it supports and never asks for the woff.
        const woff2 = [...new Set([...css.matchAll(/url\(\.\/(files\/[^)]+\.woff2)\)/g)].map((m) => m[1]!))];
        files.push(...woff2.map((f) => ({ path: `fonts/${name}/${f}`, copyFrom: path.join(root, f) })));
        files.push({ path: `fonts/${name}/${file}`, data: css });
        sheets.push(`fonts/${name}/${file}`);
      });
    }),
  );
  return { sheets: sheets.sort(), files };
}

/** The code points of `texts`, for `fontFiles`. */
export function codePoints(texts: Iterable<string>): Set<number> {
  const points = new Set<number>();
  for (const text of texts) for (const ch of text) points.add(ch.codePointAt(0)!);
  return points;
}

/** The @font-face rules of a stylesheet (each with the comment before it), and their unicode ranges. */
function parseFaces(css: string): Face[] {
  return [...css.matchAll(/(?:\/\*[^*]*\*\/\s*)?@font-face\s*\{[^}]*\}\s*/g)].map(([rule]) => {
    const range = /unicode-range:\s*([^;}]+)/.exec(rule)?.[1];
    if (range === undefined) return { rule, spans: null };
    // One pass, few strings: the stylesheets hold some 33,000 spans (most of them CJK), parsed at every cold start.
    const spans: number[] = [];
    for (const [, from, to] of range.matchAll(/(?:U\+)?([0-9a-f?]+)(?:-([0-9a-f]+))?/gi)) {
      const wild = from!.includes('?');
      spans.push(parseInt(wild ? from!.replace(/\?/g, '0') : from!, 16), parseInt(to ?? (wild ? from!.replace(/\?/g, 'F') : from!), 16));
    }
    return { rule, spans };
  });
}

/** Whether one of `points` (sorted) is in the face's range. */
function holdsAny(face: Face, points: Int32Array): boolean {
  const spans = face.spans;
  if (!spans) return true;
  for (let i = 0; i < spans.length; i += 2) {
    const lo = spans[i]!;
    let a = 0;
    let b = points.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (points[mid]! < lo) a = mid + 1;
      else b = mid;
    }
    if (a < points.length && points[a]! <= spans[i + 1]!) return true;
  }
  return false;
}

/** The @font-face rules of `css` whose `unicode-range` holds one of `used` (a rule without one is kept). */
export function keepFaces(css: string, used: Set<number>): string {
  const points = Int32Array.from(used).sort();
  return parseFaces(css)
    .filter((face) => holdsAny(face, points))
    .map((face) => face.rule)
    .join('');
}
