/** `studyguide present`: follow mode in real Chromium on 127.0.0.1, and what the server refuses. */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/builder.js';
import jsQRModule from 'jsqr';
import { createFollow, terminalQr, type Follow } from '../src/present.js';
import { serve, type Server } from '../src/serve.js';
import { BUNDLED_TEMPLATES } from '../src/templates.js';
import { CLI, NOTES, followed, launchTestBrowser, tempDir, where } from './helpers.js';

/** jsQR is CommonJS whose types say ES module: its default export, however the loader hands it over. */
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

let browser: Browser;
let server: Server;
let follow: Follow;
const log: string[] = [];

beforeAll(async () => {
  const out = await tempDir();
  browser = await launchTestBrowser();
  // --fragments: list items one by one, so that moves go through fragments too.
  await build({ notes: NOTES, out, only: ['slides'], offline: true, fragments: true, browser });
  const templates = { dirs: [BUNDLED_TEMPLATES] };
  follow = await createFollow(templates, (line) => log.push(line), { duration: 1800 });
  server = await serve(out, 0, templates, { follow });
});
afterAll(async () => {
  await server?.close();
  await browser?.close();
  // Follow mode, the pointer, the pacing timer and the quiz deck all ran under the Content-Security-Policy.
  expect(pageErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
});

/** The status of a GET of `raw`, sent as written. */
const rawStatus = (raw: string) =>
  new Promise<number>((resolve, reject) => {
    const { hostname, port } = new URL(server.url);
    http
      .get({ hostname, port, path: raw }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

const deckUrl = (deck: string, token?: string) => `${server.url}slides/${deck}.html${token ? `?presenter=${token}` : ''}`;

/** Console errors and uncaught exceptions of every page opened: served under the server's CSP, none may be a violation. */
const pageErrors: string[] = [];

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(`${url}: ${m.text()}`));
  page.on('pageerror', (e) => pageErrors.push(`${url}: ${String(e)}`));
  await page.setViewport({ width: 1024, height: 640 });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction('window.Reveal && Reveal.isReady() && document.querySelector(".sg-follow")');
  return page;
}

/** Where a deck is: its path and reveal.js's indices. */
const post = (pathname: string, token: string | null, body = '{}') =>
  fetch(new URL(pathname, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { 'x-studyguide-token': token }) },
    body,
  });

describe('follow mode', () => {
  it('two audience pages follow ten moves (slides, fragments, another deck); a late joiner lands on the current slide; a free page stays until it follows again; the pointer and the pacing timer', async () => {
    const presenter = await open(deckUrl('all', follow.token()));
    const audience = [await open(deckUrl('all')), await open(deckUrl('all'))];
    expect(await presenter.$eval('.sg-follow', (b) => b.getAttribute('data-state'))).toBe('presenting');
    // --duration 30m: the speaker view's pacing timer.
    expect(await presenter.evaluate('Reveal.getConfig().totalTime')).toBe(1800);
    const moves: ((R: any) => void)[] = [
      (R) => R.next(),
      (R) => R.next(),
      (R) => R.down(),
      (R) => R.slide(3, 0),
      (R) => R.prev(),
      (R) => R.slide(5, 0),
      (R) => R.down(),
      (R) => R.up(),
      // A fragment: the answer of the notes' question slide.
      (R) => {
        const slide = R.getSlides().find((s: Element) => s.querySelector('.fragment'));
        const { h, v } = R.getIndices(slide);
        R.slide(h, v, -1);
        R.nextFragment();
      },
    ];
    for (const move of moves) {
      await presenter.evaluate(`(${move.toString()})(window.Reveal)`);
      for (const page of audience) await followed(page, presenter);
    }
    expect((await where(presenter)).f).toBe(0);
    // The tenth move: another deck. The audience goes there too.
    await Promise.all([presenter.waitForNavigation(), presenter.goto(deckUrl('vpc'))]);
    await presenter.waitForFunction('window.Reveal && Reveal.isReady()');
    await presenter.evaluate('Reveal.next()');
    for (const page of audience) await followed(page, presenter);

    const late = await open(deckUrl('all'));
    await followed(late, presenter);

    // The second reader moves on their own: free, and stays while the presenter goes on.
    const [first, second] = audience as [Page, Page];
    await second.evaluate('Reveal.slide(0, 0)');
    expect(await second.$eval('.sg-follow', (b) => b.getAttribute('data-state'))).toBe('free');
    await presenter.evaluate('Reveal.prev()');
    await followed(first, presenter);
    expect(await where(second)).toMatchObject({ h: 0, v: 0 });
    // F follows again.
    await second.keyboard.press('f');
    await followed(second, presenter);

    // The presenter's pointer: a dot at the same place of the slide on every following page.
    const box = (page: Page) =>
      page.evaluate(() => {
        const r = document.querySelector('.reveal .slides')!.getBoundingClientRect();
        return { left: r.left, top: r.top, width: r.width, height: r.height };
      });
    const at = await box(presenter);
    await presenter.mouse.move(at.left + at.width * 0.4, at.top + at.height * 0.3);
    for (const page of [first, second]) {
      await page.waitForSelector('.sg-pointer', { visible: true });
      const [dot, slide] = [
        await page.$eval('.sg-pointer', (d) => {
          const r = d.getBoundingClientRect();
          return { left: r.left, top: r.top, width: r.width, height: r.height };
        }),
        await box(page),
      ];
      expect((dot.left + dot.width / 2 - slide.left) / slide.width).toBeCloseTo(0.4, 1);
      expect((dot.top + dot.height / 2 - slide.top) / slide.height).toBeCloseTo(0.3, 1);
    }
    for (const page of [presenter, ...audience, late]) await page.close();
  });

  it('hands over: the pass gives a new token, and the old one gets 403 (logged once)', async () => {
    const old = follow.token();
    const passed = await post('/__studyguide/pass', old);
    expect(passed.status).toBe(200);
    const { token } = (await passed.json()) as { token: string };
    expect(token).not.toBe(old);
    expect(Buffer.from(token, 'base64url')).toHaveLength(16);
    const move = JSON.stringify({ deck: '/slides/all.html', h: 1, v: 0, f: 0 });
    expect((await post('/__studyguide/move', old, move)).status).toBe(403);
    expect((await post('/__studyguide/move', old, move)).status).toBe(403);
    expect(log.filter((line) => line.includes('refused'))).toHaveLength(1);
    expect((await post('/__studyguide/move', token, move)).status).toBe(204);
    expect((await post('/__studyguide/move', null, move)).status).toBe(403);
  });

  it('refuses what is not a move, and anything but reading the output folder', async () => {
    const token = follow.token();
    expect((await post('/__studyguide/move', token, '{"deck":"/etc/passwd","h":0,"v":0,"f":0}')).status).toBe(400);
    expect((await post('/__studyguide/move', token, 'x'.repeat(10_000))).status).toBe(413);
    expect((await fetch(new URL('/__studyguide/move', server.url))).status).toBe(405);
    // Sent as written (fetch would resolve the dots first).
    for (const bad of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/slides/%2e%2e/%2e%2e/package.json',
      '/slides/..%2f..%2fpackage.json',
      '/%ff',
      '/a%00b',
    ]) {
      expect([400, 403, 404]).toContain(await rawStatus(bad));
    }
    // No listing: a folder without an index is not found.
    expect((await fetch(new URL('/slides/', server.url))).status).toBe(404);
    for (const method of ['PUT', 'DELETE', 'POST']) expect((await fetch(new URL('/index.html', server.url), { method })).status).toBe(405);
  });
});

describe("under the server's Content-Security-Policy", () => {
  it('the quiz deck runs: its answers come as fragments, with no policy violation', async () => {
    // As the presenter: an audience page would go where the presenter of the tests above left off.
    const page = await open(deckUrl('quiz', follow.token()));
    const answer = await page.evaluate(() => {
      const R = (window as any).Reveal;
      R.slide(1, 0, -1);
      const before = R.getIndices().f ?? -1;
      R.nextFragment();
      return { before, after: R.getIndices().f, shown: document.querySelectorAll('.present .sg-answer.visible').length };
    });
    expect(answer.after).toBeGreaterThan(answer.before);
    expect(answer.shown).toBeGreaterThan(0);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});

describe('the QR code of --lan', () => {
  it('decodes to the audience link', () => {
    const url = 'http://192.168.1.20:8077/slides/all.html';
    // Each character is two modules, one above the other; a block is a light module (for dark terminals).
    const rows = terminalQr(url).split('\n').filter(Boolean);
    const top = new Set(['█', '▀']);
    const bottom = new Set(['█', '▄']);
    const light: boolean[][] = rows.flatMap((row) => [[...row].map((c) => top.has(c)), [...row].map((c) => bottom.has(c))]);
    const scale = 8;
    const quiet = 4;
    const width = (light[0]!.length + 2 * quiet) * scale;
    const height = (light.length + 2 * quiet) * scale;
    const pixels = new Uint8ClampedArray(width * height * 4).fill(255);
    light.forEach((row, y) =>
      row.forEach((isLight, x) => {
        if (isLight) return;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const at = (((y + quiet) * scale + dy) * width + (x + quiet) * scale + dx) * 4;
            pixels.fill(0, at, at + 3);
          }
      }),
    );
    expect(jsQR(pixels, width, height)?.data).toBe(url);
  });
});

describe('studyguide present', () => {
  it('prints the audience and presenter links as two lines, and serves them', async () => {
    const out = await tempDir();
    const child = spawn(
      process.execPath,
      [CLI, 'present', '--notes', NOTES, '--out', out, '--offline', '--only', 'slides', '--port', String(await freePort())],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let stdout = '';
      const lines = await new Promise<string[]>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          stdout += d;
          const found = stdout.split('\n').filter((l) => /^(audience|presenter): /.test(l));
          if (found.length === 2) resolve(found);
        });
        child.once('exit', (code) => reject(new Error(`present exited ${code}`)));
      });
      expect(lines[0]).toMatch(/^audience: http:\/\/127\.0\.0\.1:\d+\/slides\/all\.html$/);
      expect(lines[1]).toMatch(/^presenter: http:\/\/127\.0\.0\.1:\d+\/slides\/all\.html\?presenter=[\w-]{22}$/);
      const page = await fetch(lines[0]!.slice('audience: '.length));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('/__studyguide/move');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
