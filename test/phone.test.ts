/**
 * Issue 30: the audience on phones. `present`'s real server and real Chromium with mobile emulation
 * (390×844 upright, 844×390 sideways, touch): the reading view, following, swiping away and back.
 */
import { copyFile, cp } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page, Viewport } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/builder.js';
import { createFollow, type Follow } from '../src/present.js';
import { serve, type Server } from '../src/serve.js';
import { BUNDLED_TEMPLATES } from '../src/templates.js';
import { NOTES, ROOT, followed, launchTestBrowser, tempDir, where } from './helpers.js';

const UPRIGHT: Viewport = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
const SIDEWAYS: Viewport = { width: 844, height: 390, isMobile: true, hasTouch: true, isLandscape: true, deviceScaleFactor: 1 };
/** The server pings every event stream this often (ms): short here, so that idle connections are seen quickly. */
const KEEP_ALIVE_MS = 500;

let browser: Browser;
let server: Server;
let follow: Follow;
/** Console errors and uncaught exceptions of every page opened (a CSP violation would be one). */
const pageErrors: string[] = [];
/** Presenter move → phone applied it, in ms, per move (measured, reported, not asserted). */
const latencies: number[] = [];

beforeAll(async () => {
  const dir = await tempDir();
  const notes = path.join(dir, 'notes');
  const out = path.join(dir, 'out');
  await cp(NOTES, notes, { recursive: true });
  // Math, a mermaid diagram, a wide table, a long code block, a long callout, a picture taller than a phone, a list shown item by item.
  for (const file of ['07-phone.md', 'tall.svg'])
    await copyFile(path.join(ROOT, 'test', 'fixtures', 'phone', file), path.join(notes, file));
  browser = await launchTestBrowser();
  await build({ notes, out, only: ['slides', 'pdf'], offline: true, fragments: true, browser });
  const templates = { dirs: [BUNDLED_TEMPLATES] };
  follow = await createFollow(templates, () => undefined);
  server = await serve(out, 0, templates, { follow, keepAliveMs: KEEP_ALIVE_MS });
});
afterAll(async () => {
  await server?.close();
  await browser?.close();
  if (latencies.length) {
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`follow latency on phones (ms): median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted.at(-1)}, n ${sorted.length}`);
  }
});

const deckUrl = (deck: string, token?: string) => `${server.url}slides/${deck}.html${token ? `?presenter=${token}` : ''}`;

async function open(url: string, viewport: Viewport): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(`${url}: ${m.text()}`));
  page.on('pageerror', (e) => pageErrors.push(`${url}: ${String(e)}`));
  await page.setViewport(viewport);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction('window.Reveal && Reveal.isReady() && document.querySelector(".sg-follow")');
  return page;
}

/** Where a deck is: its path and reveal.js's indices. */
/** The time (Date.now) each page applied its last move: recorded in the page, installed once per page load. */
const lastApplied = (page: Page) =>
  page.evaluate(() => {
    const w = window as any;
    if (w.__applied === undefined) {
      w.__applied = 0;
      for (const e of ['slidechanged', 'fragmentshown', 'fragmenthidden']) w.Reveal.on(e, () => (w.__applied = Date.now()));
    }
    return w.__applied as number;
  });

/** A move by the presenter, and every page following it; the phones' latency is recorded. */
async function move(presenter: Page, pages: Page[], act: string, timed = true): Promise<void> {
  await Promise.all(pages.map(lastApplied));
  const sent = (await presenter.evaluate(`(() => { const t = Date.now(); (${act})(window.Reveal); return t; })()`)) as number;
  for (const page of pages) {
    await followed(page, presenter);
    if (timed) latencies.push((await lastApplied(page)) - sent);
  }
}

/**
 * Tap "Follow" until the page follows: a tap that lands while the swipe before it is still flinging
 * only stops the fling (as on a phone), so it may take a second one.
 */
async function tapFollow(page: Page): Promise<void> {
  for (let tries = 0; tries < 5; tries++) {
    await page.tap('.sg-follow');
    const on = await page
      .waitForFunction('document.querySelector(".sg-follow").dataset.state === "following"', { polling: 20, timeout: 1_000 })
      .then(() => true)
      .catch(() => false);
    if (on) return;
  }
  throw new Error('tapping Follow did not follow');
}

const state = (page: Page) => page.$eval('.sg-follow', (b) => ({ state: b.getAttribute('data-state'), label: b.textContent }));
const reading = (page: Page) => page.evaluate(() => document.documentElement.classList.contains('sg-reading'));

/**
 * Visible text smaller than `floor` CSS px as rendered: each text node's box (Range client rects, after
 * every zoom, transform and SVG viewBox) against the same text in the same font unscaled. Math counts at
 * its base size (the .katex element's): TeX sets scripts smaller by design.
 */
const smallText = (page: Page, floor = 16) =>
  page.evaluate((floor) => {
    const reference = new Map<string, number>();
    const unscaledHeight = (font: string, text: string) => {
      const key = `${font}|${text}`;
      if (!reference.has(key)) {
        const probe = document.createElement('span');
        probe.style.cssText = 'position:absolute;left:0;top:0;white-space:pre;line-height:normal;zoom:1;transform:none';
        probe.style.font = font;
        probe.textContent = text;
        document.documentElement.appendChild(probe);
        const range = document.createRange();
        range.selectNodeContents(probe);
        reference.set(key, range.getClientRects()[0]?.height ?? 0);
        probe.remove();
      }
      return reference.get(key)!;
    };
    const small: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      const text = (node.textContent ?? '').trim();
      if (!parent || !text || parent.closest('.katex-mathml, .sr-only, script, style')) continue;
      if (!parent.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rect = range.getClientRects()[0];
      if (!rect || rect.width < 1 || rect.height < 1) continue;
      const style = getComputedStyle(parent);
      const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const sample = text.slice(0, 12);
      const ref = unscaledHeight(font, sample);
      if (!ref) continue;
      const scale = rect.height / ref;
      const math = parent.closest('.katex');
      const size = parseFloat(getComputedStyle(math ?? parent).fontSize) * scale;
      if (size < floor - 0.05) small.push(`${size.toFixed(1)}px ${parent.tagName.toLowerCase()}.${parent.className} "${sample}"`);
    }
    return small;
  }, floor);

/**
 * On an upright phone: the slide's title on screen under the bar, the page at its top and no wider
 * than the screen. The screen is the emulated one (`viewport`): a mobile page wider than its screen
 * widens its layout viewport (innerWidth) to fit, so innerWidth would hide the overflow.
 */
const readingChecks = (page: Page) =>
  page.evaluate(
    (screen) => {
      const slide = (window as any).Reveal.getCurrentSlide() as HTMLElement;
      const title = slide.querySelector<HTMLElement>('.sg-title, h1, h2, h3');
      const bar = document.querySelector('.sg-bar')!.getBoundingClientRect();
      const box = title?.getBoundingClientRect();
      return {
        title: title?.textContent?.trim() ?? null,
        titleOnScreen: !!box && box.top >= bar.bottom - 1 && box.bottom <= screen.height && box.left >= 0 && box.right <= screen.width,
        scrollY,
        pageWidth: document.documentElement.scrollWidth,
        viewport: screen.width,
        number: document.querySelector('.sg-bar-number')?.textContent ?? '',
      };
    },
    { width: UPRIGHT.width, height: UPRIGHT.height },
  );

/**
 * How the slide's wide blocks are shown: each one's box within the screen, and which scroll inside
 * themselves or are scaled (formulas: zoomed a little, or set inline to wrap).
 */
const wideBlocks = (page: Page) =>
  page.evaluate((screenWidth) => {
    const slide = (window as any).Reveal.getCurrentSlide() as HTMLElement;
    const blocks = Array.from(slide.querySelectorAll<HTMLElement>('table, pre, .sg-diagram, .sg-math-display'));
    return {
      outside: blocks.filter((b) => b.getBoundingClientRect().right > screenWidth + 0.5).map((b) => b.tagName),
      scrolling: blocks
        .filter((b) => b.scrollWidth > b.clientWidth + 1)
        .map((b) => b.tagName.toLowerCase() + (b.classList[0] ? '.' + b.classList[0] : '')),
      zoomed: slide.querySelectorAll('.katex-display[style*="--sg-read-zoom"]').length,
      wrapped: slide.querySelectorAll('.sg-read-wrap').length,
    };
  }, UPRIGHT.width);

/**
 * A TCP relay to the server on 127.0.0.1 whose connections can be made to go silent without closing:
 * what a phone's network does to an idle connection (Wi-Fi asleep, a NAT entry dropped).
 */
async function silenceableRelay(port: number) {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; silent: boolean }>();
  const relay = net.createServer((client) => {
    const pair = { client, upstream: net.connect(port, '127.0.0.1'), silent: false };
    pairs.add(pair);
    client.on('data', (d) => pair.silent || pair.upstream.write(d));
    pair.upstream.on('data', (d) => pair.silent || client.write(d));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      pair.upstream.destroy();
    };
    for (const socket of [client, pair.upstream]) socket.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as net.AddressInfo).port,
    /** Every connection open now carries nothing more, either way, and stays open. */
    silence: () => pairs.forEach((pair) => (pair.silent = true)),
    close: () =>
      new Promise<void>((resolve) => {
        pairs.forEach((pair) => pair.client.destroy());
        relay.close(() => resolve());
      }),
  };
}

/** Go to the slide with this id (and optionally its fragments): a move as the presenter makes it. */
const toSlide = (id: string, f?: number) =>
  `(R) => { const i = R.getIndices(document.getElementById(${JSON.stringify(id)})); R.slide(i.h, i.v ?? 0${f === undefined ? '' : `, ${f}`}); }`;

describe('the audience on phones', () => {
  let presenter: Page;
  let upright: Page[];
  let sideways: Page;
  const phones = () => [...upright, sideways];

  it('two upright phones and one sideways follow ten moves (slides, fragments, another deck): on every slide the title is on screen, no text under 16 px, no sideways scrolling', async () => {
    presenter = await open(deckUrl('all', follow.token()), { width: 1280, height: 720 });
    upright = [await open(deckUrl('all'), UPRIGHT), await open(deckUrl('all'), UPRIGHT)];
    sideways = await open(deckUrl('all'), SIDEWAYS);
    // Upright: the reading view; sideways (844 px wide): the fitted 16:9 deck, as on a large screen.
    for (const page of upright) expect(await reading(page)).toBe(true);
    expect(await reading(sideways)).toBe(false);
    expect(await reading(presenter)).toBe(false);
    // The material: the cheat sheet the build made, and everything.
    expect(await upright[0]!.$$eval('.sg-bar-links a', (a) => a.map((l) => [l.textContent, l.getAttribute('href')]))).toEqual([
      ['Cheat sheet', '/cheatsheet.pdf'],
      ['All', '/'],
    ]);

    const moves = [
      toSlide('euler-and-sums'),
      toSlide('a-flow'),
      toSlide('regions-compared'),
      toSlide('a-long-function'),
      toSlide('a-long-read'),
      toSlide('a-tall-picture'),
      toSlide('steps', -1),
      '(R) => R.nextFragment()',
      '(R) => R.nextFragment()',
      '(R) => R.prevFragment()',
    ];
    const shown = new Set<string>();
    for (const [n, act] of moves.entries()) {
      await move(presenter, phones(), act);
      for (const page of upright) {
        const check = await readingChecks(page);
        shown.add(check.title ?? '');
        expect({ move: n, ...check }).toMatchObject({ move: n, titleOnScreen: true, scrollY: 0 });
        expect(check.pageWidth).toBeLessThanOrEqual(check.viewport);
        expect(check.number).toMatch(/^\d+ \/ \d+$/);
        expect({ move: n, small: await smallText(page) }).toEqual({ move: n, small: [] });
        const wide = await wideBlocks(page);
        expect({ move: n, outside: wide.outside }).toEqual({ move: n, outside: [] });
        // The fixture's wide blocks: each shown as the issue asks.
        if (check.title === 'Euler and sums') expect(wide).toMatchObject({ zoomed: 1, wrapped: 1 });
        if (check.title === 'A flow') expect(wide.scrolling).toEqual(['figure.sg-diagram']);
        if (check.title === 'Regions compared') expect(wide.scrolling).toEqual(['table']);
        if (check.title === 'A long function') expect(wide.scrolling).toEqual(['pre']);
      }
      for (const page of phones()) expect((await state(page)).state).toBe('following');
      // A slide taller than the phone: reading it to its end by touch is no move, and does not free the phone.
      if (act === toSlide('a-tall-picture')) {
        const phone = upright[0]!;
        // In front, as a phone in a reader's hand: a page behind others renders nothing, so it never scrolls.
        await phone.bringToFront();
        expect(await phone.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(UPRIGHT.height + 150);
        await phone.touchscreen.touchStart(200, 700);
        for (let y = 650; y >= 150; y -= 50) await phone.touchscreen.touchMove(200, y);
        await phone.touchscreen.touchEnd();
        await phone.waitForFunction(() => scrollY > 100, { polling: 20 });
        expect(await state(phone)).toMatchObject({ state: 'following' });
        expect(await where(phone)).toEqual(await where(presenter));
      }
    }
    expect([...shown]).toEqual(expect.arrayContaining(['Euler and sums', 'A flow', 'Regions compared', 'A long function', 'Steps']));
    expect((await where(presenter)).f).toBe(0);

    // The tenth move: another deck. The phones go there too, and read it the same way.
    await Promise.all([presenter.waitForNavigation(), presenter.goto(deckUrl('vpc'))]);
    await presenter.waitForFunction('window.Reveal && Reveal.isReady()');
    for (const page of phones()) await followed(page, presenter);
    await move(presenter, phones(), '(R) => R.next()');
    for (const page of upright) {
      expect(await reading(page)).toBe(true);
      expect(await readingChecks(page)).toMatchObject({ titleOnScreen: true, scrollY: 0 });
      expect(await smallText(page)).toEqual([]);
    }
    for (const page of phones()) expect((await state(page)).state).toBe('following');

    // The measure sees scaling: the sideways phone's fitted 16:9 deck (scaled to about half) has text under 16 px.
    expect((await smallText(sideways)).length).toBeGreaterThan(0);
  });

  it('after the connection idles (keep-alive pings only), the next move is still followed', async () => {
    // Count pings from now: two on every phone, and no move in between, is an idle stretch of the connection.
    await Promise.all(
      phones().map((page) =>
        page.evaluate(() => {
          const w = window as any;
          w.__pings = 0;
          w.studyguideEvents.addEventListener('ping', () => w.__pings++);
        }),
      ),
    );
    for (const page of phones()) await page.waitForFunction(() => (window as any).__pings >= 2, { polling: 50 });
    await move(presenter, phones(), '(R) => R.next()');
    for (const page of phones()) expect((await state(page)).state).toBe('following');
  });

  it('turning a phone, or resizing, does not free it: sideways it shows the deck, upright the reading view again', async () => {
    const phone = upright[1]!;
    // In front: a page behind others renders nothing, and the screen's media queries change as it renders.
    await phone.bringToFront();
    await phone.setViewport(SIDEWAYS);
    await phone.waitForFunction(() => !document.documentElement.classList.contains('sg-reading'), { polling: 20 });
    await move(presenter, phones(), '(R) => R.prev()');
    await phone.setViewport(UPRIGHT);
    await phone.waitForFunction(() => document.documentElement.classList.contains('sg-reading'), { polling: 20 });
    await move(presenter, phones(), '(R) => R.next()');
    for (const page of phones()) expect((await state(page)).state).toBe('following');
    expect(await readingChecks(phone)).toMatchObject({ titleOnScreen: true, scrollY: 0 });
  });

  it('a phone that swipes to another slide is free (a "Follow" button, no key names) until Follow is tapped', async () => {
    const phone = upright[1]!;
    await phone.bringToFront();
    const before = await where(phone);
    // Across the slide's title: a swipe that starts on a table or code that scrolls sideways scrolls that instead.
    const y = await phone.evaluate(() => {
      const r = (window as any).Reveal.getCurrentSlide().querySelector('.sg-title, h1, h2').getBoundingClientRect();
      return r.top + r.height / 2;
    });
    // Back to the slide before (the presenter is on the deck's last slide: there is none after).
    await phone.touchscreen.touchStart(80, y);
    for (let x = 120; x <= 360; x += 40) await phone.touchscreen.touchMove(x, y + 5);
    await phone.touchscreen.touchEnd();
    await phone.waitForFunction('document.querySelector(".sg-follow").dataset.state === "free"', { polling: 20 });
    expect(await where(phone)).not.toEqual(before);
    const swiped = await where(phone);
    expect(await state(phone)).toEqual({ state: 'free', label: 'Follow' });
    // The presenter goes on; the free phone stays where its reader went, the others follow.
    await move(presenter, [upright[0]!, sideways], '(R) => R.next()');
    await move(presenter, [upright[0]!, sideways], '(R) => R.next()');
    expect(await where(phone)).toEqual(swiped);
    expect((await state(phone)).state).toBe('free');
    await tapFollow(phone);
    await followed(phone, presenter);
    expect(await state(phone)).toEqual({ state: 'following', label: 'following' });
    expect(await readingChecks(phone)).toMatchObject({ titleOnScreen: true, scrollY: 0 });

    // Sideways, the deck is reveal.js's, and so is the swipe; the label names no key there either.
    await sideways.bringToFront();
    await sideways.touchscreen.touchStart(150, 200);
    for (let x = 200; x <= 700; x += 50) await sideways.touchscreen.touchMove(x, 205);
    await sideways.touchscreen.touchEnd();
    await sideways.waitForFunction('document.querySelector(".sg-follow").dataset.state === "free"', { polling: 20 });
    expect(await state(sideways)).toEqual({ state: 'free', label: 'Follow' });
    await tapFollow(sideways);
    await followed(sideways, presenter);
  });

  it('a connection the network silenced (open, but carrying nothing) is opened again when its pings stop: the phone follows the next move', async () => {
    const relay = await silenceableRelay(server.port);
    try {
      const phone = await open(`http://127.0.0.1:${relay.port}/slides/vpc.html`, UPRIGHT);
      await followed(phone, presenter);
      const pings = () => phone.evaluate(() => (window as any).__pings as number);
      await phone.evaluate(() => {
        const w = window as any;
        w.__pings = 0;
        w.studyguideEvents.addEventListener('ping', () => w.__pings++);
      });
      await phone.waitForFunction(() => (window as any).__pings >= 1, { polling: 50 });
      relay.silence();
      const before = await pings();
      // The presenter moves while the phone hears nothing; a ping late by 2.5 intervals opens the stream again.
      await move(presenter, [phone], '(R) => R.prev()', false);
      expect(await pings()).toBeGreaterThan(before);
      expect((await state(phone)).state).toBe('following');
      await phone.close();
    } finally {
      await relay.close();
    }
  });

  it('live reload keeps working on a phone: it reloads into the reading view and still follows', async () => {
    const phone = upright[0]!;
    await phone.bringToFront();
    // Every page reloads (the presenter's too): a global set now is gone only from a page that really reloaded.
    const all = [presenter, ...phones()];
    await Promise.all(all.map((page) => page.evaluate(() => ((window as any).__beforeReload = true))));
    server.reload();
    for (const page of all)
      await page.waitForFunction('!window.__beforeReload && window.Reveal && Reveal.isReady() && document.querySelector(".sg-follow")', {
        polling: 50,
        timeout: 15_000,
      });
    expect(await reading(phone)).toBe(true);
    await move(presenter, phones(), '(R) => R.prev()');
    expect((await state(phone)).state).toBe('following');
    for (const page of [presenter, ...phones()]) await page.close();
    // Every page ran under the server's Content-Security-Policy: nothing refused, nothing thrown.
    expect(pageErrors).toEqual([]);
  });
});
