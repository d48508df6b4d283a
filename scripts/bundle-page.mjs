/**
 * The programs Chromium runs inside our pages (src/page/<name>.ts, type-checked
 * by src/page/tsconfig.json) → dist/page/<name>.js: one self-contained IIFE
 * script each, which the renderers inline into their pages (src/browser.ts
 * `pageScript`). Run by `npm run compile`, after tsc.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Every program a page runs (src/page/protocol.ts `PagePrograms` has the same names), and the
 * scripts `serve` and `present` add to the pages they serve (`ServedScript`).
 */
const PROGRAMS = ['cheatsheet', 'slides-fit', 'handout', 'flashcards', 'mermaid', 'live-reload', 'follow', 'slide-extract'];

await build({
  absWorkingDir: ROOT,
  entryPoints: PROGRAMS.map((name) => ({ in: `src/page/${name}.ts`, out: name })),
  outdir: 'dist/page',
  bundle: true,
  format: 'iife',
  platform: 'browser',
  // Its `strict` makes each script start with "use strict", as the scripts always did.
  tsconfig: 'src/page/tsconfig.json',
  // The pages run in the build's Chromium, and cheatsheet.html in the reader's browser too.
  target: 'es2020',
  charset: 'utf8',
  // A page program's stylesheet (src/page/*.css) comes in as its text.
  loader: { '.css': 'text' },
  legalComments: 'none',
  logLevel: 'warning',
});
