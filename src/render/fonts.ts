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

/**
 * The font CSS and the woff2 files it names, for `<out>/fonts/`; `sheets` are the stylesheets' paths
 * relative to the output folder. With `used` (the characters the outputs show), only the faces whose
 * unicode range holds one of them go along: the packages hold 150 MB of faces (mostly Chinese and
 * Korean subsets) that a page only ever loads for text it has.
 */
export async function fontFiles(used?: Set<number>): Promise<{ sheets: string[]; files: OutputFile[] }> {
  const sheets: string[] = [];
  const files: OutputFile[] = [];
  await Promise.all(
    FONTS.flatMap(([name, cssFiles]) => {
      const root = path.dirname(require.resolve(`@fontsource/${name}/package.json`));
      return cssFiles.map(async (file) => {
        const source = await readFile(path.join(root, file), 'utf8');
        const css = used ? keepFaces(source, used) : source;
        // Only the woff2 files: Chromium takes the first format it supports and never asks for the woff.
        const woff2 = [...new Set([...css.matchAll(/url\(\.\/(files\/[^)]+\.woff2)\)/g)].map((m) => m[1]!))];
        files.push(...woff2.map((f) => ({ path: `fonts/${name}/${f}`, copyFrom: path.join(root, f) })));
        files.push(
          used ? { path: `fonts/${name}/${file}`, data: css } : { path: `fonts/${name}/${file}`, copyFrom: path.join(root, file) },
        );
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

/** The @font-face rules of `css` whose `unicode-range` holds one of `used` (a rule without one is kept). */
export function keepFaces(css: string, used: Set<number>): string {
  return css.replace(/(?:\/\*[^*]*\*\/\s*)?@font-face\s*\{[^}]*\}\s*/g, (rule) => {
    const range = /unicode-range:\s*([^;}]+)/.exec(rule)?.[1];
    if (!range) return rule;
    const spans = range.split(',').map((part) => {
      const [from, to] = part.trim().replace(/^U\+/i, '').split('-');
      const lo = parseInt(from!.replace(/\?/g, '0'), 16);
      const hi = parseInt((to ?? from!).replace(/\?/g, 'F'), 16);
      return [lo, hi] as const;
    });
    for (const point of used) if (spans.some(([lo, hi]) => point >= lo && point <= hi)) return rule;
    return '';
  });
}
