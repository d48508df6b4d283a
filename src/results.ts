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
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { toString } from 'mdast-util-to-string';
import { VFileMessage } from 'vfile-message';
import type { CardStanding } from './priority.js';
import type { Card } from './study/index.js';

export const RESULTS_DIR = path.join('.studyguide', 'results');

/** One answer, as read from a results file. */
export interface Answer {
  card?: string;
  question?: string;
  right: boolean;
  /** Where it is written, for messages. */
  file: string;
  line: number;
}

const RIGHT = new Set(['yes', 'y', 'true', '1', 'right', 'correct', '✓', 'knew it']);
const WRONG = new Set(['no', 'n', 'false', '0', 'wrong', 'incorrect', '✗', "didn't", 'didnt']);

/** Every answer in the notes folder's results files; what cannot be read is a warning with its line. */
export async function readResults(
  notesDir: string,
  shownPath: (file: string) => string,
): Promise<{ answers: Answer[]; warnings: VFileMessage[] }> {
  const dir = path.join(notesDir, RESULTS_DIR);
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
      answers.push({ card: row.card || undefined, question: row.question || undefined, right, file, line });
    });
  }
  return { answers, warnings };
}

/** How each card was answered: right and wrong counts, by card. */
export interface CardScore {
  right: number;
  wrong: number;
}

/** The answers matched to the cards, by id or else by question text (case and spacing aside). */
export function scoreCards(answers: Answer[], cards: Card[], ids: string[]): { scores: Map<Card, CardScore>; unmatched: number } {
  const byId = new Map(cards.map((card, i) => [ids[i], card]));
  const byQuestion = new Map(cards.map((card) => [normal(toString({ type: 'paragraph', children: card.front })), card]));
  const scores = new Map<Card, CardScore>();
  let unmatched = 0;
  for (const answer of answers) {
    const card = (answer.card && byId.get(answer.card)) || (answer.question && byQuestion.get(normal(answer.question)));
    if (!card) {
      unmatched++;
      continue;
    }
    const score = scores.get(card) ?? { right: 0, wrong: 0 };
    if (answer.right) score.right++;
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
