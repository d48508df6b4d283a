/**
 * Study results: how the student (or the group) answered the flashcards. The live quiz appends
 * them; anyone can write them by hand. They live in the notes folder, in `.studyguide/results/`
 * (a dot folder: Obsidian and the note loader skip it), one or more CSV files with a header line:
 *
 *   time,card,question,who,answer,right
 *   2026-12-07T19:30:00Z,Xq3…,What is cfn-init?,ana,B,yes
 *
 * `right` (yes/no, true/false, 1/0, right/wrong) and one of `card` (the card's id, as in
 * flashcards.tsv) or `question` (its front as text) are needed; the other columns are kept for
 * people. A card answered wrong at least once is a weak spot; one always answered right is known.
 * The live quiz appends a row each time a device answers, a changed answer too: of the rows of one
 * file with the same `who` and card, the last one counts (rows without `who` each count).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { toString } from 'mdast-util-to-string';
import { VFileMessage } from 'vfile-message';
import type { CardStanding } from './priority.js';
import type { Card } from './study/index.js';

export { RESULTS_DIR } from './paths.js';

/** One answer, as read from a results file. */
export interface Answer {
  card?: string;
  question?: string;
  /** Who answered (a nickname, a device): empty when the row does not say. */
  who?: string;
  right: boolean;
  /** Where it is written, for messages. */
  file: string;
  line: number;
}

const RIGHT = new Set(['yes', 'y', 'true', '1', 'right', 'correct', '✓', 'knew it']);
const WRONG = new Set(['no', 'n', 'false', '0', 'wrong', 'incorrect', '✗', "didn't", 'didnt']);

/** Every answer in the results folder's CSV files; what cannot be read is a warning with its line. */
export async function readResults(
  dir: string,
  shownPath: (file: string) => string,
): Promise<{ answers: Answer[]; warnings: VFileMessage[] }> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /\.csv$/i.test(n)).sort();
  const answers: Answer[] = [];
  const warnings: VFileMessage[] = [];
  for (const name of names) {
    const file = shownPath(path.join(dir, name));
    const warn = (reason: string, line = 1) => {
      const message = new VFileMessage(reason, { place: { line, column: 1 }, ruleId: 'results', source: 'studyguide' });
      message.file = file;
      message.fatal = false;
      warnings.push(message);
    };
    let rows: Record<string, string>[];
    try {
      rows = parse(await readFile(path.join(dir, name), 'utf8'), {
        columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
        skip_empty_lines: true,
        relax_column_count: true,
        bom: true,
        trim: true,
      }) as Record<string, string>[];
    } catch (error) {
      const line = (error as { lines?: number }).lines;
      warn(`results file not read: ${(error as Error).message.split('\n')[0]}`, line);
      continue;
    }
    if (rows.length > 0 && !('right' in rows[0]!)) {
      warn('results file has no `right` column: its answers are not counted');
      continue;
    }
    rows.forEach((row, i) => {
      const line = i + 2; // after the header
      const value = (row.right ?? '').toLowerCase();
      const right = RIGHT.has(value) ? true : WRONG.has(value) ? false : null;
      if (right === null) return warn(`results: \`right\` should be yes or no, not ${JSON.stringify(row.right ?? '')}`, line);
      if (!row.card && !row.question) return warn('results: an answer without `card` or `question`', line);
      answers.push({ card: row.card || undefined, question: row.question || undefined, who: row.who || undefined, right, file, line });
    });
  }
  return { answers, warnings };
}

/** How each card was answered: right and wrong counts, by card. */
export interface CardScore {
  right: number;
  wrong: number;
}

/**
 * The answers matched to the cards, by id or else by question text (case and spacing aside). `ids`
 * are the cards' own ids: the GUID of flashcards.tsv, and for a cloze card that GUID (its note's)
 * with `#cN`. A row naming the note's GUID alone goes to the note's card whose question it has, else
 * to its first. Of the rows of one file with the same `who` and card, only the last counts: a
 * device that changed its answer in the live quiz wrote a row for each.
 */
export function scoreCards(answers: Answer[], cards: Card[], ids: string[]): { scores: Map<Card, CardScore>; unmatched: number } {
  const byId = new Map<string, Card>();
  const byNote = new Map<string, Card[]>();
  cards.forEach((card, i) => {
    const id = ids[i]!;
    byId.set(id, card);
    const note = id.replace(/#c\d+$/, '');
    byNote.set(note, [...(byNote.get(note) ?? []), card]);
  });
  const questionOf = new Map(cards.map((card) => [card, normal(toString({ type: 'paragraph', children: card.front }))]));
  const byQuestion = new Map([...questionOf].map(([card, question]) => [question, card]));
  const place = new Map(cards.map((card, i) => [card, i]));
  const match = (answer: Answer): Card | undefined => {
    const question = answer.question ? normal(answer.question) : undefined;
    if (answer.card) {
      const exact = byId.get(answer.card);
      if (exact) return exact;
      const note = byNote.get(answer.card);
      if (note) return note.find((card) => questionOf.get(card) === question) ?? note[0];
    }
    return question === undefined ? undefined : byQuestion.get(question);
  };
  /** What counts: the last answer of each (file, who, card), and every answer without `who`. */
  const counted = new Map<string, { card: Card; right: boolean }>();
  let unmatched = 0;
  answers.forEach((answer, i) => {
    const card = match(answer);
    if (!card) {
      unmatched++;
      return;
    }
    const key = answer.who ? JSON.stringify([answer.file, answer.who, place.get(card)]) : String(i);
    counted.set(key, { card, right: answer.right });
  });
  const scores = new Map<Card, CardScore>();
  for (const { card, right } of counted.values()) {
    const score = scores.get(card) ?? { right: 0, wrong: 0 };
    if (right) score.right++;
    else score.wrong++;
    scores.set(card, score);
  }
  return { scores, unmatched };
}

/** Wrong at least once: weak; always right: known. */
export function standings(scores: Map<Card, CardScore>): Map<Card, CardStanding> {
  return new Map([...scores].map(([card, s]) => [card, s.wrong > 0 ? 'weak' : 'strong']));
}

const normal = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();
