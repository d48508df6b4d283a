/**
 * MathJax behind KaTeX (issue 27): formulas Obsidian renders (it uses MathJax 3) that KaTeX rejects
 * are typeset by MathJax, in print, on the slides and in the self-test, fitted like any formula;
 * only what MathJax rejects too stays code with its warning. MathJax is loaded only then: a build
 * of notes whose formulas KaTeX typesets never loads its module (seen by a module loader hook).
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNotes } from '../src/load.js';
import { parseNotes, type ParseCache } from '../src/parse.js';
import { cli, launchTestBrowser, openDeck, overflowingSlides, readPdf, tempDir } from './helpers.js';

const ALIGN_LINES = Array.from({ length: 20 }, (_, i) =>
  i === 0 ? 'T(n) &= 2T(n/2) + n \\label{eq:rec} \\\\' : `&= 2^{${i + 1}} T(n/2^{${i + 1}}) + ${i + 1}n \\mbox{ (step ${i + 1})} \\\\`,
);

const NOTE = `# Limits

Cancel $\\cancelto{0}{x}$, a box $\\bbox[gray]{x}$ and $A \\centernot\\implies B$ in one line.

Inline align: $\\begin{align*} a &= b \\\\ c &= d \\end{align*}$ in the text.

$$
a &= b + c \\\\
d &= e
$$

A typo stays code: $O(n \\lgo n)$.

Q: What does cancelling to zero look like?
A: Like $\\cancelto{0}{y}$ here.

# Recurrence

$$
\\begin{align}
${ALIGN_LINES.join('\n')}
\\end{align}
$$

# Wide

$$
\\cancelto{0}{x_0} ${Array.from({ length: 16 }, (_, i) => `+ a_{${i + 1}}`).join(' ')}
$$
`;

/** TeX that must not be read as text anywhere in a PDF. */
const RAW_TEX = ['\\cancelto', '\\bbox', '\\centernot', '\\implies', '\\begin', '\\end', '\\label', '\\mbox', '&', '\\\\'];

let dir: string;
let out: string;
let stderr: string;
let modulesLoaded: string;
let browser: Browser;

/** Run the CLI with a module loader hook that logs every module whose URL names MathJax to `log`. */
async function buildLogged(args: string[], log: string) {
  const hooks = path.join(dir, 'hooks.mjs');
  const register = path.join(dir, 'register.mjs');
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (/mathjax/i.test(url)) appendFileSync(process.env.SG_MODULE_LOG, url + '\\n');
  return next(url, context);
}
`,
  );
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  await writeFile(log, '');
  const result = await cli(args, { env: { NODE_OPTIONS: `--import ${pathToFileURL(register).href}`, SG_MODULE_LOG: log } });
  return { ...result, loaded: await readFile(log, 'utf8') };
}

beforeAll(async () => {
  dir = await tempDir();
  await mkdir(path.join(dir, 'notes'));
  await writeFile(path.join(dir, 'notes', 'algorithms.md'), NOTE);
  out = path.join(dir, 'out');
  const built = await buildLogged(
    ['build', '--notes', path.join(dir, 'notes'), '--out', out, '--offline', '--self-test'],
    path.join(dir, 'modules.log'),
  );
  expect(built.code, built.stderr).toBe(0);
  stderr = built.stderr;
  modulesLoaded = built.loaded;
  browser = await launchTestBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

describe('MathJax behind KaTeX', () => {
  it('parses what KaTeX rejects and MathJax accepts as math; only what both reject is an error, at its place', async () => {
    const notes = await parseNotes(await loadNotes(path.join(dir, 'notes')), new Map() as ParseCache, false);
    const messages = notes.flatMap((n) => n.file.messages.map((m) => `${m.line}:${m.column} ${m.reason}`));
    expect(messages).toEqual(['12:20 LaTeX error, shown as code: Undefined control sequence \\lgo']);
  });

  it('prints no raw TeX: the cheat sheet and the self-test show the formulas, the typo as code', async () => {
    expect(stderr.match(/LaTeX error/g)).toHaveLength(1);
    expect(stderr).toMatch(/algorithms\.md:12:20 LaTeX error, shown as code: Undefined control sequence \\lgo/);
    const sheet = await readFile(path.join(out, 'cheatsheet.html'), 'utf8');
    // Eight formulas (the card's is on the sheet once): each in KaTeX's markup, with MathJax's SVG.
    expect(sheet.match(/<span class="katex sg-mathjax">/g)).toHaveLength(8);
    for (const pdf of ['cheatsheet.pdf', 'cheatsheet-self-test.pdf']) {
      const text = (await readPdf(path.join(out, pdf))).pageText.join('\n');
      expect(text).toContain('in one line');
      expect(text).toContain('O(n \\lgo n)');
      expect({ pdf, raw: RAW_TEX.filter((tex) => text.includes(tex)) }).toEqual({ pdf, raw: [] });
    }
  });

  it('fits MathJax formulas like KaTeX ones: each inside its column, the wide one scaled to it', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(pathToFileURL(path.join(out, 'cheatsheet.html')).href, { waitUntil: 'load' });
      await page.waitForSelector('html[data-studyguide="ready"]');
      const boxes = await page.evaluate(() =>
        [...document.querySelectorAll('#pages .sg-mathjax > svg')].map((svg) => {
          const box = svg.getBoundingClientRect();
          const col = svg.closest('.col')!.getBoundingClientRect();
          return {
            inside: box.left >= col.left - 1 && box.right <= col.right + 1,
            drawn: box.width > 2 && box.height > 2,
            scaled: !!svg.closest('.scaled'),
          };
        }),
      );
      expect(boxes).toHaveLength(8);
      expect(boxes.filter((b) => !b.inside || !b.drawn)).toEqual([]);
      expect(boxes.filter((b) => b.scaled)).toHaveLength(1);
    } finally {
      await page.close();
    }
  });

  it('shows them on the slides, each within its slide (the tall one scaled)', async () => {
    const deck = await openDeck(browser, pathToFileURL(path.join(out, 'slides', 'all.html')).href);
    try {
      // The helper also measures the hidden MathML, which keeps its unscaled size: KaTeX's does the same
      // for a tall formula. What is seen is the SVG, measured below.
      expect((await overflowingSlides(deck.page)).filter((found) => !/^[\w-]+: <math>/.test(found))).toEqual([]);
      const shown = await deck.page.evaluate(() => {
        const R = (window as any).Reveal;
        const seen: { slide: string; inside: boolean; drawn: boolean; scaled: boolean }[] = [];
        for (const slide of R.getSlides() as HTMLElement[]) {
          const { h, v } = R.getIndices(slide);
          R.slide(h, v, Number.MAX_SAFE_INTEGER);
          R.layout();
          const area = (document.querySelector('.reveal .slides') as HTMLElement).getBoundingClientRect();
          for (const svg of slide.querySelectorAll('.sg-mathjax > svg')) {
            const r = svg.getBoundingClientRect();
            const inside = r.top >= area.top - 1 && r.bottom <= area.bottom + 1 && r.left >= area.left - 1 && r.right <= area.right + 1;
            seen.push({ slide: slide.id, inside, drawn: r.width > 2 && r.height > 2, scaled: !!svg.closest('.scaled') });
          }
        }
        return seen;
      });
      expect(shown.length).toBeGreaterThanOrEqual(8);
      expect(shown.filter((s) => !s.inside || !s.drawn)).toEqual([]);
      expect(shown.filter((s) => s.scaled).map((s) => s.slide)).toContain('recurrence');
      expect(deck.errors).toEqual([]);
    } finally {
      await deck.page.close();
    }
  });

  it('is loaded only when a formula needs it: this build loaded it, one whose formulas KaTeX typesets does not', async () => {
    expect(modulesLoaded).toMatch(/mathjax-engine/);
    await mkdir(path.join(dir, 'plain-notes'));
    await writeFile(
      path.join(dir, 'plain-notes', 'sums.md'),
      '# Sums\n\nInline $x^2$ and\n\n$$\n\\sum_{i=1}^n i = \\frac{n(n+1)}{2}\n$$\n',
    );
    const plain = await buildLogged(
      ['build', '--notes', path.join(dir, 'plain-notes'), '--out', path.join(dir, 'plain'), '--offline', '--only', 'pdf'],
      path.join(dir, 'plain.log'),
    );
    expect(plain.code, plain.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'plain', 'cheatsheet.pdf'))).toBe(true);
    expect(plain.loaded).toBe('');
  });
});
