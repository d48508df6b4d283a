/**
 * The in-page programs (src/page/, bundled into dist/page/ by `npm run compile`)
 * and the one ready protocol Node reads them by (src/page/protocol.ts,
 * src/browser.ts): small hand-made pages, one browser.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageScript, waitForPage, withLocalPage } from '../src/browser.js';
import type { CheatsheetConfig, PageName, PageWindow } from '../src/page/protocol.js';
import { keepFaces } from '../src/render/fonts.js';
import { scriptHashSource } from '../src/safety.js';
import { launchTestBrowser, tempDir } from './helpers.js';

const PROGRAMS: PageName[] = ['cheatsheet', 'slides-fit', 'handout', 'flashcards', 'mermaid'];
/** What a build sweeps up after a killed build (src/build.ts): the pages' temporary files must match it. */
const SWEPT = /^\.(?:.+\.(\d+)\.[0-9a-f]{8}\.tmp|fit-(\d+)-\d+\.html|.+\.(\d+)\.html)$/;

const require = createRequire(import.meta.url);
const CONFIG: CheatsheetConfig = { title: 'Probe', columns: 2, fontPt: 8, footer: 'studyguide', fontSpecs: [], cssGlyphs: '', floorPt: 6 };

/**
 * A cheat sheet page as templates/cheatsheet.hbs makes it, with none of its styles but the body size (and `css`);
 * `pages: false` leaves out `#pages`.
 */
async function sheetPage(
  options: { pages?: boolean; css?: string; config?: Partial<CheatsheetConfig>; flow?: string } = {},
): Promise<string> {
  const script = await pageScript('cheatsheet');
  const flow = options.flow ?? '<p>One paragraph.</p><ul><li>a</li><li>b</li></ul>';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="script-src '${scriptHashSource(script)}'"><title>probe</title>
<style>body { font-size: var(--fs); }${options.css ?? ''}</style></head><body>
<script type="application/json" id="sg-config">${JSON.stringify({ ...CONFIG, ...options.config })}</script>
<main id="flow"><h1 class="t t1" id="probe" data-path="Probe">Probe</h1>${flow}</main>
${options.pages === false ? '' : '<div id="pages"></div>'}
<script>${script}</script></body></html>`;
}

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchTestBrowser();
  dir = await tempDir();
});
afterAll(async () => {
  await browser?.close();
});

describe('the bundled page programs', () => {
  it('are one strict, self-contained script each (no module syntax), in dist/page/', async () => {
    for (const name of PROGRAMS) {
      const script = await pageScript(name);
      expect(script.startsWith('"use strict";\n(() => {')).toBe(true);
      expect(script).not.toMatch(/^\s*(import|export)\s/m);
      expect(script).toContain('document.documentElement.dataset.studyguide = state');
    }
  });
});

describe('the ready protocol', () => {
  it('a page is written to .<name>.<pid>.html (swept after a killed build), read when ready, then closed and removed', async () => {
    const file = path.join(dir, `.probe.${process.pid}.html`);
    const seen = await withLocalPage(
      browser,
      { dir, name: 'probe', html: await sheetPage(), program: 'cheatsheet' },
      async (page, result) => {
        const inPage = await page.evaluate(() => {
          const sg = (window as unknown as PageWindow<'cheatsheet'>).studyguide;
          return {
            state: document.documentElement.dataset.studyguide,
            program: sg.program,
            pages: document.querySelectorAll('#pages .page').length,
            fit: typeof sg.fitPages,
          };
        });
        return { result, inPage, existed: existsSync(file), open: (await browser.pages()).includes(page) };
      },
    );
    expect(SWEPT.test(path.basename(file))).toBe(true);
    expect(seen.existed).toBe(true);
    expect(seen.open).toBe(true);
    expect(seen.inPage).toEqual({ state: 'ready', program: 'cheatsheet', pages: 1, fit: 'function' });
    expect(seen.result).toMatchObject({ pages: 1, fontPt: 8, shrunk: 0, stranded: [] });
    expect(existsSync(file)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a program that fails says so at once (html[data-studyguide="error"]), with its error, instead of timing out', async () => {
    const failing = withLocalPage(
      browser,
      { dir, name: 'broken', html: await sheetPage({ pages: false }), program: 'cheatsheet', timeout: 60_000 },
      async () => 'read',
    );
    // The page's own error, read from the error state: a wait that ran into its timeout would throw a TimeoutError instead.
    const error = (await failing.catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.name).not.toBe('TimeoutError');
    expect(error.message).toMatch(/^the cheatsheet page failed: TypeError/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("the sheet loads the faces its fonts' fallback picks for its text before the first layout, and no other family's", async () => {
    const fontsource = (name: string) => path.dirname(require.resolve(`@fontsource/${name}/package.json`));
    const file = (name: string) => pathToFileURL(path.join(fontsource('noto-sans'), 'files', `noto-sans-${name}-400-normal.woff2`)).href;
    const latin = file('latin');
    // The Noto Sans SC face that holds 中, found by its unicode range.
    const scCss = keepFaces(await readFile(path.join(fontsource('noto-sans-sc'), '400.css'), 'utf8'), new Set([0x4e2d]));
    const cjk = pathToFileURL(path.join(fontsource('noto-sans-sc'), /url\(\.\/(files\/[^)]+\.woff2)\)/.exec(scCss)![1]!)).href;
    const face = (family: string, url: string, range: string) =>
      `@font-face { font-family: '${family}'; src: url(${url}) format('woff2'); unicode-range: ${range}; }`;
    const css = [
      // Says it holds all of the BMP; the file holds Latin only: 中 is found missing only once it has loaded.
      face('First', latin, 'U+0-FFFF'),
      // A later family whose range also holds the Latin text: never needed for it.
      face('Spare', file('latin-ext'), 'U+0-FF'),
      face('Second', cjk, 'U+4E00-9FFF'),
      '#pages { font-family: First, Spare, Second; }',
    ].join('\n');
    const html = await sheetPage({ css, config: { fontSpecs: ['400 10px First, Spare, Second'] }, flow: '<p>Latin text, then 中.</p>' });
    const status = await withLocalPage(browser, { dir, name: 'fonts', html, program: 'cheatsheet' }, (page) =>
      page.evaluate(() => {
        const seen: Record<string, string> = {};
        document.fonts.forEach((f) => (seen[f.family.replace(/"/g, '')] = f.status));
        return seen;
      }),
    );
    expect(status).toEqual({ First: 'loaded', Spare: 'unloaded', Second: 'loaded' });
  });

  it('a page that runs another program than the one expected is an error', async () => {
    const page = await browser.newPage();
    try {
      const script = await pageScript('handout');
      await page.setContent(
        `<div class="hd-cell"><aside class="notes"><p>note</p></aside><div class="hd-notes"></div></div><script>${script}</script>`,
      );
      expect(await waitForPage(page, 'handout', 10_000)).toEqual({ cells: 1 });
      await expect(waitForPage(page, 'cheatsheet', 10_000)).rejects.toThrow('the page did not run cheatsheet (it says handout: ready)');
    } finally {
      await page.close();
    }
  });
});
