/** The cheat sheet that fits: real builds, sizes and pages read back from the PDF, layout checked in Chromium. */
import { cp, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../src/build.js';
import { build, createBuilder, type BuildOptions } from '../src/builder.js';
import { formatMessage } from '../src/report.js';
import { NOTES, launchTestBrowser, readPdf, tempDir, type PdfText } from './helpers.js';

const TITLES = ['Cloud HSM', 'EC2 plus', 'VPC Peering', 'VPC', 'AWS Direct Connect', 'Misc'];

/** The body size: the size most of the text is set in, as the PDF says. */
function bodySize(pdf: PdfText): number {
  const counts = new Map<number, number>();
  for (const item of pdf.items) {
    const size = Math.round(item.size * 100) / 100;
    counts.set(size, (counts.get(size) ?? 0) + item.str.length);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

interface Built {
  out: string;
  result: BuildResult;
  pdf: PdfText;
  raw: string;
}

async function sheet(options: Partial<BuildOptions>): Promise<Built> {
  const out = await tempDir();
  const result = await build({ notes: NOTES, out, only: ['pdf'], offline: true, ...options });
  const file = path.join(out, 'cheatsheet.pdf');
  return { out, result, pdf: await readPdf(file), raw: (await readFile(file)).toString('latin1') };
}

const fitted = new Map<number, Built>();
let browser: Browser;

beforeAll(async () => {
  for (const pages of [1, 2, 3]) fitted.set(pages, await sheet({ pages }));
  browser = await launchTestBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('--pages N', () => {
  it('gives exactly N pages, or reports the floor case with the pages it needs', () => {
    for (const [n, { result, pdf }] of fitted) {
      const floorWarning = result.warnings.map(formatMessage).find((w) => w.includes('cheat sheet needs'));
      if (floorWarning) {
        expect(pdf.pages).toBeGreaterThan(n);
        expect(floorWarning).toBe(
          `cheat sheet needs ${pdf.pages} pages at 6 pt; asked for ${n} (lower --min-font-size, add --columns, or choose --topics)`,
        );
        expect(bodySize(pdf)).toBeCloseTo(6, 1);
      } else {
        expect(pdf.pages).toBe(n);
      }
      expect(result.pdfPages).toBe(pdf.pages);
    }
  });

  it('prints the body at the reported size, never below the floor, larger as N grows', () => {
    const sizes = [1, 2, 3].map((n) => bodySize(fitted.get(n)!.pdf));
    for (const [i, n] of [1, 2, 3].entries()) expect(sizes[i]).toBeCloseTo(fitted.get(n)!.result.pdfFontPt!, 1);
    for (const size of sizes) expect(size).toBeGreaterThanOrEqual(6 - 0.01);
    expect(sizes[1]!).toBeGreaterThanOrEqual(sizes[0]!);
    expect(sizes[2]!).toBeGreaterThan(sizes[1]!);
    // The acceptance bar for the bundled notes: two A4 pages at 6.5 pt or more.
    expect(sizes[1]!).toBeGreaterThanOrEqual(6.5);
  });

  it('is the largest size that fits: half a point more would need another page', async () => {
    const two = fitted.get(2)!;
    const bigger = await sheet({ fontSize: two.result.pdfFontPt! + 0.5 });
    expect(bigger.pdf.pages).toBeGreaterThan(2);
  });

  it('keeps every topic title in every fitted sheet, or lists what it left out of that topic', async () => {
    for (const { pdf, out } of fitted.values()) {
      const text = pdf.pageText.join(' ');
      const index = await readFile(path.join(out, 'index.html'), 'utf8');
      for (const title of TITLES) expect(text.includes(title) || index.includes(`<h3>${title}</h3>`), title).toBe(true);
    }
    // Two pages hold everything: nothing is left out there.
    for (const title of TITLES) expect(fitted.get(2)!.pdf.pageText.join(' ')).toContain(title);
  });
});

describe('layout', () => {
  it('never leaves a heading at the end of a column, and clips nothing', async () => {
    for (const { out } of fitted.values()) {
      const page = await browser.newPage();
      await page.emulateMediaType('print');
      await page.goto(pathToFileURL(path.join(out, 'cheatsheet.html')).href);
      await page.waitForSelector('html[data-studyguide="ready"]');
      const report = await page.evaluate(() => {
        const cols = [...document.querySelectorAll('#pages .col')] as HTMLElement[];
        const nonEmpty = cols.filter((c) => c.children.length > 0);
        return {
          columns: cols.length,
          strandedHeadings: nonEmpty
            .slice(0, -1)
            .filter((c) => c.lastElementChild!.classList.contains('t'))
            .map((c) => c.lastElementChild!.textContent),
          overfull: cols.filter((c) => c.scrollHeight > c.clientHeight + 1).length,
          splitCode: document.querySelectorAll('#pages pre.continues').length,
        };
      });
      expect(report.columns % 3).toBe(0);
      expect(report).toMatchObject({ strandedHeadings: [], overfull: 0, splitCode: 0 });
      await page.close();
    }
  });

  it('A4 portrait by default; Letter and landscape on request', async () => {
    const box = (raw: string) =>
      raw
        .match(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/)!
        .slice(1)
        .map((n) => Math.round(Number(n)));
    expect(box(fitted.get(2)!.raw)).toEqual([595, 842]);
    expect(box((await sheet({ paper: 'Letter' })).raw)).toEqual([612, 792]);
    const wide = await sheet({ paper: 'A4', landscape: true, columns: 4 });
    expect(box(wide.raw)).toEqual([842, 595]);
  });
});

describe('legibility', () => {
  it('names a block scaled below --min-font-size in a warning (a formula too wide to wrap, scaled to the column)', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'notes'));
    // \left( … \right) keeps the sum in one piece: it cannot wrap, only be scaled.
    const terms = Array.from({ length: 60 }, (_, i) => `a_{${i + 1}}`).join(' + ');
    await writeFile(
      path.join(dir, 'notes', 'wide.md'),
      `# Wide\n\nA sum too wide for any column:\n\n$$\\left( ${terms} \\right)$$\n\nAfter it, prose as usual.\n`,
    );
    const result = await build({ notes: path.join(dir, 'notes'), out: path.join(dir, 'out'), only: ['pdf'], offline: true });
    const said = result.warnings.filter((w) => w.ruleId === 'sheet-legibility').map((w) => w.reason);
    expect(said).toEqual([
      expect.stringMatching(/^cheat sheet: formula ".*" is scaled to \d+% \(smallest text [\d.]+ pt\), below --min-font-size 6 pt/),
    ]);
    // Read back from the PDF: the formula's text is that small there.
    const pdf = await readPdf(path.join(dir, 'out', 'cheatsheet.pdf'));
    const sizes = pdf.items.filter((item) => /^a$/.test(item.str.trim())).map((item) => item.size);
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThan(6);
  });
});

describe('focus and fonts', () => {
  it('--topics keeps only the matching topics', async () => {
    const { pdf } = await sheet({ topics: ['vpc*'] });
    const text = pdf.pageText.join(' ');
    expect(text).toContain('VPC Peering');
    expect(text).toContain('Can a VPC span across regions?');
    for (const other of ['Cloud HSM', 'EC2 plus', 'AWS Direct Connect', 'Misc', 'cfn-init']) expect(text).not.toContain(other);
  });

  it('--no-images leaves images and their placeholders out', async () => {
    const withImages = fitted.get(3)!.pdf.pageText.join(' ');
    expect(withImages).toContain('hsm-1.webp');
    const { pdf } = await sheet({ images: false });
    expect(pdf.pageText.join(' ')).not.toContain('hsm-1.webp');
  });

  it('embeds the bundled fonts and prints other scripts and emoji as glyphs', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'notes'));
    await writeFile(
      path.join(dir, 'notes', 'unicode.md'),
      '# Scripts 🚀\n\nAccents: café Straße Ελληνικά русский Tiếng Việt\n\nCJK: 日本語のテキスト 中文文本 한국어 텍스트\n\nArabic: مرحبا بالعالم\n\nEmoji: 🎉 ✅\n',
    );
    await build({ notes: path.join(dir, 'notes'), out: path.join(dir, 'out'), only: ['pdf'] });
    const raw = (await readFile(path.join(dir, 'out', 'cheatsheet.pdf'))).toString('latin1');
    const fonts = new Set([...raw.matchAll(/\/BaseFont\s*\/[A-Z]{6}\+([\w-]+)/g)].map((m) => m[1]!.replace(/Thin(?=-)/, '')));
    for (const font of [
      'NotoSans-Regular',
      'NotoSans-Bold',
      'NotoSansSC-Regular',
      'NotoSansKR-Regular',
      'NotoSansArabic-Regular',
      'NotoEmoji-Regular',
    ]) {
      expect(fonts).toContain(font);
    }
    // Every font is embedded (subset), none left to the viewer's machine.
    expect((raw.match(/\/FontFile2/g) ?? []).length).toBeGreaterThanOrEqual(fonts.size);
    // Runs in different fonts come out as separate text items: compare without spaces.
    const text = (await readPdf(path.join(dir, 'out', 'cheatsheet.pdf'))).pageText.join('').replace(/\s+/g, '');
    for (const s of ['café', 'Straße', 'Ελληνικά', 'русский', '日本語のテキスト', '中文文本', '한국어텍스트', '🚀', '🎉'])
      expect(text).toContain(s);
  });

  it('leaves out a note whose front matter says cheatsheet: false (it keeps its slides)', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'notes'));
    await writeFile(path.join(dir, 'notes', 'a.md'), '# Kept topic\n\nkept text\n');
    await writeFile(path.join(dir, 'notes', 'b.md'), '---\ncheatsheet: false\n---\n# Slides only\n\nnot printed\n');
    const result = await build({ notes: path.join(dir, 'notes'), out: path.join(dir, 'out'), only: ['pdf'] });
    expect(result.topics).toBe(2);
    const text = (await readPdf(path.join(dir, 'out', 'cheatsheet.pdf'))).pageText.join(' ');
    expect(text).toContain('Kept topic');
    expect(text).not.toContain('Slides only');
  });
});

describe('rebuilds', () => {
  /** An exam-prep note: one long ordered list of questions, options and a details answer each. */
  const exam = Array.from(
    { length: 60 },
    (_, i) =>
      `${i + 1}. A company needs to store objects for question ${i + 1} with the least operational overhead. Which service meets these requirements?\n\n` +
      '    - A. Amazon S3\n    - B. Amazon EBS\n    - C. Amazon EFS\n    - D. Amazon FSx\n\n' +
      "    <details markdown=1><summary markdown='span'>Answer</summary>\n\n      Correct answer: A\n\n" +
      '      S3 stores objects; the others store blocks or files.\n\n    </details>\n',
  ).join('\n');

  it('a builder that builds once closes each page when its target is done; one that rebuilds keeps them for the next build', async () => {
    const openPages = async (once: boolean) => {
      const builder = createBuilder({ notes: NOTES, out: await tempDir(), offline: true, browser, once });
      const before = (await browser.pages()).length;
      try {
        await builder.build();
        return (await browser.pages()).length - before;
      } finally {
        await builder.close();
      }
    };
    expect(await openPages(true)).toBe(0);
    // The sheet's page and the slides' fitting page stay open in watch mode: a rebuild swaps content in.
    expect(await openPages(false)).toBe(2);
  }, 120_000); // two full builds: a hang guard, not a speed check

  it('a rebuild lays out again from the first block that changed, and prints what a fresh build prints', async () => {
    const notes = await tempDir();
    await cp(NOTES, notes, { recursive: true });
    await writeFile(path.join(notes, '07-exam.md'), `# Practice exam\n\n${exam}`);
    const options = { notes, only: ['pdf' as const], offline: true, browser };
    const out = await tempDir();
    const builder = createBuilder({ ...options, out });
    const text = async (dir: string) => (await readPdf(path.join(dir, 'cheatsheet.pdf'))).pageText;
    const edits: [string, (text: string) => string][] = [
      // After a long list that was split over columns: its rest must not be laid out twice.
      ['07-exam.md', (t) => `${t}\n- one more line after the list\n`],
      ['06-misc.md', (t) => t.replace('\n## ', '\nA new paragraph before a heading, long enough to wrap in its column.\n\n## ')],
      ['04-vpc.md', (t) => `${t}\n- a line in an earlier topic\n`],
      ['07-exam.md', (t) => t.replace('question 7?', 'question seven, asked at more length so that it wraps?')],
    ];
    try {
      const first = await builder.build();
      for (const [note, edit] of edits) {
        const file = path.join(notes, note);
        await writeFile(file, edit(await readFile(file, 'utf8')));
        await builder.build();
        const fresh = await tempDir();
        await build({ ...options, out: fresh });
        expect(await text(out)).toEqual(await text(fresh));
      }
      expect(first.pdfPages).toBeGreaterThan(3);
    } finally {
      await builder.close();
    }
  }, 180_000); // a fresh build and a watch session of four edits on exam-sized notes: a hang guard, not a speed check
});
