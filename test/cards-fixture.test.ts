/**
 * Precision first (issue 16, item 5): every card extracted from test/fixtures/cards, notes written the
 * way people write them (Obsidian Spaced Repetition, Anki clozes and highlights, exam-prep repos,
 * lecture notes), equals the card written by hand in expected.json: same kind, front, back and
 * direction, same order, nothing more. The notes also hold what must not become a card (code, tables,
 * `std::vector`, `AWS::CloudFormation::Init`, `a == b`, URLs and IPv6 prefixes with `::`, open
 * questions, colons in long sentences, front matter).
 *
 * Fronts and backs are compared as plain text with all whitespace removed: how blocks are joined
 * does not matter, what they say does.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { toString } from 'mdast-util-to-string';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/builder.js';
import { loadNotes } from '../src/load.js';
import { createParser, parseNote } from '../src/parse.js';
import { extractStudySet, type StudySet } from '../src/study/index.js';
import { buildGuide } from '../src/tree.js';
import type { Guide } from '../src/types.js';
import { launchTestBrowser, openDeck, overflowingSlides, ROOT, tempDir } from './helpers.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'cards');

interface Expected {
  note: string;
  kind: string;
  front: string;
  back: string;
  reversed?: boolean;
}

/** A card as compared: its note's file name, kind, front and back as plain text, direction. */
interface Seen {
  note: string;
  kind: string;
  front: string;
  back: string;
  reversed: boolean;
}

// `clozeHighlights` (each `==highlight==` a cloze) is being added to extractStudySet: typed here so
// that the call compiles before and after it lands.
const extract: (guide: Guide, options: { clozeHighlights: boolean }) => StudySet = extractStudySet;

const expected: Expected[] = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8'));
const squash = (s: string) => s.replace(/\s+/g, '');
const readable = (s: string) => s.replace(/\s+/g, ' ').trim();
const key = (c: Seen) => [c.note, c.kind, squash(c.front), squash(c.back), c.reversed].join('\u0000');
const show = (c: Seen) =>
  `    ${c.kind}${c.reversed ? ' (reversed)' : ''}\n      front: ${readable(c.front)}\n      back:  ${readable(c.back)}`;

let actual: Seen[];

beforeAll(async () => {
  const parser = createParser();
  const notes = (await loadNotes(FIXTURE)).map((n) => parseNote(parser, { ...n, text: n.text! }));
  const set = extract(buildGuide(notes, 'Cards'), { clozeHighlights: true });
  actual = set.cards.map((c) => ({
    note: path.basename(c.source.file),
    kind: c.kind,
    // A multiple-choice card's options are shown under its front.
    front: [...c.front.map((n) => toString(n)), ...(c.choices ?? []).map((o) => toString({ type: 'paragraph', children: o.content }))].join(
      ' ',
    ),
    back: c.back.map((b) => toString(b)).join(' '),
    reversed: c.reversed ?? false,
  }));
});

/** What differs between two lists of cards, for a person to read: missing, unexpected, changed, moved. */
function difference(want: Seen[], got: Seen[]): string {
  const unmatched = [...got];
  const missing: Seen[] = [];
  for (const w of want) {
    const at = unmatched.findIndex((g) => key(g) === key(w));
    if (at >= 0) unmatched.splice(at, 1);
    else missing.push(w);
  }
  const lines: string[] = [];
  for (const w of missing) {
    // The extracted card that was meant to be this one: same note and same front, or same back.
    const at = unmatched.findIndex((g) => g.note === w.note && (squash(g.front) === squash(w.front) || squash(g.back) === squash(w.back)));
    if (at >= 0) {
      lines.push(`${w.note}: card differs\n  expected\n${show(w)}\n  actual\n${show(unmatched[at]!)}`);
      unmatched.splice(at, 1);
    } else lines.push(`${w.note}: expected card not extracted\n${show(w)}`);
  }
  for (const g of unmatched) lines.push(`${g.note}: card extracted that should not be\n${show(g)}`);
  if (lines.length === 0) {
    const at = want.findIndex((w, i) => key(w) !== key(got[i]!));
    if (at >= 0)
      lines.push(
        `${want[at]!.note}: same cards, another order; card ${at + 1}\n  expected\n${show(want[at]!)}\n  actual\n${show(got[at]!)}`,
      );
  }
  return lines.join('\n\n');
}

const asSeen = (e: Expected): Seen => ({ ...e, reversed: e.reversed ?? false });

describe('cards of test/fixtures/cards, checked by hand', () => {
  it('the fixture holds at least 150 cards, of every kind', () => {
    expect(expected.length).toBeGreaterThanOrEqual(150);
    expect(new Set(expected.map((e) => e.kind))).toEqual(
      new Set(['explicit', 'cloze', 'multiple-choice', 'definition', 'question', 'scenario']),
    );
  });

  const notes = [...new Set(expected.map((e) => e.note))];
  it.each(notes)('%s: every card as expected, in order, and nothing else', (note) => {
    const want = expected.filter((e) => e.note === note).map(asSeen);
    const got = actual.filter((c) => c.note === note);
    const diff = difference(want, got);
    if (diff) expect.fail(`\n${diff}\n`);
    expect(got.map(key)).toEqual(want.map(key));
  });

  it('all notes: the same cards in the same order (notes by file name, then document order)', () => {
    const want = expected.map(asSeen);
    const diff = difference(want, actual);
    if (diff) expect.fail(`\n${diff}\n`);
    expect(actual.map(key)).toEqual(want.map(key));
  });
});

describe('the fixture built: Anki rows and the quiz', () => {
  let out: string;
  let browser: Browser;
  beforeAll(async () => {
    out = await tempDir();
    await build({ notes: FIXTURE, out, offline: true, clozeHighlights: true, only: ['slides'] });
    browser = await launchTestBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('flashcards.tsv: one row per Anki note, as Basic, reversed or Cloze, each in its top-level topic’s deck', async () => {
    const rows = (await readFile(path.join(out, 'flashcards.tsv'), 'utf8'))
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('\t'));
    const all = expected;
    const clozeNotes = new Set(all.filter((c) => c.kind === 'cloze').map((c) => c.back.replace(/\s+/g, '')));
    const count = (type: string) => rows.filter((r) => r[4] === type).length;
    expect(count('Basic (and reversed card)')).toBe(all.filter((c) => c.reversed).length);
    expect(count('Cloze')).toBe(clozeNotes.size);
    expect(count('Basic')).toBe(all.filter((c) => c.kind !== 'cloze' && !c.reversed).length);
    // A cloze row holds Anki's markup and an empty Back Extra; ids never repeat.
    for (const row of rows.filter((r) => r[4] === 'Cloze')) expect([/\{\{c\d+::/.test(row[0]!), row[1]]).toEqual([true, '']);
    expect(new Set(rows.map((r) => r[3])).size).toBe(rows.length);
    expect(new Set(rows.map((r) => r[5]!.split('::')[0]))).toEqual(new Set(['cards']));
  });

  it('the quiz shows a multiple-choice question with its options; the next key press marks the right ones', async () => {
    const { page, errors } = await openDeck(browser, pathToFileURL(path.join(out, 'slides', 'quiz.html')).href);
    const seen = await page.evaluate(async () => {
      const R = (window as any).Reveal;
      R.configure({ transition: 'none' });
      const slides = R.getSlides() as HTMLElement[];
      const slide = slides.find((s) => s.querySelector('.sg-choices .sg-correct'))!;
      R.slide(R.getIndices(slide).h, 0, -1);
      const marked = () => [...slide.querySelectorAll('.sg-choice')].map((li) => li.classList.contains('visible'));
      const before = marked();
      R.next();
      const after = marked();
      const correct = [...slide.querySelectorAll('.sg-choice')].map((li) => li.classList.contains('sg-correct'));
      return { before, after, correct, options: slide.querySelectorAll('.sg-choice').length };
    });
    expect(seen.options).toBeGreaterThanOrEqual(3);
    expect(seen.before.every((v) => !v)).toBe(true);
    expect(seen.after).toEqual(seen.correct);
    expect(seen.correct.some(Boolean)).toBe(true);
    expect(errors).toEqual([]);
    expect(await overflowingSlides(page)).toEqual([]);
    await page.close();
  });
});
