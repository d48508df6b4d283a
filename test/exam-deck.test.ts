/**
 * An exam-prep deck as practice-exam repos write them: 50 numbered questions, lettered options as
 * nested lists, the answer in a closed <details>, some with long explanations. Every slide is read
 * in Chromium: nothing below the slide, no text under 12 px, and each answer a fragment of its question.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/builder.js';
import { ROOT, launchTestBrowser, openDeck, overflowingSlides, smallText, tempDir } from './helpers.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'exam-deck');

let browser: Browser;
beforeAll(async () => {
  browser = await launchTestBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('a 50-question practice exam', () => {
  it('splits into slides that all fit: no slide gives up, no text under 12 px, every question shown', async () => {
    const out = await tempDir();
    const result = await build({ notes: FIXTURE, out, only: ['slides'], offline: true, browser });
    const said = result.warnings.map((w) => `${w.ruleId}: ${w.reason}`);
    expect(said).toEqual([]);
    for (const deck of ['all', 'practice-exam-aws-solutions-architect']) {
      const { page } = await openDeck(browser, pathToFileURL(path.join(out, 'slides', `${deck}.html`)).href);
      expect({ deck, overflow: await overflowingSlides(page) }).toEqual({ deck, overflow: [] });
      expect({ deck, small: await smallText(page) }).toEqual({ deck, small: [] });
      const shown = await page.evaluate(() => {
        const text = (document.querySelector('.reveal .slides') as HTMLElement).textContent!;
        return [...text.matchAll(/Which service should a solutions architect choose/g)].length;
      });
      expect(shown).toBeGreaterThanOrEqual(50);
      await page.close();
    }
  }, 300_000);
});
