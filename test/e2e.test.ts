/** The whole pipeline on the bundled notes, through the real CLI, checked in the real PDF and a real browser. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNotes } from '../src/load.js';
import { createParser, parseNote } from '../src/parse.js';
import { buildGuide, countTopics } from '../src/tree.js';
import type { Guide } from '../src/types.js';
import { CLI, NOTES, ROOT, launchTestBrowser, openDeck, overflowingSlides, readPdf, tempDir, type PdfText } from './helpers.js';

const run = promisify(execFile);

let out: string;
let stderr: string;
let guide: Guide;
let pdf: PdfText;
let browser: Browser;

beforeAll(async () => {
  out = await tempDir();
  const result = await run(process.execPath, [CLI, 'build', '--notes', NOTES, '--out', out], { cwd: ROOT });
  stderr = result.stderr;
  const parser = createParser();
  guide = buildGuide(
    (await loadNotes(NOTES)).map((n) => parseNote(parser, { ...n, text: n.text! })),
    'x',
  );
  pdf = await readPdf(path.join(out, 'cheatsheet.pdf'));
  browser = await launchTestBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('studyguide build on the bundled notes', () => {
  it('writes the PDF, one deck per topic plus all.html and the quiz, and index.html', async () => {
    expect(existsSync(path.join(out, 'cheatsheet.pdf'))).toBe(true);
    expect(existsSync(path.join(out, 'index.html'))).toBe(true);
    const decks = (await readdir(path.join(out, 'slides'))).filter((f) => f.endsWith('.html')).sort();
    expect(decks).toEqual([...guide.topics.map((t) => `${t.slug}.html`), 'all.html', 'quiz.html'].sort());
    expect(stderr).toMatch(
      /built .*: 6 topics · PDF \d+ pages? at [\d.]+ pt · 8 decks, \d+ slides · 9 flashcards · 2 to review · \d+ warnings · [\d.]+ s/,
    );
  });

  it('prints a PDF whose real text holds every topic title and the sub-headings', () => {
    expect(pdf.pages).toBeGreaterThanOrEqual(1);
    const text = pdf.pageText.join(' ');
    for (const title of guide.topics.map((t) => t.title)) expect(text).toContain(title);
    for (const sub of [
      'AWS::CloudFormation::Init',
      'cfn-init explained',
      'CreationPolicy and Signals',
      'use case',
      'Scenario',
      'Deployment',
      'Security',
      'Development',
    ]) {
      expect(text).toContain(sub);
    }
    expect(text).toContain('page 1 / ');
  });

  it('prints A4 portrait in three columns by default', async () => {
    const raw = (await readFile(path.join(out, 'cheatsheet.pdf'))).toString('latin1');
    const box = raw.match(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/);
    expect(Number(box![1])).toBeCloseTo(595, 0);
    expect(Number(box![2])).toBeCloseTo(842, 0);
    const firstPage = pdf.items.filter((i) => i.page === 1);
    const lefts = new Set(firstPage.map((i) => Math.round(i.x / 20)));
    // Three column starts (left margin, one third, two thirds of the page).
    for (const x of [20, 203, 386]) expect([...lefts].some((l) => Math.abs(l * 20 - x) < 25)).toBe(true);
  });

  it('warns exactly once, with file and line, for each of the three missing images', () => {
    for (const [line, name] of [
      [3, 'hsm-1'],
      [5, 'hsm-2'],
      [7, 'hsm-3'],
    ] as const) {
      const needle = `notes/01-cloud-hsm.md:${line}:1 image not found: ./ss/${name}.webp`;
      expect(stderr.split(needle).length - 1).toBe(1);
    }
  });

  it('never references the network from a script or a stylesheet', async () => {
    const files = [path.join(out, 'index.html'), path.join(out, 'cheatsheet.html')];
    for (const f of await readdir(path.join(out, 'slides'))) if (f.endsWith('.html')) files.push(path.join(out, 'slides', f));
    for (const file of files) {
      const html = await readFile(file, 'utf8');
      expect(html).not.toMatch(/<script[^>]+src=["']?(https?:)?\/\//i);
      expect(html).not.toMatch(/<link[^>]+href=["']?(https?:)?\/\//i);
      expect(html).not.toMatch(/@import\s+url\(["']?(https?:)?\/\//i);
    }
    const themeCss = await readFile(path.join(out, 'slides', 'reveal', 'dist', 'theme', 'simple.css'), 'utf8');
    expect(themeCss).not.toMatch(/@import\s+url\(["']?https?:/);
  });

  it('links the PDF and every deck from index.html', async () => {
    const html = await readFile(path.join(out, 'index.html'), 'utf8');
    const links = [...html.matchAll(/href="(?!data:)([^"#]+)"/g)].map((m) => m[1]!);
    expect(links).toContain('cheatsheet.pdf');
    expect(links).toContain('slides/all.html');
    for (const t of guide.topics) expect(links).toContain(`slides/${t.slug}.html`);
    for (const link of links) expect(existsSync(path.join(out, link))).toBe(true);
  });
});

/** Slides the tree implies for a deck, before continuation slides. */
function impliedSlides(deck: string): number {
  if (deck === 'all') return 1 + guide.topics.reduce((n, t) => n + countTopics(t), 0);
  const topic = guide.topics.find((t) => t.slug === deck)!;
  return 1 + (topic.blocks.length > 0 ? 1 : 0) + countTopics(topic) - 1;
}

describe('the slide decks', () => {
  it('every deck loads from the file system with no console error and no failed request; slide counts match the tree', async () => {
    for (const deck of ['all', ...guide.topics.map((t) => t.slug)]) {
      const { page, errors, failed } = await openDeck(browser, pathToFileURL(path.join(out, 'slides', `${deck}.html`)).href);
      const total = await page.evaluate('Reveal.getTotalSlides()');
      const continuations = await page.evaluate('document.querySelectorAll("section.sg-cont").length');
      expect({ deck, errors, failed }).toEqual({ deck, errors: [], failed: [] });
      expect(total).toBe(impliedSlides(deck) + (continuations as number));
      await page.close();
    }
  });

  it('no slide overflows at 1280×720 or at 1024×768', async () => {
    for (const viewport of [
      { width: 1280, height: 720 },
      { width: 1024, height: 768 },
    ]) {
      for (const deck of ['all', ...guide.topics.map((t) => t.slug)]) {
        const { page } = await openDeck(browser, pathToFileURL(path.join(out, 'slides', `${deck}.html`)).href, viewport);
        expect({ deck, viewport, overflow: await overflowingSlides(page) }).toEqual({ deck, viewport, overflow: [] });
        await page.close();
      }
    }
  });

  it('deep-links by topic slug', async () => {
    const { page } = await openDeck(browser, `${pathToFileURL(path.join(out, 'slides', 'all.html')).href}#/vpc-peering`);
    expect(await page.evaluate('Reveal.getCurrentSlide().id')).toBe('vpc-peering');
    await page.close();
  });

  it('works from a web server too, requesting nothing from anywhere else', async () => {
    const server = http.createServer((req, res) => {
      const file = path.join(out, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
      // The handler answers on its own time; a file that cannot be read is a 404.
      readFile(file).then(
        (body) => {
          const type = file.endsWith('.html')
            ? 'text/html'
            : file.endsWith('.css')
              ? 'text/css'
              : file.endsWith('.js')
                ? 'text/javascript'
                : 'application/octet-stream';
          res.writeHead(200, { 'content-type': type }).end(body);
        },
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(r.url()));
      page.on('response', (r) => r.status() >= 400 && failed.push(r.url()));
      await page.goto(`http://127.0.0.1:${port}/slides/all.html`, { waitUntil: 'load' });
      await page.waitForFunction('window.Reveal && Reveal.isReady()');
      expect(failed).toEqual([]);
      expect(requests.filter((u) => !u.startsWith(`http://127.0.0.1:${port}/`) && !u.startsWith('data:'))).toEqual([]);
      await page.close();
    } finally {
      server.close();
    }
  });
});
