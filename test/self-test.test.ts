/** The self-test sheet (--self-test): answers blanked by where the note writes them, numbered, an answer key; real builds read back from the PDF. */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Root, RootContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../src/build.js';
import { build } from '../src/builder.js';
import { resolveLinks } from '../src/links.js';
import { mergeSpans, planSelfTest } from '../src/render/blanks.js';
import { createHtmlRenderer, renderedHtml, type HtmlOptions } from '../src/render/html.js';
import { extractStudySet } from '../src/study/index.js';
import { buildGuide } from '../src/tree.js';
import { NOTES, ROOT, noteFrom, readPdf, tempDir, type PdfText } from './helpers.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'self-test');

/** What the fixture's cards ask for, one of each way of writing a card; each made-up, written nowhere else in the note. */
const ANSWERS = {
  'spaced repetition ::': 'Zorblax Quintessence',
  'spaced repetition ?': 'Glimmerwick oil from the marsh',
  'Q: / A:': 'The Quorvell Stream',
  'question heading': 'Because the Vantrell moons pull the Ossiander sea.',
  'list question': 'Painted with Brassoline umber',
  'details with an Answer summary': 'The Kestrafon key of Ulmerant',
  'bold definition': 'Thrumblewick',
  'plain Term: text': 'Plimsoft valve',
  'cloze c1': 'Wendersnap',
  'cloze c2': 'Orrowind gate',
  'code answer': "console.log('Hallovendra');",
  'multiple-choice explanation': 'Its Yarrowcinder wick is thick.',
};

/** PDF text breaks words and code at its own places: compared without whitespace. */
const squash = (text: string) => text.replace(/\s+/g, '');

/** The self-test PDF's text before its answer key (the sheet) and the key: split at the key's heading, the largest "Answer key". */
function sheetAndKey(pdf: PdfText): { sheet: string; key: string } {
  const heading = pdf.items.reduce(
    (best, item, i) => (item.str === 'Answer key' && (best < 0 || item.size > pdf.items[best]!.size) ? i : best),
    -1,
  );
  expect(heading).toBeGreaterThan(0);
  const text = (items: PdfText['items']) => items.map((item) => item.str).join(' ');
  return { sheet: text(pdf.items.slice(0, heading)), key: text(pdf.items.slice(heading)) };
}

describe('blanks in the HTML', () => {
  const html: HtmlOptions = { images: new Map(), assetPrefix: '' };
  const guideOf = (notes: Record<string, string>) => {
    const guide = buildGuide(
      Object.entries(notes).map(([file, text]) => noteFrom(text, file)),
      'T',
    );
    resolveLinks(guide, path.resolve('notes'));
    return guide;
  };
  /** The text a reader sees: what a blank hides is left out. */
  const visibleText = (markup: string) => {
    const walk = (node: Root | RootContent): string => {
      if (node.type === 'text') return node.value;
      if (node.type !== 'element' && node.type !== 'root') return '';
      const blank = node.type === 'element' && ((node.properties.className as string[] | undefined) ?? []).includes('sg-blank');
      const shown = blank ? node.children.slice(0, -1) : node.children;
      return shown.map(walk).join('');
    };
    return walk(fromHtml(markup, { fragment: true }));
  };

  it('merges overlapping and touching spans', () => {
    expect(
      mergeSpans([
        { start: 10, end: 20 },
        { start: 0, end: 5 },
        { start: 15, end: 30 },
        { start: 30, end: 31 },
        { start: 40, end: 40 },
      ]),
    ).toEqual([
      { start: 0, end: 5 },
      { start: 10, end: 31 },
    ]);
  });

  it("hides every answer of the fixture, numbers each card's first blank, and leaves the other renders alone", async () => {
    const guide = guideOf({ 'notes/lanterns.md': await readFile(path.join(FIXTURE, 'lanterns.md'), 'utf8') });
    const study = extractStudySet(guide);
    const plan = planSelfTest(study.cards, guide.topics);
    expect(plan.cards).toHaveLength(Object.keys(ANSWERS).length);
    const renderer = createHtmlRenderer();
    const plain = () => [...renderedHtml(renderer.renderTopics(guide.topics, html))].join('\n');
    const before = plain();
    const blanked = [...renderedHtml(renderer.renderTopics(guide.topics, { ...html, blanks: plan.blanks }))].join('\n');
    const shown = visibleText(blanked);
    for (const answer of Object.values(ANSWERS)) {
      expect(visibleText(before)).toContain(answer);
      expect(shown).not.toContain(answer);
    }
    // The prompts stay.
    for (const prompt of [
      'Capital of Freedonia ::',
      'What keeps the lamp lit?',
      'Which river feeds the valley?',
      'a lantern that burns without oil.',
    ])
      expect(shown).toContain(prompt);
    // Numbers in reading order, each once.
    expect([...blanked.matchAll(/<sup class="sg-blank-no">(\d+)<\/sup>/g)].map((m) => Number(m[1]))).toEqual(
      plan.cards.map((c) => c.number),
    );
    // The renderer's shared renders neither took the blanks nor gave theirs to the blanked render.
    expect(plain()).toBe(before);
  });

  it('blanks tables, formulas and raw HTML by position, and leaves an embed of another note as it is', () => {
    const guide = guideOf({
      'notes/a.md': [
        '# A',
        '',
        '**Quillanor** – a tool with <kbd>Ctrl</kbd> keys.',
        '',
        '## What is in the table?',
        '',
        '| Zeltrock | Parvane |',
        '| --- | --- |',
        '| Frumzle | $x^2$ |',
        '',
        '## Embed',
        '',
        '![[b#Part]]',
        '',
      ].join('\n'),
      'notes/b.md': '# B\n\n## Part\n\nThe {{c1::Snorvel}} sings, far from here in its own note.\n',
    });
    const study = extractStudySet(guide);
    const plan = planSelfTest(study.cards, guide.topics.slice(0, 1));
    const markup = [...renderedHtml(createHtmlRenderer().renderTopics(guide.topics.slice(0, 1), { ...html, blanks: plan.blanks }))].join(
      '\n',
    );
    const shown = visibleText(markup);
    expect(shown).not.toMatch(/Quillanor|Frumzle|x2|Zeltrock|Parvane/);
    expect(shown).toContain('– a tool with Ctrl keys.');
    expect(markup).toMatch(/<span class="sg-blank"><span><span class="sg-math">/);
    // The embedded cloze's blanks are offsets in b.md: they must not cut into a.md's text, and the embed shows as written.
    const embedded = plan.cards.find((c) => c.card.kind === 'cloze')!;
    expect(plan.blanks.get(path.resolve('notes/a.md'))!.marks.map((m) => m.number)).not.toContain(embedded.number);
    expect(shown).toContain('The Snorvel sings, far from here in its own note.');
  });
});

describe('--self-test, printed', () => {
  let selfTest: { result: BuildResult; out: string };
  let plainOut: string;
  beforeAll(async () => {
    const out = await tempDir();
    selfTest = { out, result: await build({ notes: FIXTURE, out, only: ['pdf'], offline: true, pages: 1, selfTest: true }) };
    plainOut = await tempDir();
    await build({ notes: FIXTURE, out: plainOut, only: ['pdf'], offline: true, pages: 1 });
  });

  it('blanks every answer on the sheet, lists each in the numbered key, on the pages asked for', async () => {
    const pdf = await readPdf(path.join(selfTest.out, 'cheatsheet-self-test.pdf'));
    expect(pdf.pages).toBe(1);
    expect(selfTest.result.selfTestPages).toBe(1);
    expect(selfTest.result.warnings).toEqual([]);
    const { sheet, key } = sheetAndKey(pdf);
    for (const [kind, answer] of Object.entries(ANSWERS)) {
      expect(squash(sheet), kind).not.toContain(squash(answer));
      expect(squash(key), kind).toContain(squash(answer));
    }
    // Made-up words alone too (a phrase could be broken by a column end).
    for (const word of ['Zorblax', 'Glimmerwick', 'Quorvell', 'Vantrell', 'Brassoline', 'Kestrafon', 'Hallovendra', 'Yarrowcinder'])
      expect(squash(sheet)).not.toContain(word);
    // The prompts are on the sheet, and a number marks each blank (set smaller than the text).
    for (const prompt of ['Capital of Freedonia', 'What keeps the lamp lit?', 'a lantern that burns without oil.'])
      expect(squash(sheet)).toContain(squash(prompt));
    const body = pdf.items.find((item) => item.str.includes('Capital of Freedonia'))!.size;
    const heading = pdf.items.findIndex((item) => item.str === 'Answer key' && item.size > body);
    const numbers = pdf.items.slice(0, heading).filter((item) => /^\d+$/.test(item.str) && item.size < body);
    expect(numbers.map((item) => Number(item.str))).toEqual(Object.keys(ANSWERS).map((_, i) => i + 1));
    expect(squash(key)).toMatch(/^Answerkey1\.CapitalofFreedonia—ZorblaxQuintessence2\./);
  });

  it('leaves the cheat sheet as it was, and prints nothing without the flag', async () => {
    const sheet = await readPdf(path.join(selfTest.out, 'cheatsheet.pdf'));
    const plain = await readPdf(path.join(plainOut, 'cheatsheet.pdf'));
    expect(sheet.pageText).toEqual(plain.pageText);
    for (const answer of Object.values(ANSWERS)) expect(squash(sheet.pageText.join(' '))).toContain(squash(answer));
    expect(sheet.pageText.join(' ')).not.toContain('Answer key');
    await expect(access(path.join(plainOut, 'cheatsheet-self-test.pdf'))).rejects.toThrow();
  });
});

describe('--self-test on the bundled notes', () => {
  let out: string;
  let result: BuildResult;
  beforeAll(async () => {
    out = await tempDir();
    result = await build({ notes: NOTES, out, only: ['pdf'], offline: true, pages: 2, selfTest: true });
  });

  it('fits 2 pages with its key; blanks the scenario answer and each defined term where it is defined', async () => {
    const pdf = await readPdf(path.join(out, 'cheatsheet-self-test.pdf'));
    const normal = (await readPdf(path.join(out, 'cheatsheet.pdf'))).pageText.join(' ');
    expect(pdf.pages).toBeLessThanOrEqual(2);
    expect(result.selfTestPages).toBe(pdf.pages);
    const { sheet, key } = sheetAndKey(pdf);
    const scenario = 'Using AWS Direct Connect, data that would have previously been transported over the Internet';
    expect(squash(normal)).toContain(squash(scenario));
    expect(squash(sheet)).not.toContain(squash(scenario));
    expect(squash(key)).toContain(squash(scenario));
    // A term is written elsewhere too (cfn-init is, four times): the sheet shows it once less, the key has it.
    const count = (text: string, term: string) =>
      text
        .split(/\s+/)
        .join(' ')
        .match(new RegExp(`(?<![\\w-])${term}(?![\\w-])`, 'g'))?.length ?? 0;
    const terms = [
      'cfn-init',
      'In-place deployment',
      'binpack',
      'put-bucket-policy',
      'BeforeInstall',
      'Install',
      'AWS Secrets Manager',
      'Envelope encryption',
    ];
    for (const term of terms) {
      expect(count(normal, term), term).toBeGreaterThan(0);
      expect(count(sheet, term), term).toBe(count(normal, term) - 1);
      expect(count(key, term), term).toBeGreaterThan(0);
    }
    expect(squash(key)).toMatch(/^Answerkey1\.cfn-init2\./);
  });
});
