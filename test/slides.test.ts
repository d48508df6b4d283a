/** Slides that present well: long content fitted at build time, notes, fragments, questions, handouts, a11y — in real Chromium. */
import { existsSync } from 'node:fs';
import { appendFile, cp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../src/build.js';
import { build, createBuilder } from '../src/builder.js';
import { NOTES, ROOT, launchTestBrowser, openDeck, overflowingSlides, readPdf, smallText, tempDir } from './helpers.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'long-content');
const require = createRequire(import.meta.url);

let browser: Browser;
let long: { out: string; result: BuildResult };
let bundled: { out: string; result: BuildResult };

const deckUrl = (out: string, deck: string) => pathToFileURL(path.join(out, 'slides', `${deck}.html`)).href;
const decksOf = (result: BuildResult) => ['all', ...result.guide.topics.map((t) => t.slug)];

beforeAll(async () => {
  const [a, b] = [await tempDir(), await tempDir()];
  long = { out: a, result: await build({ notes: FIXTURE, out: a, only: ['slides'], handout: true }) };
  bundled = { out: b, result: await build({ notes: NOTES, out: b, only: ['slides'], offline: true, handout: true, handoutLayout: '2x3' }) };
  browser = await launchTestBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('no overflow, ever', () => {
  it('splits or scales long lists, a 60-line code block, a 12-column table and a tall image: zero overflow at 1280×720 and 1024×768', async () => {
    for (const build of [long, bundled]) {
      for (const viewport of [
        { width: 1280, height: 720 },
        { width: 1024, height: 768 },
      ]) {
        for (const deck of decksOf(build.result)) {
          const { page } = await openDeck(browser, deckUrl(build.out, deck), viewport);
          expect({ deck, viewport, overflow: await overflowingSlides(page) }).toEqual({ deck, viewport, overflow: [] });
          await page.close();
        }
      }
    }
  });

  it('splits at block boundaries into "Title (k/n)" continuation slides, keeping every list item', async () => {
    const { page } = await openDeck(browser, deckUrl(long.out, 'a-very-long-list'));
    const titles = await page.evaluate(() => [...document.querySelectorAll('.sg-title')].map((t) => t.textContent!.trim()));
    const parts = titles.filter((t) => t.startsWith('A very long list ('));
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((t, i) => expect(t).toBe(`A very long list (${i + 1}/${parts.length})`));
    const items = await page.evaluate(() =>
      [...document.querySelectorAll('section > ul > li')].map((li) => li.firstChild!.textContent!.split(':')[0]),
    );
    expect(items).toEqual(Array.from({ length: 60 }, (_, i) => `Item ${i + 1}`));
    // Nesting kept: item 7's nested list stays inside item 7.
    expect(await page.evaluate(() => [...document.querySelectorAll('section > ul > li > ul')].length)).toBe(8);
    await page.close();
  });

  it('splits the code block between lines with a continuation mark, every line kept', async () => {
    const { page } = await openDeck(browser, deckUrl(long.out, 'a-sixty-line-code-block'));
    const code = await page.evaluate(() => [...document.querySelectorAll('pre code')].map((c) => c.textContent!).join(''));
    expect(code.trim().split('\n')).toHaveLength(60);
    expect(await page.evaluate(() => document.querySelectorAll('pre.continues').length)).toBeGreaterThan(0);
    await page.close();
  });
});

describe('legible slides (test/fixtures/legibility)', () => {
  it('a 250-subheading topic, a 120-row table, a 400-line code block, a 3,000-word paragraph, ASCII art, a 260-word question, a 120-word heading and a 24-column table: no overflow, no text under 12 px but the art, which a warning names', async () => {
    const out = await tempDir();
    const result = await build({ notes: path.join(ROOT, 'test', 'fixtures', 'legibility'), out, only: ['slides'], offline: true, browser });
    const said = result.warnings.map((w) => `${w.ruleId}: ${w.reason}`);
    expect(said.filter((w) => w.startsWith('slide-overflow'))).toEqual([]);
    expect(said.filter((w) => w.startsWith('slide-legibility'))).toEqual([
      expect.stringMatching(/^slide-legibility: slides: content:a-banner: ASCII art "#\|.*below the legibility floor/),
    ]);
    for (const viewport of [
      { width: 1280, height: 720 },
      { width: 1024, height: 768 },
    ]) {
      // all.html holds every topic's slides; the quiz deck, the cards'; a topic deck, its outline (250 entries).
      for (const deck of ['all', 'quiz', 'ascii-fonts']) {
        const { page } = await openDeck(browser, deckUrl(out, deck), viewport);
        expect({ deck, viewport, overflow: await overflowingSlides(page) }).toEqual({ deck, viewport, overflow: [] });
        const small = await smallText(page);
        expect({ deck, viewport, small }).toEqual({ deck, viewport, small: [] });
        await page.close();
      }
    }
    // The outline goes on over "ASCII fonts (k/n)" slides, with every font in it.
    const { page } = await openDeck(browser, deckUrl(out, 'ascii-fonts'));
    const outline = await page.evaluate(() =>
      [...document.querySelectorAll('section.sg-title-slide')].map((s) => ({
        title: s.querySelector('.sg-title')!.textContent!.trim(),
        fonts: [...s.querySelectorAll('.sg-outline-list a')].map((a) => a.textContent!).filter((t) => t.startsWith('Font ')),
      })),
    );
    expect(outline.length).toBeGreaterThan(5);
    outline.forEach((part, i) => expect(part.title).toBe(`ASCII fonts (${i + 1}/${outline.length})`));
    expect(outline.flatMap((part) => part.fonts.map((f) => f.slice(0, 8)))).toEqual(
      Array.from({ length: 250 }, (_, i) => `Font ${String(i + 1).padStart(3, '0')}`),
    );
    // The 24-column table wraps its cells and goes on over slides, its header on each.
    const table = await openDeck(browser, deckUrl(out, 'a-wide-table'));
    const heads = await table.page.evaluate(() =>
      [...document.querySelectorAll('section table')].map((t) => t.querySelectorAll('thead th').length),
    );
    await table.page.close();
    expect(heads.length).toBeGreaterThan(1);
    expect(new Set(heads)).toEqual(new Set([24]));
    // The art is drawn as written: not wrapped, one line of the slide per line of the note.
    const banner = await openDeck(browser, deckUrl(out, 'a-banner'));
    const art = await banner.page.evaluate(() => {
      const code = document.querySelector('pre.sg-art code') as HTMLElement;
      return { lines: code.textContent!.trim().split('\n').length, wrap: getComputedStyle(code).whiteSpace };
    });
    await banner.page.close();
    expect(art.wrap).toBe('pre');
    expect(art.lines).toBe(12);
    await page.close();
  }, 300_000); // A build of a fixture made to be huge, then three decks at two sizes: minutes on a busy 2-core machine (a hang guard, not a speed check).
});

describe('rebuilds', () => {
  it('a note that gains a card fits again only the slides that changed, in the page already loaded, and the decks are those of a fresh build', async () => {
    const notes = await tempDir();
    await cp(NOTES, notes, { recursive: true });
    const out = await tempDir();
    // Fitting pages loaded from a file (an update in place loads none).
    let loads = 0;
    const newPage = browser.newPage.bind(browser);
    browser.newPage = async (...args: Parameters<Browser['newPage']>) => {
      const page = await newPage(...args);
      page.on('request', (request) => {
        if (/\/\.fit\.\d+\.html$/.test(request.url())) loads++;
      });
      return page;
    };
    const builder = createBuilder({ notes, out, only: ['slides'], offline: true, browser });
    const fitted: number[] = [];
    try {
      fitted.push((await builder.build()).slidesFitted);
      // A card early in the quiz: every later card's slide has a new place, not new content.
      await appendFile(path.join(notes, '01-cloud-hsm.md'), '\n\nQ: What does the fit cache keep?\nA: Every slide that did not change.\n');
      fitted.push((await builder.build()).slidesFitted);
      await appendFile(path.join(notes, '04-vpc.md'), '\n\n- one more line, in a topic of its own deck\n');
      fitted.push((await builder.build()).slidesFitted);
    } finally {
      browser.newPage = newPage;
      await builder.close();
    }
    expect(fitted[0]).toBeGreaterThan(20);
    // The note's slide, the new card's, and the quiz's title (it counts the cards).
    expect(fitted[1]).toBeGreaterThan(0);
    expect(fitted[1]).toBeLessThanOrEqual(4);
    expect(fitted[2]).toBeGreaterThan(0);
    expect(fitted[2]).toBeLessThanOrEqual(2);
    expect(loads).toBe(1);
    const fresh = await tempDir();
    await build({ notes, out: fresh, only: ['slides'], offline: true });
    for (const deck of ['all', 'quiz', 'cloud-hsm', 'vpc']) {
      expect(await readFile(path.join(out, 'slides', `${deck}.html`), 'utf8')).toBe(
        await readFile(path.join(fresh, 'slides', `${deck}.html`), 'utf8'),
      );
    }
  });
});

describe('presenting', () => {
  it('reaches every slide with Reveal.next(), with no console error, no failed request, no request off the machine', async () => {
    for (const build of [long, bundled]) {
      for (const deck of decksOf(build.result)) {
        const { page, errors, failed, external } = await openDeck(browser, deckUrl(build.out, deck));
        const seen = await page.evaluate(() => {
          const R = (window as any).Reveal;
          R.configure({ transition: 'none' });
          R.slide(0, 0);
          const visited = new Set<Element>([R.getCurrentSlide()]);
          for (let i = 0; i < 500 && !(R.isLastSlide() && !R.availableFragments().next); i++) {
            R.next();
            visited.add(R.getCurrentSlide());
          }
          return { visited: visited.size, total: R.getTotalSlides() };
        });
        expect(seen.visited).toBe(seen.total);
        expect({ deck, errors, failed, external }).toEqual({ deck, errors: [], failed: [], external: [] });
        await page.close();
      }
    }
  });

  it('puts speaker notes (Note: and <!-- notes: -->) in the notes, never on the slide', async () => {
    for (const [deck, note] of [
      ['a-very-long-list', 'speaker note for the long list'],
      ['a-sixty-line-code-block', 'remember to explain the loop'],
    ]) {
      const { page } = await openDeck(browser, deckUrl(long.out, deck!));
      const found = await page.evaluate((text) => {
        const R = (window as any).Reveal;
        for (const slide of R.getSlides() as HTMLElement[]) {
          const notes = R.getSlideNotes(slide) as string | null;
          if (notes && notes.replace(/<[^>]+>/g, '').includes(text)) {
            const visible = [...slide.children]
              .filter((c) => !c.matches('aside.notes'))
              .map((c) => c.textContent)
              .join(' ');
            return { inNotes: true, onSlide: visible.includes(text) };
          }
        }
        return { inNotes: false, onSlide: false };
      }, note!);
      expect(found).toEqual({ inNotes: true, onSlide: false });
      await page.close();
    }
  });

  it('opens the speaker view (S) from the file, offline', async () => {
    const { page, requests } = await openDeck(browser, deckUrl(long.out, 'a-sixty-line-code-block'));
    await page.evaluate(() => (window as any).Reveal.slide(1, 0));
    const popup = new Promise<Page>((resolve) => browser.once('targetcreated', (t) => void t.page().then((page) => resolve(page!))));
    await page.keyboard.press('s');
    const view = await popup;
    await view.waitForFunction(() => document.querySelector('.speaker-controls-notes')?.textContent?.includes('explain'), {
      timeout: 15_000,
    });
    expect(requests.every((u) => /^(file|data|about):/.test(u))).toBe(true);
    await view.close();
    await page.close();
  });

  it('a question heading shows the question first and the answer as a fragment', async () => {
    const { page } = await openDeck(browser, `${deckUrl(long.out, 'all')}#/can-a-vpc-span-across-regions`);
    const state = () =>
      page.evaluate(() => {
        const slide = (window as any).Reveal.getCurrentSlide() as HTMLElement;
        const answer = slide.querySelector('.sg-answer') as HTMLElement;
        const style = getComputedStyle(answer);
        return { id: slide.id, answerShown: style.visibility === 'visible' && style.opacity === '1' };
      });
    await page.evaluate(() => (window as any).Reveal.configure({ transition: 'none' }));
    expect(await state()).toEqual({ id: 'can-a-vpc-span-across-regions', answerShown: false });
    await page.evaluate(() => (window as any).Reveal.next());
    await page.waitForFunction(() => getComputedStyle(document.querySelector('.present .sg-answer')!).opacity === '1');
    expect(await state()).toEqual({ id: 'can-a-vpc-span-across-regions', answerShown: true });
    await page.close();
  });

  it('--fragments shows list items one by one; the search plugin finds text', async () => {
    const out = await tempDir();
    await build({ notes: NOTES, out, only: ['slides'], offline: true, fragments: true });
    const { page } = await openDeck(browser, deckUrl(out, 'misc'));
    expect(await page.evaluate(() => document.querySelectorAll('li.fragment').length)).toBeGreaterThan(10);
    await page.evaluate(() => (window as any).Reveal.getPlugin('search').open());
    await page.type('.searchinput', 'Secrets Manager');
    await page.keyboard.press('Enter');
    const found = await page
      .waitForFunction(() => (window as any).Reveal.getCurrentSlide().textContent.includes('Secrets Manager'), { timeout: 5_000 })
      .then(
        () => true,
        () => false,
      );
    expect(found).toBe(true);
    await page.close();
  });

  it('slide numbers, progress bar and deep links by slug', async () => {
    const { page } = await openDeck(browser, `${deckUrl(bundled.out, 'all')}#/vpc-peering`);
    expect(await page.evaluate(() => (window as any).Reveal.getCurrentSlide().id)).toBe('vpc-peering');
    expect(await page.evaluate(() => !!document.querySelector('.slide-number') && !!document.querySelector('.progress'))).toBe(true);
    await page.close();
  });
});

describe('themes and handouts', () => {
  it("--theme picks a bundled theme with code colours to match; --css adds the user's stylesheet", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'mine.css'), '.reveal h2 { color: rgb(200, 0, 0); }');
    await build({ notes: FIXTURE, out: path.join(dir, 'out'), only: ['slides'], theme: 'black', css: [path.join(dir, 'mine.css')] });
    const html = await readFile(path.join(dir, 'out', 'slides', 'all.html'), 'utf8');
    expect(html).toContain('reveal/dist/theme/black.css');
    const codeCss = await readFile(path.join(dir, 'out', 'slides', 'reveal', 'code.css'), 'utf8');
    expect(codeCss).toBe(await readFile(require.resolve('highlight.js/styles/github-dark.css'), 'utf8'));
    const { page } = await openDeck(browser, deckUrl(path.join(dir, 'out'), 'all'));
    await page.evaluate(() => (window as any).Reveal.slide(1, 0));
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.present h2')!).color)).toBe('rgb(200, 0, 0)');
    await page.close();
    await expect(build({ notes: FIXTURE, out: path.join(dir, 'o2'), only: ['slides'], theme: 'nope' })).rejects.toThrow(
      /unknown theme "nope"/,
    );
  });

  it('prints handouts: one slide per page, or six with --handout-layout 2x3', async () => {
    for (const { out, result } of [long, bundled]) {
      const perPage = out === long.out ? 1 : 6;
      for (const deck of decksOf(result)) {
        const slides = (await readFile(path.join(out, 'slides', `${deck}.html`), 'utf8')).match(
          /<section(?! class="sg-stack")[\s>]/g,
        )!.length;
        const pdf = await readPdf(path.join(out, 'handouts', `${deck}.pdf`));
        expect({ deck, pages: pdf.pages }).toEqual({ deck, pages: Math.ceil(slides / perPage) });
      }
    }
    const text = (await readPdf(path.join(long.out, 'handouts', 'a-sixty-line-code-block.pdf'))).pageText.join(' ');
    expect(text).toContain('line_60');
    expect(existsSync(path.join(bundled.out, 'handouts', 'all.pdf'))).toBe(true);
  });

  it('prints speaker notes under the slides with --handout-notes', async () => {
    const out = await tempDir();
    await build({ notes: FIXTURE, out, only: ['slides'], handout: true, handoutNotes: true });
    const text = (await readPdf(path.join(out, 'handouts', 'a-very-long-list.pdf'))).pageText.join(' ');
    expect(text).toContain('speaker note for the long list');
  });
});

describe('accessibility', () => {
  it('the bundled theme has no serious or critical axe-core violation on any slide', async () => {
    for (const build of [bundled, long]) {
      const { page } = await openDeck(browser, deckUrl(build.out, 'all'));
      await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
      const violations = await page.evaluate(async () => {
        const R = (window as any).Reveal;
        R.configure({ transition: 'none' });
        const out: string[] = [];
        for (const slide of R.getSlides() as HTMLElement[]) {
          const { h, v } = R.getIndices(slide);
          R.slide(h, v, Number.MAX_SAFE_INTEGER);
          const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
          for (const v of result.violations) if (v.impact === 'serious' || v.impact === 'critical') out.push(`${slide.id || h}: ${v.id}`);
        }
        return out;
      });
      expect(violations).toEqual([]);
      const alts = await page.evaluate(() => [...document.querySelectorAll('img')].filter((i) => !i.getAttribute('alt')).length);
      expect(alts).toBe(0);
      await page.close();
    }
  });
});
