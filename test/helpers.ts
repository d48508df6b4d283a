/** Shared test helpers: real builds into temp folders, the PDF read back with pdfjs-dist, a real browser. */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { VFile } from 'vfile';
import { findBrowser } from '../src/browser.js';
import { createParser, parseNote } from '../src/parse.js';
import type { Note } from '../src/types.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const NOTES = path.join(ROOT, 'notes');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export const tempDir = (prefix = 'studyguide-test-') => mkdtemp(path.join(os.tmpdir(), prefix));

/** A parsed note from a markdown string, as the pipeline makes it. */
export function noteFrom(markdown: string, file = 'notes/test.md'): Note {
  const vfile = new VFile({ path: file, value: markdown });
  return parseNote(createParser(), { absPath: path.resolve(file), path: file, file: vfile, text: markdown });
}

export interface PdfText {
  pages: number;
  /** Text of each page, items joined with spaces. */
  pageText: string[];
  /** Every text run with its font size in points, read from the PDF's text matrix. */
  items: { str: string; size: number; page: number; x: number; y: number }[];
}

export async function readPdf(file: string): Promise<PdfText> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const data = new Uint8Array(await readFile(file));
  const doc = await pdfjs.getDocument({ data, useSystemFonts: false }).promise;
  const pageText: string[] = [];
  const items: PdfText['items'] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    const strs: string[] = [];
    for (const item of content.items) {
      if (!('str' in item)) continue;
      strs.push(item.str);
      const [a, b, , , x, y] = item.transform as number[];
      if (item.str.trim()) items.push({ str: item.str, size: Math.hypot(a!, b!), page: n, x: x!, y: y! });
    }
    pageText.push(strs.join(' ').replace(/\s+/g, ' '));
  }
  await doc.destroy();
  return { pages: doc.numPages, pageText, items };
}

export async function launchTestBrowser(): Promise<Browser> {
  const executablePath = findBrowser();
  if (!executablePath) throw new Error('no Chromium found for the tests (see README: the build command installs it)');
  return puppeteer.launch({
    executablePath,
    headless: true,
    // Dies with the test worker, however the worker ends (as the build's browser does).
    pipe: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-gpu',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface DeckPage {
  page: Page;
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Requests that failed or answered 4xx/5xx. */
  failed: string[];
  /** Every URL the page asked for. */
  requests: string[];
  /** Requests for anything but local files and inline data: intercepted and aborted. */
  external: string[];
}

/** A deck loaded in Chromium, with its console errors and requests recorded, once reveal.js is ready. */
export async function openDeck(browser: Browser, url: string, viewport = { width: 1280, height: 720 }): Promise<DeckPage> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const errors: string[] = [];
  const failed: string[] = [];
  const requests: string[] = [];
  const external: string[] = [];
  const server = new URL(url).protocol.startsWith('http') ? new URL(url).origin : null;
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const local = /^(file|data|about|blob):/.test(r.url()) || (server !== null && r.url().startsWith(`${server}/`));
    if (local) void r.continue();
    else {
      external.push(r.url());
      void r.abort();
    }
  });
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  page.on('requestfailed', (r) => failed.push(r.url()));
  page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction('window.Reveal && Reveal.isReady()');
  return { page, errors, failed, requests, external };
}

/**
 * Text under `floor` slide pixels on any slide of the deck (not ASCII art, which is scaled as drawn):
 * the computed size times every zoom the fitter set on the way up.
 */
export async function smallText(page: Page, floor = 12): Promise<string[]> {
  return page.evaluate((floor) => {
    const out: string[] = [];
    for (const slide of (window as any).Reveal.getSlides() as HTMLElement[]) {
      const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const el = walker.currentNode.parentElement!;
        if (!/[^\s\u200b]/.test(walker.currentNode.textContent!) || el.closest('aside.notes, .katex-mathml, .sr-only')) continue;
        let px = parseFloat(getComputedStyle(el).fontSize);
        for (let up: HTMLElement | null = el; up && up !== slide; up = up.parentElement) px *= parseFloat(getComputedStyle(up).zoom) || 1;
        if (px < floor && !el.closest('pre.sg-art')) out.push(`${slide.id}: ${px.toFixed(1)} px ${el.textContent!.slice(0, 30)}`);
      }
    }
    return out;
  }, floor);
}

/** Visit every slide with Reveal.slide(): the elements whose box leaves the slide area. */
export async function overflowingSlides(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const R = (window as any).Reveal;
    R.configure({ transition: 'none', backgroundTransition: 'none' });
    const out: string[] = [];
    for (const slide of R.getSlides() as HTMLElement[]) {
      const { h, v } = R.getIndices(slide);
      R.slide(h, v, Number.MAX_SAFE_INTEGER); // all fragments shown
      R.layout();
      const area = (document.querySelector('.reveal .slides') as HTMLElement).getBoundingClientRect();
      for (const el of slide.querySelectorAll('*')) {
        if (el.closest('aside.notes')) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.bottom > area.bottom + 1 || r.right > area.right + 1 || r.top < area.top - 1 || r.left < area.left - 1) {
          out.push(`${slide.id || `${h}/${v}`}: <${el.tagName.toLowerCase()}> ${el.textContent?.slice(0, 40)}`);
          break;
        }
      }
    }
    return out;
  });
}

/** Run the real CLI; never throws: the exit code comes back with the output. */
export async function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      maxBuffer: 1 << 26,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * The live processes below `pid` (Linux /proc), with their names; zombies
 * (already dead, waiting to be reaped) are left out. Synchronous, so a test
 * can act on them before the code under test goes on.
 */
export function descendants(pid: number): { pid: number; name: string }[] {
  const procs = new Map<number, { ppid: number; name: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') continue;
    procs.set(Number(entry), { ppid: Number(fields[1]), name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
  }
  const out: { pid: number; name: string }[] = [];
  const walk = (parent: number) => {
    for (const [child, info] of procs) {
      if (info.ppid !== parent) continue;
      out.push({ pid: child, name: info.name });
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** Wait until `condition` holds, polling; fail with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The CLI as a child process, its stderr collected as it comes. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    exited,
    /** Resolves when stderr matches; rejects if the process ends first. */
    waitFor: (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(stderr)) return false;
          child.stderr.off('data', check);
          resolve();
          return true;
        };
        if (check()) return;
        child.stderr.on('data', check);
        void exited.then(() => check() || reject(new Error(`the process ended before ${pattern}: ${stderr}`)));
      }),
    /** Its Chromium processes now. */
    chromium: () =>
      descendants(child.pid!)
        .filter((p) => /chrom/i.test(p.name))
        .map((p) => p.pid),
  };
}

/** Which of `pids` still run (zombies, dead and waiting to be reaped, do not). */
export function stillRunning(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return false;
    }
  });
}

/** Where a deck is: its path and reveal.js's indices (no fragment shown: -1). */
export const where = (page: Page) =>
  page.evaluate(() => {
    const i = (window as any).Reveal.getIndices();
    return { deck: location.pathname, h: i.h, v: i.v ?? 0, f: typeof i.f === 'number' ? i.f : -1 };
  });

/** Wait until `page` shows what `presenter` shows (events, not a clock: the server pushes each move). */
export async function followed(page: Page, presenter: Page): Promise<void> {
  const want = await where(presenter);
  const there = async () => JSON.stringify(await where(page).catch(() => null)) === JSON.stringify(want);
  // A wait begun before the page goes to another deck ends with that page: wait again in the new one.
  for (let tries = 0; tries < 20 && !(await there()); tries++) {
    await page
      .waitForFunction(
        (w) => {
          const R = (window as any).Reveal;
          if (!R || !R.isReady() || location.pathname !== w.deck) return false;
          const i = R.getIndices();
          return i.h === w.h && (i.v ?? 0) === w.v && (typeof i.f === 'number' ? i.f : -1) === w.f;
        },
        // Polled: pages behind others get no animation frames.
        { timeout: 2_000, polling: 20 },
        want,
      )
      .catch(() => undefined);
  }
  expect({ page: page.viewport(), at: await where(page) }).toEqual({ page: page.viewport(), at: want });
}

/**
 * A real PNG of one colour (the build reads content: a fake would be refused). `declared`: the size its
 * header claims instead (a huge one, with one pixel of data); `padding`: that many random bytes in a
 * private chunk viewers skip, to make it big.
 */
export function png(
  width: number,
  height: number,
  options: { rgb?: [number, number, number]; declared?: boolean; padding?: number } = {},
): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const [w, h] = options.declared ? [1, 1] : [width, height];
  const row = Buffer.from([0, ...Array.from({ length: w }, () => options.rgb ?? [255, 0, 0]).flat()]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: h }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(options.padding ? [chunk('prVt', randomBytes(options.padding))] : []),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
