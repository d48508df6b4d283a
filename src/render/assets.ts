/** Static files the decks need offline: reveal.js, its themes and plugins, code colours. */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OutputFile } from '../output.js';
import type { ImageMap } from '../images.js';

const require = createRequire(import.meta.url);
const revealRoot = () => path.dirname(require.resolve('reveal.js/package.json'));

/** reveal.js themes with a dark background get dark code colours and dark diagrams. */
export const DARK_THEMES = new Set(['black', 'black-contrast', 'blood', 'dracula', 'league', 'moon', 'night']);

export async function listThemes(): Promise<string[]> {
  const files = await readdir(path.join(revealRoot(), 'dist', 'theme'));
  return files
    .filter((f) => f.endsWith('.css'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/**
 * reveal.js for `slides/reveal/`. Themes that @import web fonts from a CDN get
 * those imports removed: a deck must never reach the network.
 */
export async function revealFiles(theme: string): Promise<OutputFile[]> {
  const root = revealRoot();
  const files = [
    'dist/reset.css',
    'dist/reveal.css',
    'dist/reveal.js',
    'plugin/notes/notes.js',
    'plugin/search/search.js',
    'plugin/zoom/zoom.js',
  ];
  const themeDir = path.join(root, 'dist', 'theme');
  const fontFiles = await readdir(path.join(themeDir, 'fonts'), { recursive: true, withFileTypes: true });
  const out: OutputFile[] = [
    ...files.map((f) => ({ path: `slides/reveal/${f}`, copyFrom: path.join(root, f) })),
    ...fontFiles
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const rel = path.relative(themeDir, path.join(entry.parentPath, entry.name));
        return { path: `slides/reveal/dist/theme/${rel}`, copyFrom: path.join(themeDir, rel) };
      }),
  ];
  for (const name of await listThemes()) {
    const css = await readFile(path.join(themeDir, `${name}.css`), 'utf8');
    out.push({ path: `slides/reveal/dist/theme/${name}.css`, data: stripRemoteImports(css) });
  }
  const codeCss = DARK_THEMES.has(theme) ? 'github-dark.css' : 'github.css';
  out.push({ path: 'slides/reveal/code.css', copyFrom: require.resolve(`highlight.js/styles/${codeCss}`) });
  return out;
}

export function stripRemoteImports(css: string): string {
  return css.replace(/@import\s+url\(\s*["']?(?:https?:)?\/\/[^)]*\)\s*;?/gi, '/* remote @import removed: decks work offline */');
}

/** Every image the outputs show, for `<out>/assets`. */
export function imageFiles(images: ImageMap): OutputFile[] {
  const seen = new Map<string, OutputFile>();
  for (const image of images.values())
    if (image.kind === 'file' && !seen.has(image.href))
      seen.set(
        image.href,
        image.data === undefined
          ? { path: image.href, source: image.usedAt, copyFrom: image.source }
          : { path: image.href, source: image.usedAt, data: image.data },
      );
  return [...seen.values()];
}

/**
 * KaTeX's stylesheet and fonts, from the package, for `<out>/katex/` (only
 * the woff2 files: Chromium takes the first format it supports).
 */
export async function katexFiles(): Promise<{ css: string; files: OutputFile[] }> {
  const root = path.join(path.dirname(require.resolve('katex/package.json')), 'dist');
  const fonts = (await readdir(path.join(root, 'fonts'))).filter((f) => f.endsWith('.woff2'));
  const css = 'katex/katex.min.css';
  return {
    css,
    files: [
      { path: css, copyFrom: path.join(root, 'katex.min.css') },
      ...fonts.map((f) => ({ path: `katex/fonts/${f}`, copyFrom: path.join(root, 'fonts', f) })),
    ],
  };
}
