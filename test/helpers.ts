/** Shared test helpers: real builds into temp folders, the PDF read back with pdfjs-dist, a real browser. */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer';
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
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
