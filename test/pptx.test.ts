/** The decks as PowerPoint (`--pptx`) and as slide images (`--slide-images`): read back from the files, and through LibreOffice where it is installed. */
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../src/build.js';
import { build } from '../src/builder.js';
import { ROOT, readPdf, tempDir } from './helpers.js';

const VAULT = path.join(ROOT, 'test', 'fixtures', 'vault');
const run = promisify(execFile);

/** A paragraph long enough to wrap over three lines of a slide. */
const LONG =
  'A paragraph that wraps over several lines of the slide stays one paragraph in PowerPoint, so that whoever edits it ' +
  'can add a word at its start and see the rest flow on, as it does in any text box of any presentation program; ' +
  'it is not a text box per line, as a converter from rendered pages would write it.';

/** Notes a careless user writes: a broken image, a 24-column table, a 200-line code block; with a small table and notes. */
async function badNotes(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'broken.png'), 'this is not a PNG');
  const wide = Array.from({ length: 24 }, (_, i) => `C${i + 1}`);
  const code = Array.from({ length: 200 }, (_, i) => `const line${i + 1} = ${i + 1}; // line ${i + 1}`).join('\n');
  await writeFile(
    path.join(dir, 'bad.md'),
    [
      '# Bad input',
      '',
      '## Long text',
      '',
      LONG,
      '',
      '- first level',
      '  - second level',
      '    - third level',
      '',
      'Note: what to say on this slide.',
      '',
      '## Broken image',
      '',
      '![a broken picture](broken.png)',
      '',
      '## Small table',
      '',
      '| Name | Value |',
      '|---|---|',
      '| a | 1 |',
      '| b | 2 |',
      '',
      '## Wide table',
      '',
      `| ${wide.join(' | ')} |`,
      `|${wide.map(() => '---').join('|')}|`,
      `| ${wide.map((c) => `${c} value`).join(' | ')} |`,
      '',
      '## Long code',
      '',
      '```js',
      code,
      '```',
      '',
    ].join('\n'),
  );
}

interface Built {
  out: string;
  result: BuildResult;
}

let vault: Built;
let bad: Built;

beforeAll(async () => {
  const [a, b, notes] = [await tempDir(), await tempDir(), await tempDir('studyguide-bad-notes-')];
  await badNotes(notes);
  vault = { out: a, result: await build({ notes: VAULT, out: a, only: ['slides', 'pptx'], slideImages: true, slideImageScale: 0.5 }) };
  bad = { out: b, result: await build({ notes, out: b, pptx: true, only: ['slides'] }) };
});

/** The decks a build wrote, by name. */
async function deckNames(out: string): Promise<string[]> {
  return (await readdir(path.join(out, 'slides'))).filter((f) => f.endsWith('.html')).map((f) => f.replace(/\.html$/, ''));
}

/** Each slide of an HTML deck (not the stacks that hold them): its markup. */
async function htmlSlides(out: string, deck: string): Promise<string[]> {
  const html = await readFile(path.join(out, 'slides', `${deck}.html`), 'utf8');
  const body = html.slice(html.indexOf('<div class="slides">'));
  return body.split(/<section(?![^>]*class="sg-stack")(?=[\s>])/).slice(1);
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();

/** The text of a slide's title, as the HTML deck shows it. */
function htmlTitle(slide: string): string {
  const m = /<(h[12]) class="sg-title"[^>]*>([\s\S]*?)<\/\1>/.exec(slide);
  return m ? text(m[2]!) : '';
}

interface Pptx {
  slides: string[];
  notes: string[];
  files: string[];
}

async function readPptx(file: string): Promise<Pptx> {
  const zip = await JSZip.loadAsync(await readFile(file));
  const files = Object.keys(zip.files);
  const numbered = (dir: string, name: string) =>
    files
      .filter((f) => new RegExp(`^ppt/${dir}/${name}\\d+\\.xml$`).test(f))
      .sort((x, y) => Number(/(\d+)\.xml$/.exec(x)![1]) - Number(/(\d+)\.xml$/.exec(y)![1]));
  const read = (names: string[]) => Promise.all(names.map((f) => zip.file(f)!.async('string')));
  return { slides: await read(numbered('slides', 'slide')), notes: await read(numbered('notesSlides', 'notesSlide')), files };
}

/** The text of each `<a:p>` in a slide's XML. */
function paragraphs(xml: string): string[] {
  return [...xml.matchAll(/<a:p>([\s\S]*?)<\/a:p>/g)].map((m) =>
    [...m[1]!.matchAll(/<a:t>([^<]*)<\/a:t>/g)]
      .map((t) => t[1]!)
      .join('')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'"),
  );
}

/** The title placeholder's text. */
function pptxTitle(xml: string): string {
  const at = xml.indexOf('type="title"');
  if (at < 0) return '';
  const body = xml.slice(at, xml.indexOf('</p:sp>', at));
  return paragraphs(body).join(' ').replace(/\s+/g, ' ').trim();
}

describe('--pptx: editable PowerPoint from the fitted decks', () => {
  it('writes slides/<deck>.pptx for every deck (all and the quiz too), one slide per slide of the HTML deck, each title in the title placeholder', async () => {
    for (const built of [vault, bad]) {
      const decks = await deckNames(built.out);
      expect(decks).toContain('all');
      for (const deck of decks) {
        const html = await htmlSlides(built.out, deck);
        const pptx = await readPptx(path.join(built.out, 'slides', `${deck}.pptx`));
        expect({ deck, slides: pptx.slides.length }).toEqual({ deck, slides: html.length });
        html.forEach((slide, i) => {
          const title = htmlTitle(slide);
          // A formula in a title is its TeX there (the HTML's text is KaTeX's, twice over).
          if (/class="katex/.test(slide.slice(0, slide.indexOf('</h')))) expect(pptxTitle(pptx.slides[i]!)).not.toBe('');
          else if (title) expect({ deck, slide: i + 1, title: pptxTitle(pptx.slides[i]!) }).toEqual({ deck, slide: i + 1, title });
        });
      }
    }
    expect(await deckNames(vault.out)).toContain('quiz');
  });

  it('keeps a wrapped paragraph one <a:p>, list levels as paragraph levels, and one <a:pPr> per paragraph (valid OOXML)', async () => {
    const pptx = await readPptx(path.join(bad.out, 'slides', 'all.pptx'));
    const all = pptx.slides.flatMap(paragraphs);
    expect(all).toContain(LONG);
    const slide = pptx.slides.find((x) => paragraphs(x).includes(LONG))!;
    // The nested list: levels 0, 1 and 2, each a bullet paragraph.
    for (const [item, level] of [
      ['first level', 0],
      ['second level', 1],
      ['third level', 2],
    ] as const) {
      const p = [...slide.matchAll(/<a:p>([\s\S]*?)<\/a:p>/g)].map((m) => m[1]!).find((body) => body.includes(`<a:t>${item}</a:t>`))!;
      expect(p).toMatch(/^<a:pPr[^>]*>/);
      expect(p).toContain('<a:buChar');
      expect(/<a:pPr[^>]*\blvl="(\d)"/.exec(p)?.[1] ?? '0').toBe(String(level));
    }
    for (const xml of pptx.slides) {
      for (const [, body] of xml.matchAll(/<a:p>([\s\S]*?)<\/a:p>/g)) expect(body!.match(/<a:pPr\b/g)?.length ?? 0).toBeLessThanOrEqual(1);
    }
  });

  it('writes tables as <a:tbl> with a header row, speaker notes in ppt/notesSlides, math and diagrams as <p:pic>', async () => {
    const badDeck = await readPptx(path.join(bad.out, 'slides', 'all.pptx'));
    const table = badDeck.slides.find((x) => pptxTitle(x) === 'Small table')!;
    expect(table).toContain('<a:tbl><a:tblPr firstRow="1"/>');
    expect(paragraphs(table)).toEqual(expect.arrayContaining(['Name', 'Value', 'a', '1', 'b', '2']));
    expect(badDeck.files.some((f) => f.startsWith('ppt/notesSlides/'))).toBe(true);
    expect(badDeck.notes.join('\n')).toContain('what to say on this slide.');

    const vaultDeck = await readPptx(path.join(vault.out, 'slides', 'all.pptx'));
    const html = await htmlSlides(vault.out, 'all');
    const withMath = html.flatMap((s, i) => (s.includes('sg-math-display') ? [i] : []));
    const withDiagram = html.flatMap((s, i) => (s.includes('sg-diagram') ? [i] : []));
    expect(withMath.length).toBeGreaterThan(0);
    expect(withDiagram.length).toBeGreaterThan(0);
    for (const i of [...withMath, ...withDiagram])
      expect({ slide: i + 1, pic: vaultDeck.slides[i]!.includes('<p:pic>') }).toEqual({ slide: i + 1, pic: true });
    // At twice the slide's pixels.
    const zip = await JSZip.loadAsync(await readFile(path.join(vault.out, 'slides', 'all.pptx')));
    const media = Object.keys(zip.files).filter((f) => f.startsWith('ppt/media/') && f.endsWith('.png'));
    expect(media.length).toBeGreaterThan(0);
  });

  it('bad input still gives valid files: the 24-column table is a picture with a warning naming its slide, the 200-line code block is text over continuation slides', async () => {
    const pptx = await readPptx(path.join(bad.out, 'slides', 'all.pptx'));
    const wide = pptx.slides.find((x) => pptxTitle(x).startsWith('Wide table'))!;
    expect(wide).toContain('<p:pic>');
    expect(wide).not.toContain('<a:tbl>');
    const warnings = bad.result.warnings.map((w) => w.reason);
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^pptx: slide "Wide table": a 24-column table/)]));
    const code = pptx.slides.filter((x) => pptxTitle(x).startsWith('Long code'));
    expect(code.length).toBeGreaterThan(1);
    const lines = code.flatMap(paragraphs).filter((p) => /^const line\d+ = /.test(p));
    expect(lines).toHaveLength(200);
    const broken = pptx.slides.find((x) => pptxTitle(x) === 'Broken image')!;
    expect(broken).toContain('<p:spTree>');
  });

  it('opens in LibreOffice Impress: one PDF page per slide, every title in the page text', async (ctx) => {
    const soffice = spawnSync('sh', ['-c', 'command -v soffice'], { encoding: 'utf8' }).stdout.trim();
    if (!soffice) {
      console.warn('LibreOffice (soffice) is not installed: the PowerPoint files were not opened in Impress');
      ctx.skip();
      return;
    }
    for (const built of [vault, bad]) {
      const dir = await tempDir('studyguide-soffice-');
      const file = path.join(built.out, 'slides', 'all.pptx');
      // A profile of its own: a user's running LibreOffice (or another test's) does not take the job.
      await run(soffice, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file], {
        timeout: 170_000,
      });
      const pdf = await readPdf(path.join(dir, 'all.pdf'));
      const html = await htmlSlides(built.out, 'all');
      expect(pdf.pages).toBe(html.length);
      const squash = (s: string) => s.replace(/[^\p{L}\p{N}]+/gu, '');
      html.forEach((slide, i) => {
        const title = htmlTitle(slide);
        if (/class="katex/.test(slide.slice(0, slide.indexOf('</h')))) return;
        expect({ page: i + 1, has: squash(pdf.pageText[i]!).includes(squash(title)) }).toEqual({ page: i + 1, has: true });
      });
    }
  }, 400_000);
});

describe('--slide-images', () => {
  it('writes slides/<deck>/NNN.png for every slide, at the asked size', async () => {
    for (const deck of await deckNames(vault.out)) {
      const count = (await htmlSlides(vault.out, deck)).length;
      const files = (await readdir(path.join(vault.out, 'slides', deck))).sort();
      expect(files).toEqual(Array.from({ length: count }, (_, i) => `${String(i + 1).padStart(3, '0')}.png`));
      const png = await readFile(path.join(vault.out, 'slides', deck, files[0]!));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      // 1280x720 slides at 0.5.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([640, 360]);
    }
  });

  it('index.html links the PowerPoint files and the image folders', async () => {
    const index = await readFile(path.join(vault.out, 'index.html'), 'utf8');
    expect(index).toContain('href="slides/all.pptx"');
    expect(index).toContain('href="slides/all/"');
    expect(index).toContain('href="slides/quiz.pptx"');
    const bundledIndex = await readFile(path.join(bad.out, 'index.html'), 'utf8');
    expect(bundledIndex).toContain('href="slides/all.pptx"');
    expect(bundledIndex).not.toContain('href="slides/all/"');
  });
});
