/**
 * The exam sheet: `--pages N` is a limit the sheet keeps. Real builds (the CLI, or the API), the
 * PDF read back with pdfjs, the left-out list read back from cheatsheet-left-out.json and index.html.
 */
import { appendFile, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, createBuilder } from '../src/builder.js';
import { planSheet, type SheetUnit } from '../src/priority.js';
import { extractStudySet } from '../src/study/index.js';
import { buildGuide } from '../src/tree.js';
import { NOTES, ROOT, cli, noteFrom, readPdf, tempDir, type PdfText } from './helpers.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'exam-sheet', 'notes');

interface LeftOutEntry {
  file: string;
  line: number;
  kind: string;
  priority: number | 'skip';
  text: string;
}

/** PDF text breaks lines (and hyphenates nothing): compared without whitespace. */
const squash = (text: string) => text.replace(/\s+/g, '');

/** The sheet's units as the build plans them, from the notes as the pipeline parses them. */
async function unitsOf(notesDir: string, files: string[]): Promise<SheetUnit[]> {
  const notes = await Promise.all(
    files.map(async (file) => noteFrom(await readFile(path.join(notesDir, file), 'utf8'), path.join(path.relative(ROOT, notesDir), file))),
  );
  const guide = buildGuide(notes, 'T');
  const topics = guide.topics.filter((t) => t.note.frontMatter.cheatsheet !== 'skip');
  return planSheet(topics, { cards: extractStudySet(guide).cards }).units;
}

const leftOutOf = async (out: string): Promise<LeftOutEntry[]> =>
  JSON.parse(await readFile(path.join(out, 'cheatsheet-left-out.json'), 'utf8')) as LeftOutEntry[];

/** Units whose text shows in the PDF: the first words of a text unit, squashed. */
const printed = (unit: { text: string }, pdf: PdfText) => squash(pdf.pageText.join(' ')).includes(squash(unit.text.slice(0, 40)));
const sameUnit = (a: { file: string; line: number }, b: { file: string; line: number }) => a.file === b.file && a.line === b.line;
/** Units with text of their own to find in the PDF (an image, a formula or a diagram is not text there). */
const TEXT_KINDS = new Set(['paragraph', 'list item', 'table', 'code', 'callout', 'details', 'quote']);

describe('--pages 1 on the bundled notes', () => {
  let out: string;
  let run: Awaited<ReturnType<typeof cli>>;
  let pdf: PdfText;
  let leftOut: LeftOutEntry[];
  beforeAll(async () => {
    out = await tempDir();
    run = await cli(['build', '--notes', NOTES, '--out', out, '--offline', '--only', 'pdf', '--pages', '1']);
    pdf = await readPdf(path.join(out, 'cheatsheet.pdf'));
    leftOut = await leftOutOf(out);
  }, 120_000);

  it('is exactly one page, its body at 6 pt or more, and the summary says what was left out', () => {
    expect(run.code).toBe(0);
    expect(pdf.pages).toBe(1);
    const counts = new Map<number, number>();
    for (const item of pdf.items)
      counts.set(Math.round(item.size * 100) / 100, (counts.get(Math.round(item.size * 100) / 100) ?? 0) + item.str.length);
    const body = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    expect(body).toBeGreaterThanOrEqual(6);
    // Code too is set at the floor while choosing: nothing but the running heads is smaller.
    const small = pdf.items.filter((item) => item.size < 5.99 && !/\(cont\.\)$/.test(item.str));
    expect(small).toEqual([]);
    const summary = /cheat sheet: left out (\d+) of (\d+) blocks \((\d+)% of the text\) to fit 1 page/.exec(run.stderr);
    expect(summary, run.stderr).not.toBeNull();
    expect(Number(summary![1])).toBe(leftOut.filter((e) => e.priority !== 'skip').length);
    expect(run.stderr).not.toContain('cheat sheet needs');
  });

  it('lists every block it did not print: each block is in the PDF text or in the left-out list', async () => {
    const units = await unitsOf(NOTES, (await readdir(NOTES)).filter((f) => f.endsWith('.md')).sort());
    const notes = units.map((u) => ({ ...u, file: u.file.replace(/^.*notes\//, 'notes/') }));
    expect(leftOut.length).toBeGreaterThan(0);
    expect(leftOut.length).toBeLessThan(units.length);
    const missing = notes.filter((u) => TEXT_KINDS.has(u.kind) && !printed(u, pdf) && !leftOut.some((e) => sameUnit(e, u)));
    expect(missing.map((u) => `${u.file}:${u.line} ${u.text}`)).toEqual([]);
    // And nothing is listed that was printed (the list is what the PDF lacks).
    const listedButPrinted = leftOut.filter((e) => TEXT_KINDS.has(e.kind) && e.text.length > 30 && printed(e, pdf));
    expect(listedButPrinted).toEqual([]);
    for (const entry of leftOut) {
      expect(Object.keys(entry).sort()).toEqual(['file', 'kind', 'line', 'priority', 'text']);
      expect(entry.text.length).toBeLessThanOrEqual(80);
    }
  });

  it('shows the left-out list in index.html, by topic, with file:line', async () => {
    await cli(['build', '--notes', NOTES, '--out', out, '--offline', '--pages', '1', '--only', 'pdf,slides']);
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('Left out of the cheat sheet');
    for (const entry of leftOut) expect(index).toContain(`${entry.file}:${entry.line}`);
  }, 120_000);
});

describe('markers and priorities (a fixture that does not fit one page)', () => {
  let out: string;
  let pdf: PdfText;
  let leftOut: LeftOutEntry[];
  let units: SheetUnit[];
  beforeAll(async () => {
    out = await tempDir();
    await build({ notes: FIXTURE, out, offline: true, pages: 1 });
    pdf = await readPdf(path.join(out, 'cheatsheet.pdf'));
    leftOut = await leftOutOf(out);
    units = await unitsOf(FIXTURE, ['1-probability.md', '2-distributions.md', '3-formula-card.md']);
  }, 120_000);

  const text = () => squash(pdf.pageText.join(' '));

  it('prints every core block, no skip block, and no marker', () => {
    expect(pdf.pages).toBe(1);
    for (const core of ['Sample space', 'is a subset of the sample space', "Markov's inequality", "Chebyshev's inequality"]) {
      expect(text()).toContain(squash(core));
    }
    for (const skipped of [
      'sampling with replacement',
      'private to the slides',
      'uniform density',
      'bell shaped',
      'Chapter one of the course book',
    ]) {
      expect(text()).not.toContain(squash(skipped));
    }
    expect(pdf.pageText.join(' ')).not.toMatch(/cheatsheet\/|#cheatsheet/);
    expect(units.filter((u) => u.priority === 'core').length).toBe(4);
    // Skipped blocks are listed too: left out by the note's say.
    expect(leftOut.filter((e) => e.priority === 'skip').map((e) => e.text.slice(0, 20))).toEqual([
      'A bullet about sampl',
      'This paragraph is pr',
      'This whole section i',
      'The standard normal ',
    ]);
  });

  it('keeps the skipped blocks on the slides, without the markers', async () => {
    const deck = await readFile(path.join(out, 'slides', 'all.html'), 'utf8');
    expect(deck).toContain('private to the slides');
    expect(deck).toContain('bell shaped');
    expect(deck).not.toContain('cheatsheet/');
  });

  it('prints the formulas and the definition callouts; examples, proofs, code and images go first', () => {
    for (const title of ['Conditional probability', 'Independence', 'Formulas']) expect(text()).toContain(squash(title));
    // Both display formulas (KaTeX sets them as text in the PDF).
    expect(text()).toContain(squash('P(A∪B)=P(A)+P(B)−P(A∩B)'));
    expect(pdf.pageText.join(' ')).not.toContain('Worked example');
    expect(pdf.pageText.join(' ')).not.toContain('Proof sketch');
    const fours = units.filter((u) => u.priority === 4);
    expect(fours.map((u) => u.kind).sort()).toEqual(expect.arrayContaining(['callout', 'code', 'image']));
    for (const unit of fours)
      expect(
        leftOut.some((e) => e.line === unit.line && e.priority === 4),
        `${unit.line} ${unit.text}`,
      ).toBe(true);
    // Some prose was printed and some left out: the examples went before any of it.
    expect(leftOut.some((e) => e.priority === 3)).toBe(true);
    expect(leftOut.filter((e) => e.priority === 1 || e.priority === 2)).toEqual([]);
  });

  it('fills its columns: each but the last is at least 90% full', () => {
    // Read from the PDF: the lowest line of each column against the column area (header to footer).
    const items = pdf.items.filter((i) => i.page === 1);
    const header = Math.min(
      ...items.filter((i) => i.str.includes('Study Guide') || i.str === 'exam-sheet' || i.str === 'notes').map((i) => i.y),
    );
    const footer = Math.max(...items.filter((i) => /^page 1 \/ 1$/.test(i.str) || i.str === 'studyguide').map((i) => i.y));
    const width = Math.max(...items.map((i) => i.x)) + 20;
    const bottoms = [0, 1, 2].map((c) =>
      Math.min(...items.filter((i) => i.y < header - 1 && i.y > footer + 1 && Math.floor((i.x / width) * 3) === c).map((i) => i.y)),
    );
    const area = header - footer;
    const fills = bottoms.map((y) => (header - y) / area);
    for (const fill of fills.slice(0, -1)) expect(fill).toBeGreaterThanOrEqual(0.9);
  });
});

describe('choosing again after an edit', () => {
  it('is stable: one appended sentence keeps at least 90% of the printed blocks, and the same notes give the same choice', async () => {
    const dir = await tempDir();
    const notes = path.join(dir, 'notes');
    await cp(FIXTURE, notes, { recursive: true });
    const printedUnits = async () => {
      const out = path.join(dir, 'out');
      await build({ notes, out, offline: true, pages: 1, only: ['pdf'] });
      const units = await unitsOf(notes, ['1-probability.md', '2-distributions.md', '3-formula-card.md']);
      const left = await leftOutOf(out);
      return new Set(
        units
          .filter((u) => !left.some((e) => e.line === u.line && e.file.endsWith(path.basename(u.file))))
          .map((u) => `${path.basename(u.file)}:${u.line}`),
      );
    };
    const before = await printedUnits();
    expect(await printedUnits()).toEqual(before);
    await appendFile(path.join(notes, '1-probability.md'), '\nOne more sentence about dice, added after the exam sheet was printed.\n');
    const after = await printedUnits();
    const kept = [...before].filter((u) => after.has(u)).length;
    expect(kept / before.size).toBeGreaterThanOrEqual(0.9);
  }, 180_000);

  it('in watch mode, choosing again in the open page gives what a fresh build gives', async () => {
    const dir = await tempDir();
    const notes = path.join(dir, 'notes');
    await cp(FIXTURE, notes, { recursive: true });
    const builder = createBuilder({ notes, out: path.join(dir, 'watched'), offline: true, pages: 1, only: ['pdf'] });
    try {
      await builder.build();
      await appendFile(
        path.join(notes, '2-distributions.md'),
        '\n## Added\n\n**Moment** is the expected value of a power of the variable.\n',
      );
      await builder.build();
    } finally {
      await builder.close();
    }
    await build({ notes, out: path.join(dir, 'fresh'), offline: true, pages: 1, only: ['pdf'] });
    expect(await leftOutOf(path.join(dir, 'watched'))).toEqual(await leftOutOf(path.join(dir, 'fresh')));
    const watched = await readPdf(path.join(dir, 'watched', 'cheatsheet.pdf'));
    expect(watched.pages).toBe(1);
    expect(watched.pageText.join(' ')).toContain('Moment');
  }, 180_000);
});

describe('study results: weak spots first', () => {
  it('a card answered wrong goes up one priority and is printed', async () => {
    const dir = await tempDir();
    const notes = path.join(dir, 'notes');
    await cp(FIXTURE, notes, { recursive: true });
    const out = path.join(dir, 'out');
    await build({ notes, out, offline: true, pages: 1, only: ['pdf'] });
    expect((await readPdf(path.join(out, 'cheatsheet.pdf'))).pageText.join(' ')).not.toContain('note 45 says');
    // The card "Worked example" whose answer is note 45 (an example: priority 4), by its id in flashcards.tsv.
    const row = (await readFile(path.join(out, 'flashcards.tsv'), 'utf8')).split('\n').find((line) => line.includes('note 45 says'))!;
    const guid = row.split('\t')[3]!;
    await mkdir(path.join(notes, '.studyguide', 'results'), { recursive: true });
    await writeFile(
      path.join(notes, '.studyguide', 'results', 'week-1.csv'),
      `time,card,question,who,answer,right\n2026-12-07T10:00:00Z,${guid},Worked example,ana,didn't,no\n2026-12-07T10:00:05Z,,No such question any more,ana,x,yes\n`,
    );
    const result = await build({ notes, out, offline: true, pages: 1, only: ['pdf'] });
    expect((await readPdf(path.join(out, 'cheatsheet.pdf'))).pageText.join(' ')).toContain('note 45 says');
    expect(result.notices.map((n) => n.reason)).toContain('1 study result name cards no longer in the notes (not counted)');
    // index.html lists it among the weak spots, with how it went.
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('Weak spots (1)');
    expect(index).toMatch(/Worked example<\/a> — 0 of 1 right \(0%\)/);
  }, 180_000);
});

describe('bad input and limits', () => {
  it('--pages 0, -1 and 2.5 and `cheatsheet: maybe` are refused with a message (exit 2)', async () => {
    for (const pages of ['0', '-1', '2.5']) {
      const run = await cli(['build', '--notes', FIXTURE, '--out', await tempDir(), '--pages', pages]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`option '--pages <n>' argument '${pages}' is invalid. expected a whole number from 1 to 100`);
    }
    const dir = await tempDir();
    await mkdir(path.join(dir, 'notes'));
    await writeFile(path.join(dir, 'notes', 'a.md'), '---\ncheatsheet: maybe\n---\n# A\n\ntext\n');
    const run = await cli(['build', '--notes', path.join(dir, 'notes'), '--out', path.join(dir, 'out'), '--only', 'pdf']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/a\.md:1:1 front matter `cheatsheet` should be core, skip, true or false, not "maybe"/);
  }, 60_000);

  it('core blocks that need more pages than asked fail the build (exit 4), naming the note', async () => {
    const dir = await tempDir();
    const notes = path.join(dir, 'notes');
    await cp(FIXTURE, notes, { recursive: true });
    for (const file of ['1-probability.md', '2-distributions.md']) {
      const text = await readFile(path.join(notes, file), 'utf8');
      await writeFile(path.join(notes, file), `---\ncheatsheet: core\n---\n${text}`);
    }
    const run = await cli(['build', '--notes', notes, '--out', path.join(dir, 'out'), '--only', 'pdf', '--pages', '1']);
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toMatch(
      /the blocks marked core need \d+ pages at 6 pt, but --pages is 1 \(pages of core by note: .*1-probability\.md [\d.]+, .*2-distributions\.md [\d.]+/,
    );
    expect(run.stderr).not.toContain('internal error');
  }, 60_000);

  it('--keep-all keeps the old way: every block, on the pages it needs at the floor, with a warning', async () => {
    const out = await tempDir();
    const result = await build({ notes: FIXTURE, out, offline: true, pages: 1, keepAll: true, only: ['pdf'] });
    const pdf = await readPdf(path.join(out, 'cheatsheet.pdf'));
    expect(pdf.pages).toBeGreaterThan(1);
    expect(result.warnings.map((w) => w.reason).join('\n')).toContain(`cheat sheet needs ${pdf.pages} pages at 6 pt; asked for 1`);
    expect(pdf.pageText.join(' ')).toContain('Worked example');
    expect((await leftOutOf(out)).every((e) => e.priority === 'skip')).toBe(true);
  }, 60_000);

  it('without --pages nothing is chosen: every block but the skipped ones is printed', async () => {
    const out = await tempDir();
    await build({ notes: FIXTURE, out, offline: true, only: ['pdf'] });
    const pdf = await readPdf(path.join(out, 'cheatsheet.pdf'));
    expect(pdf.pageText.join(' ')).toContain('Proof sketch');
    expect((await leftOutOf(out)).map((e) => e.priority)).toEqual(['skip', 'skip', 'skip', 'skip']);
  }, 60_000);
});

describe('--self-test uses the same selection', () => {
  it('leaves out what the sheet left out; what it leaves out more for its key is said', async () => {
    const out = await tempDir();
    const result = await build({ notes: FIXTURE, out, offline: true, pages: 1, selfTest: true, only: ['pdf'] });
    const sheet = (await readPdf(path.join(out, 'cheatsheet.pdf'))).pageText.join(' ');
    const test = await readPdf(path.join(out, 'cheatsheet-self-test.pdf'));
    // The fixture's prose paragraphs are numbered ("note 12 says …"): the same ones in both.
    const numbers = (text: string) => [...text.matchAll(/note (\d+) says/g)].map((m) => Number(m[1]));
    expect(numbers(sheet).length).toBeGreaterThan(10);
    expect(numbers(sheet).length).toBeLessThan(94);
    const inTest = numbers(test.pageText.join(' '));
    // The key takes room: the self-test prints the sheet's blocks, the last few of them aside.
    expect(inTest.every((n) => numbers(sheet).includes(n))).toBe(true);
    expect(inTest.length).toBeGreaterThanOrEqual(numbers(sheet).length - 3);
    expect(result.selfTestLeftOut).toBe(numbers(sheet).length - inTest.length);
    expect(test.pages).toBe(1);
  }, 60_000);
});
