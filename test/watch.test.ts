/** Regeneration after edits: watch, incremental outputs, live reload — real files, real browser, real timing. */
import { cp, mkdir, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../src/build.js';
import { build } from '../src/builder.js';
import { formatMessage } from '../src/report.js';
import { serve } from '../src/serve.js';
import { BUNDLED_TEMPLATES } from '../src/templates.js';
import { watch, type Watcher } from '../src/watch.js';
import { NOTES, launchTestBrowser, readPdf, tempDir, until } from './helpers.js';

interface Outcome {
  result?: BuildResult;
  error?: unknown;
  changed: string[];
}

/** A watcher on a copy of the bundled notes, with a queue of build outcomes to wait on. */
async function watched(extra: Partial<Parameters<typeof watch>[0]> = {}) {
  const dir = await tempDir();
  const notes = path.join(dir, 'notes');
  const out = path.join(dir, 'out');
  await cp(NOTES, notes, { recursive: true });
  const outcomes: Outcome[] = [];
  const waiters: ((o: Outcome) => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  let builds = 0;
  const watcher: Watcher = watch({
    notes,
    out,
    offline: true,
    debounceMs: 60,
    onBuildStart: () => {
      running += 1;
      builds += 1;
      maxRunning = Math.max(maxRunning, running);
    },
    onBuild: (outcome) => {
      running -= 1;
      const waiter = waiters.shift();
      if (waiter) waiter(outcome);
      else outcomes.push(outcome);
    },
    ...extra,
  });
  await watcher.ready;
  outcomes.length = 0; // the first build
  const next = () => new Promise<Outcome>((resolve) => (outcomes.length ? resolve(outcomes.shift()!) : waiters.push(resolve)));
  /** Wait for builds until one's outcome satisfies `done` (what a build is for, not a quiet period, which a slow machine can outlast). */
  const until = async (done: (o: Outcome) => boolean | Promise<boolean>) => {
    for (;;) {
      const outcome = await next();
      if (await done(outcome)) return outcome;
    }
  };
  return { dir, notes, out, watcher, next, until, stats: () => ({ builds, maxRunning }) };
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchTestBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('studyguide watch', () => {
  it('picks up an edit, rewriting only the outputs that changed', async () => {
    const w = await watched();
    try {
      const untouched = path.join(w.out, 'slides', 'cloud-hsm.html');
      const before = (await stat(untouched)).mtimeMs;
      await appendFile(path.join(w.notes, '04-vpc.md'), '\nNo: a VPC stays in one region (edited).\n');
      const { result, error } = await w.next();
      expect(error).toBeUndefined();
      expect(result!.topics).toBe(6);
      expect(await readFile(path.join(w.out, 'slides', 'vpc.html'), 'utf8')).toContain('a VPC stays in one region (edited)');
      expect(await readFile(path.join(w.out, 'slides', 'all.html'), 'utf8')).toContain('a VPC stays in one region (edited)');
      expect((await stat(untouched)).mtimeMs).toBe(before);
    } finally {
      await w.watcher.close();
    }
  });

  it('re-reads studyguide.config.json when it changes: the next PDF has the new page count', async () => {
    const dir = await tempDir();
    const config = path.join(dir, 'studyguide.config.json');
    await writeFile(config, JSON.stringify({ pages: 3, only: ['pdf'] }));
    const w = await watched({ config, only: undefined });
    try {
      expect((await readPdf(path.join(w.out, 'cheatsheet.pdf'))).pages).toBe(3);
      await writeFile(config, JSON.stringify({ pages: 2, only: ['pdf'] }));
      const { result, error, changed } = await w.until((o) => o.error !== undefined || (o.result?.pdfPages ?? 0) <= 2);
      expect(error).toBeUndefined();
      expect(changed.some((file) => file.endsWith('studyguide.config.json'))).toBe(true);
      expect(result!.pdfPages).toBe(2);
      expect((await readPdf(path.join(w.out, 'cheatsheet.pdf'))).pages).toBe(2);
      // A bad value is the build's error; watching goes on with the file as it was fixed.
      await writeFile(config, JSON.stringify({ pages: 0 }));
      expect(String((await w.until((o) => o.error !== undefined)).error)).toMatch(/"pages" must be a whole number from 1 to 100/);
    } finally {
      await w.watcher.close();
    }
  });

  it("a config change the session cannot apply (a server's folder, its port) is said, and it goes on as it started", async () => {
    const dir = await tempDir();
    const config = path.join(dir, 'studyguide.config.json');
    await writeFile(config, JSON.stringify({ only: ['pdf'], title: 'First title' }));
    const unapplied: string[][] = [];
    // The CLI fixes `out`, `port`, `lan`, `deck` and `duration` for serve and present; here the title stands for them.
    const w = await watched({ config, only: undefined, fixed: ['title'], onUnapplied: (names) => unapplied.push(names) });
    try {
      await writeFile(config, JSON.stringify({ only: ['pdf'], title: 'Second title', pages: 2 }));
      const { result, error } = await w.until((o) => o.error !== undefined || o.result?.pdfPages === 2);
      expect(error).toBeUndefined();
      expect(unapplied).toEqual([['title']]);
      // The other change is applied, the fixed one is not.
      const pdf = await readPdf(path.join(w.out, 'cheatsheet.pdf'));
      expect(result!.pdfPages).toBe(2);
      expect(pdf.pageText[0]).toContain('First title');
      expect(pdf.pageText.join(' ')).not.toContain('Second title');
    } finally {
      await w.watcher.close();
    }
  });

  it('adds a deck for a new note and removes it when the note is deleted', async () => {
    const w = await watched();
    try {
      const note = path.join(w.notes, '07-iam-basics.md');
      await writeFile(note, '# IAM basics\n\nUsers, groups, roles and policies.\n');
      let outcome = await w.next();
      expect(outcome.result!.topics).toBe(7);
      expect(existsSync(path.join(w.out, 'slides', 'iam-basics.html'))).toBe(true);
      expect(await readFile(path.join(w.out, 'index.html'), 'utf8')).toContain('slides/iam-basics.html');
      await rm(note);
      outcome = await w.next();
      expect(outcome.result!.topics).toBe(6);
      expect(existsSync(path.join(w.out, 'slides', 'iam-basics.html'))).toBe(false);
      expect(await readFile(path.join(w.out, 'index.html'), 'utf8')).not.toContain('iam-basics');
    } finally {
      await w.watcher.close();
    }
  });

  it('a study result written into the notes folder (the live quiz appends them) starts no build', async () => {
    const w = await watched();
    try {
      const before = w.stats().builds;
      const results = path.join(w.notes, '.studyguide', 'results');
      await mkdir(results, { recursive: true });
      await writeFile(path.join(results, 'quiz.csv'), 'time,card,question,who,answer,right\n');
      await appendFile(path.join(results, 'quiz.csv'), '2026-12-07T19:30:00Z,,What is a VPC?,ana,A,yes\n');
      // Two edits, one after the other's build: had the results started a build, its outcome would come between.
      await appendFile(path.join(w.notes, '04-vpc.md'), '\n\nOne more line.\n');
      expect((await w.next()).changed).toEqual([path.relative(process.cwd(), path.join(w.notes, '04-vpc.md'))]);
      await appendFile(path.join(w.notes, '01-cloud-hsm.md'), '\n\nOne more line.\n');
      expect((await w.next()).changed).toEqual([path.relative(process.cwd(), path.join(w.notes, '01-cloud-hsm.md'))]);
      expect(w.stats().builds - before).toBe(2);
    } finally {
      await w.watcher.close();
    }
  });

  it('rebuilds after a template change (a notes-folder override)', async () => {
    const w = await watched();
    try {
      const dir = path.join(w.notes, '.studyguide', 'templates');
      await mkdir(dir, { recursive: true });
      const css = `${await readFile(path.join(BUNDLED_TEMPLATES, 'slides.css'), 'utf8')}\n.reveal h2 { color: rgb(1, 2, 3); }\n`;
      await writeFile(path.join(dir, 'slides.css'), css);
      const outcome = await w.until(async () =>
        (await readFile(path.join(w.out, 'slides', 'studyguide.css'), 'utf8')).includes('rgb(1, 2, 3)'),
      );
      expect(outcome.error).toBeUndefined();
    } finally {
      await w.watcher.close();
    }
  });

  it('a burst of 50 saves in a second ends with the last save, never two builds at once', async () => {
    const w = await watched();
    try {
      const file = path.join(w.notes, '04-vpc.md');
      const original = await readFile(file, 'utf8');
      for (let i = 0; i < 50; i++) {
        await writeFile(file, `${original}\nsave number ${i}\n`);
        await new Promise((r) => setTimeout(r, 20));
      }
      // A build may read the note half-written (empty: skipped, its deck removed); the last save still wins.
      const deck = () => readFile(path.join(w.out, 'slides', 'vpc.html'), 'utf8').catch(() => '');
      const last = await w.until(async (o) => o.error !== undefined || (await deck()).includes('save number 49'));
      expect(last.error).toBeUndefined();
      const html = await deck();
      expect(html).not.toMatch(/save number [0-8]?\d(?!\d)(?<!49)/);
      const { builds, maxRunning } = w.stats();
      expect(maxRunning).toBe(1);
      expect(builds).toBeLessThan(50);
    } finally {
      await w.watcher.close();
    }
  });

  it('reports a broken note or template with its position and recovers after the fix', async () => {
    const w = await watched();
    try {
      const note = path.join(w.notes, '04-vpc.md');
      const original = await readFile(note, 'utf8');
      await writeFile(note, `---\ntitle: [broken\n---\n${original}`);
      let outcome = await w.next();
      expect(outcome.result!.warnings.map(formatMessage).some((m) => /04-vpc\.md:\d+:\d+ invalid front matter/.test(m))).toBe(true);

      const dir = path.join(w.notes, '.studyguide', 'templates');
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'index.hbs'), '<html>{{#each decks}}\n<p>{{title}</p>\n</html>\n');
      outcome = await w.until((o) => o.error !== undefined);
      expect(String(outcome.error)).toMatch(/index\.hbs: template error: .*line 2/i);

      await rm(path.join(dir, 'index.hbs'));
      await writeFile(note, original);
      const fixed = (o: Outcome) =>
        o.error === undefined && !o.result!.warnings.map(formatMessage).some((m) => m.includes('invalid front matter'));
      await w.until(fixed); // the template's removal and the note's fix may take one build or two; never is a timeout
    } finally {
      await w.watcher.close();
    }
  });

  it('serve: the live-reload message reaches a deck and the cheat sheet in Chromium; the deck stays on its slide', async () => {
    const dir = await tempDir();
    const notes = path.join(dir, 'notes');
    await cp(NOTES, notes, { recursive: true });
    const out = path.join(dir, 'out');
    const server = await serve(out, 0, { dirs: [BUNDLED_TEMPLATES] });
    let built: () => void = () => {};
    const watcher = watch({
      notes,
      out,
      offline: true,
      debounceMs: 60,
      onBuild: ({ result }) => {
        if (result) server.reload();
        built();
      },
    });
    await watcher.ready;
    try {
      const page = await browser.newPage();
      const deckErrors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && deckErrors.push(m.text()));
      page.on('pageerror', (e) => deckErrors.push(String(e)));
      await page.setViewport({ width: 1280, height: 720 });
      await page.goto(`${server.url}slides/all.html#/vpc-peering`, { waitUntil: 'load' });
      await page.waitForFunction('window.Reveal && Reveal.isReady()');
      // The cheat sheet has its own script policy: the server lets the reload script in by its hash.
      const sheet = await browser.newPage();
      const sheetErrors: string[] = [];
      sheet.on('console', (m) => m.type() === 'error' && sheetErrors.push(m.text()));
      await sheet.goto(`${server.url}cheatsheet.html`, { waitUntil: 'load' });
      await sheet.waitForSelector('html[data-studyguide="ready"]');
      await until(() => server.listeners() >= 2, 'both pages to listen for reloads');
      // A global set now is gone only if the page really reloaded (CDP's load event can arrive after the new DOM).
      const mark = () => ((window as any).__beforeReload = true);
      await Promise.all([page.evaluate(mark), sheet.evaluate(mark)]);
      const rebuilt = new Promise<void>((resolve) => (built = resolve));
      await appendFile(path.join(notes, '03-vpc-peering.md'), '\nLive reload works.\n');
      await rebuilt;
      // Two pages: one is in the background, where animation frames (puppeteer's default polling) never come.
      const polling = 100;
      for (const p of [page, sheet]) {
        await p.waitForFunction(() => document.body.textContent!.includes('Live reload works.'), { timeout: 15_000, polling });
        expect(await p.evaluate(() => (window as any).__beforeReload ?? false)).toBe(false);
      }
      await page.waitForFunction('window.Reveal && Reveal.isReady()', { polling });
      expect(await page.evaluate(() => (window as any).Reveal.getCurrentSlide().id)).toBe('vpc-peering');
      await sheet.waitForFunction(() => document.documentElement.dataset.studyguide === 'ready', { polling });
      // Served under the server's Content-Security-Policy: nothing it refused (that would be a console error).
      expect(sheetErrors).toEqual([]);
      expect(deckErrors).toEqual([]);
      await Promise.all([page.close(), sheet.close()]);
    } finally {
      await watcher.close();
      await server.close();
    }
  });

  it('serve: the speaker view keeps following the deck after a live reload', async () => {
    const out = await tempDir();
    await build({ notes: NOTES, out, offline: true, only: ['slides'] });
    const server = await serve(out, 0, { dirs: [BUNDLED_TEMPLATES] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const record = (p: Page) => {
        p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        p.on('pageerror', (e) => errors.push(String(e)));
      };
      record(page);
      await page.setViewport({ width: 1280, height: 720 });
      await page.goto(`${server.url}slides/all.html#/ec2-plus`);
      await page.waitForFunction('window.Reveal && Reveal.isReady()');
      const popup = new Promise<Page>((resolve) => browser.once('targetcreated', (t) => void t.page().then((page) => resolve(page!))));
      await page.keyboard.press('s');
      const view = await popup;
      record(view);
      const shown = () =>
        view.evaluate(() => {
          const frame = document.querySelector('#current-slide iframe') as HTMLIFrameElement | null;
          return (frame?.contentWindow as any)?.Reveal?.getIndices?.() ?? null;
        });
      await view.waitForFunction(() => (document.querySelector('#current-slide iframe') as any)?.contentWindow?.Reveal?.isReady?.(), {
        timeout: 15_000,
      });
      await until(() => server.listeners() > 0, 'the pages to listen for reloads');
      await page.evaluate(() => ((window as any).__beforeReload = true));
      server.reload();
      // polling: the speaker view is in front, and a page behind it may get no animation frames.
      await page.waitForFunction('!window.__beforeReload && window.Reveal && Reveal.isReady()', { timeout: 15_000, polling: 100 });
      await new Promise((r) => setTimeout(r, 500)); // the speaker view's frame reconnects
      await page.evaluate(() => (window as any).Reveal.next());
      const main = await page.evaluate(() => (window as any).Reveal.getIndices());
      await view.waitForFunction(
        (h, v) => {
          const i = (document.querySelector('#current-slide iframe') as any)?.contentWindow?.Reveal?.getIndices?.();
          return i && i.h === h && i.v === v;
        },
        { timeout: 10_000 },
        main.h,
        main.v,
      );
      expect(await shown()).toMatchObject({ h: main.h, v: main.v });
      // The speaker view's own script runs under the deck's policy (by its hash): no violation.
      expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
      await view.close();
      await page.close();
    } finally {
      await server.close();
    }
  });

  it('serve: a port in use is a clear error', async () => {
    const first = await serve(await tempDir(), 0, { dirs: [BUNDLED_TEMPLATES] });
    try {
      await expect(serve(await tempDir(), first.port, { dirs: [BUNDLED_TEMPLATES] })).rejects.toThrow(
        `port ${first.port} on 127.0.0.1 is already in use; pass another --port`,
      );
    } finally {
      await first.close();
    }
  });
});
