/** Study results written (src/results-file.ts) and read back (src/results.ts): a changed answer counts once, cloze cards by their own ids. No browser. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openResultsFile } from '../src/results-file.js';
import { readResults, scoreCards, type Answer } from '../src/results.js';
import { extractStudySet } from '../src/study/index.js';
import { buildGuide } from '../src/tree.js';
import { noteFrom, tempDir } from './helpers.js';

const cards = extractStudySet(
  buildGuide(
    [noteFrom('# T\n\nCapital of France :: Paris\n\nCapital of Spain :: Madrid\n\nThe {{c1::heart}} pumps {{c2::blood}}.\n')],
    'T',
  ),
).cards;
/** Ids as the build gives them: a GUID each, the cloze note's shared by its two cards with `#cN`. */
const ids = ['france-guid', 'spain-guid', 'cloze-guid#c1', 'cloze-guid#c2'];
const score = (answers: Partial<Answer>[]) => {
  const { scores, unmatched } = scoreCards(
    answers.map((a, i) => ({ right: true, file: 'a.csv', line: i + 2, ...a })),
    cards,
    ids,
  );
  return { byCard: cards.map((card) => scores.get(card) ?? null), unmatched };
};

describe('scoreCards', () => {
  it('has the four cards of the note', () => {
    expect(cards.map((c) => c.kind)).toEqual(['explicit', 'explicit', 'cloze', 'cloze']);
  });

  it('counts only the last answer of each (file, who, card): a device that changed its answer wrote a row each time', () => {
    const { byCard } = score([
      { card: 'france-guid', who: 'ana #1', right: false },
      { card: 'france-guid', who: 'ana #1', right: true },
      { card: 'france-guid', who: 'device 2', right: false },
      // The same card by its question: still ana's, still one answer.
      { question: 'capital  of FRANCE', who: 'ana #1', right: false },
      // Another file (another session): counted on its own.
      { card: 'france-guid', who: 'ana #1', right: true, file: 'b.csv' },
    ]);
    expect(byCard[0]).toEqual({ right: 1, wrong: 2 });
  });

  it('counts every row without `who` (written by hand)', () => {
    const { byCard } = score([
      { card: 'spain-guid', right: false },
      { card: 'spain-guid', right: false },
      { card: 'spain-guid', right: true },
    ]);
    expect(byCard[1]).toEqual({ right: 1, wrong: 2 });
  });

  it("matches a cloze card by its own id, or by its note's GUID and its question", () => {
    const { byCard, unmatched } = score([
      { card: 'cloze-guid#c2', who: 'x', right: false },
      { card: 'cloze-guid', question: 'The heart pumps [...].', who: 'y', right: false },
      { card: 'cloze-guid', who: 'z', right: true },
      { card: 'gone-guid', who: 'z', right: true },
    ]);
    // The GUID alone, without a question that tells: the note's first card.
    expect(byCard.slice(2)).toEqual([
      { right: 1, wrong: 0 },
      { right: 0, wrong: 2 },
    ]);
    expect(unmatched).toBe(1);
  });
});

describe('readResults', () => {
  it('reads `who`, and a folder given anywhere', async () => {
    const dir = path.join(await tempDir(), 'results');
    await mkdir(dir);
    await writeFile(
      path.join(dir, 'quiz.csv'),
      'time,card,question,who,answer,right\n2026-12-07T19:30:00Z,france-guid,Capital of France,ana #1,B,no\n2026-12-07T19:30:02Z,france-guid,Capital of France,ana #1,A,yes\n',
    );
    const { answers, warnings } = await readResults(dir, (file) => path.basename(file));
    expect(warnings).toEqual([]);
    expect(answers.map((a) => [a.who, a.right, a.file, a.line])).toEqual([
      ['ana #1', false, 'quiz.csv', 2],
      ['ana #1', true, 'quiz.csv', 3],
    ]);
    expect(scoreCards(answers, cards, ids).scores.get(cards[0]!)).toEqual({ right: 1, wrong: 0 });
  });
});

describe("the live quiz's results file", () => {
  it('is new for each session (a second one the same second gets -2), its header once, its rows quoted as CSV; a session with no answer leaves none', async () => {
    const dir = path.join(await tempDir(), 'results');
    const at = new Date(2026, 11, 7, 19, 30, 5);
    const first = openResultsFile(dir, at);
    const second = openResultsFile(dir, at);
    expect([path.basename(first.path), path.basename(second.path)]).toEqual(['2026-12-07-193005.csv', '2026-12-07-193005-2.csv']);
    first.append({
      time: '2026-12-07T18:30:09Z',
      card: 'g#c2',
      question: 'Say "hi", then go',
      who: 'ana #1',
      answer: "didn't",
      right: 'no',
    });
    first.close();
    second.close();
    expect(await readFile(first.path, 'utf8')).toBe(
      'time,card,question,who,answer,right\n2026-12-07T18:30:09Z,g#c2,"Say ""hi"", then go",ana #1,didn\'t,no\n',
    );
    expect(existsSync(second.path)).toBe(false);
    const { answers } = await readResults(dir, (file) => file);
    expect(answers).toMatchObject([{ card: 'g#c2', question: 'Say "hi", then go', who: 'ana #1', right: false }]);
  });
});
