/** Static files the decks need offline: reveal.js, its themes and plugins, code colours. */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { copyAtomic, writeAtomic } from '../output.js';
import type { ImageMap } from '../images.js';

const require = createRequire(import.meta.url);
const revealRoot = () => path.dirname(require.resolve('reveal.js/package.json'));

/** reveal.js themes with a dark background get dark code colours and dark diagrams. */
export const DARK_THEMES = new Set(['black', 'black-contrast', 'blood', 'dracula', 'league', 'moon', 'night']);

export async function listThemes(): Promise<string[]> {
  const files = await readdir(path.join(revealRoot(), 'dist', 'theme'));
  return files.filter((f) => f.endsWith('.css')).map((f) => f.slice(0, -4)).sort();
}

/**
 * Copy reveal.js into `<slidesDir>/reveal`. Themes that @import web fonts from
 * a CDN get those imports removed: a deck must never reach the network.
 */
export async function copyReveal(slidesDir: string, theme: string): Promise<void> {
  const root = revealRoot();
  const target = path.join(slidesDir, 'reveal');
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
  const copies = [
    ...files.map((f) => copyAtomic(path.join(root, f), path.join(target, f))),
    ...fontFiles
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const rel = path.relative(themeDir, path.join(entry.parentPath, entry.name));
        return copyAtomic(path.join(themeDir, rel), path.join(target, 'dist', 'theme', rel));
      }),
  ];
  const themes = await listThemes();
  for (const name of themes) {
    copies.push(
      readFile(path.join(themeDir, `${name}.css`), 'utf8').then((css) =>
        writeAtomic(path.join(target, 'dist', 'theme', `${name}.css`), stripRemoteImports(css)),
      ),
    );
  }
  const codeCss = DARK_THEMES.has(theme) ? 'github-dark.css' : 'github.css';
  copies.push(copyAtomic(require.resolve(`highlight.js/styles/${codeCss}`), path.join(target, 'code.css')));
  await Promise.all(copies);
}

export function stripRemoteImports(css: string): string {
  return css.replace(/@import\s+url\(\s*["']?(?:https?:)?\/\/[^)]*\)\s*;?/gi, '/* remote @import removed: decks work offline */');
}

/** Copy every image the outputs show into `<out>/assets`. */
export async function copyImages(images: ImageMap, outDir: string): Promise<void> {
  const seen = new Map<string, string>();
  for (const image of images.values()) if (image.kind === 'file') seen.set(image.href, image.source);
  await Promise.all([...seen].map(([href, source]) => copyAtomic(source, path.join(outDir, href))));
}

/**
 * KaTeX's stylesheet and fonts, from the package, into `<out>/katex/` (only
 * the woff2 files: Chromium takes the first format it supports). Returns the
 * stylesheet's path relative to `outDir`.
 */
export async function copyKatex(outDir: string): Promise<string> {
  const root = path.join(path.dirname(require.resolve('katex/package.json')), 'dist');
  const fonts = (await readdir(path.join(root, 'fonts'))).filter((f) => f.endsWith('.woff2'));
  await Promise.all([
    copyAtomic(path.join(root, 'katex.min.css'), path.join(outDir, 'katex', 'katex.min.css')),
    ...fonts.map((f) => copyAtomic(path.join(root, 'fonts', f), path.join(outDir, 'katex', 'fonts', f))),
  ]);
  return 'katex/katex.min.css';
}
