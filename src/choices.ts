/**
 * Multiple-choice questions as exam-prep notes write them: a question, lettered options (`A.`,
 * `B)`, `(C)` … as list items or as lines under the question, or a task list), and the answer (a
 * `Correct answer: B` / `Answer: B, D` line, in a `<details>` or not, or `- [x]` on the right
 * options). Pure over mdast; src/study/multiple-choice.ts makes the cards. Precision first: no answer, or an answer
 * naming a letter no option has, is not a multiple-choice question.
 */
import type { List, ListItem, Paragraph, PhrasingContent, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Details } from './types.js';

export interface Choice {
  /** The option as written (its letter included), without a task list's checkbox. */
  content: PhrasingContent[];
  correct: boolean;
  /** Where it is written (an option line has none of its own). */
  node: ListItem | null;
}

export interface MultipleChoice {
  choices: Choice[];
  /** The explanation: the answer's blocks without the line that names the letters. */
  explanation: RootContent[];
  /** What the question's answer is written in (blanked on the self-test sheet). */
  answerNodes: RootContent[];
  /** Nodes this question uses, so nothing else makes cards of them. */
  used: object[];
}

const LETTER = /^\s*\(?([A-Ha-h])[.)]\s+/;
/** `Correct answer: B`, `Answer: B, D`, `Answers - A and C` at a line's start; the letters are not the start of a word. */
const ANSWER_LINE =
  /^\s*(?:the\s+)?(?:correct\s+)?(?:answers?|ans)(?:\s+is)?\s*[:：\-–—]?\s*\(?([A-H](?:\s*(?:,|and|&|\/)\s*\(?[A-H]\)?)*)\)?(?![A-Za-z])/im;

const letterOf = (content: PhrasingContent[]) => LETTER.exec(toString({ type: 'paragraph', children: content }))?.[1]?.toUpperCase();

/** A list whose items are options: lettered A, B, C … in order, or a task list. */
function optionsOf(list: List): Choice[] | null {
  if (list.children.length < 2) return null;
  const leads = list.children.map((item) => (item.children[0]?.type === 'paragraph' ? item.children[0].children : null));
  if (leads.some((lead) => lead === null)) return null;
  const task = list.children.every((item) => typeof item.checked === 'boolean');
  const lettered = leads.every((lead, i) => letterOf(lead!) === String.fromCharCode(65 + i));
  if (!task && !lettered) return null;
  return list.children.map((item, i) => ({ content: leads[i]!, correct: task && item.checked === true, node: item }));
}

/** Whether `blocks` hold options (a question with options but no answer it names is asked, not answered). */
export const hasOptions = (question: Paragraph | null, blocks: RootContent[]): boolean =>
  blocks.some((b) => b.type === 'list' && optionsOf(b) !== null) || (question !== null && optionLines(question) !== null);

/** Option lines under the question in its own paragraph: `Which…?` / `A. …` / `B. …`. */
function optionLines(question: Paragraph): { question: PhrasingContent[]; choices: Choice[] } | null {
  const only = question.children.length === 1 ? question.children[0] : undefined;
  if (only?.type !== 'text') return null;
  const lines = only.value.split('\n');
  const first = lines.findIndex((line) => LETTER.exec(line)?.[1]?.toUpperCase() === 'A');
  if (first < 1) return null;
  const options = lines.slice(first);
  if (options.length < 2 || !options.every((line, i) => LETTER.exec(line)?.[1]?.toUpperCase() === String.fromCharCode(65 + i))) return null;
  return {
    question: [{ type: 'text', value: lines.slice(0, first).join('\n') }],
    choices: options.map((line) => ({ content: [{ type: 'text', value: line.trim() }], correct: false, node: null })),
  };
}

/** The first answer line in `blocks` (in a details or not): its letters, and the blocks without that line. */
function answerLine(blocks: RootContent[]): { letters: string[]; explanation: RootContent[]; nodes: RootContent[] } | null {
  for (const [i, block] of blocks.entries()) {
    if (block.type === 'details') {
      const found = answerLine(block.children.slice(1));
      if (found) return { ...found, nodes: [block] };
      continue;
    }
    if (block.type !== 'paragraph') continue;
    const value = toString(block);
    const match = ANSWER_LINE.exec(value);
    if (!match) continue;
    const letters = match[1]!.toUpperCase().match(/[A-H]/g)!;
    // The rest of the paragraph after the answer's line, as text; then the blocks after it.
    const lineEnd = value.indexOf('\n', match.index + match[0].length);
    const rest = lineEnd < 0 ? '' : value.slice(lineEnd + 1).trim();
    const after = blocks.slice(i + 1);
    const explanation: RootContent[] = rest ? [{ type: 'paragraph', children: [{ type: 'text', value: rest }] }, ...after] : after;
    return { letters, explanation, nodes: blocks.slice(i) };
  }
  return null;
}

/**
 * The multiple-choice question made of `question` (a list item's first paragraph, or the
 * paragraph under a heading; null: the heading asks) and the blocks after it, or null.
 */
export function multipleChoice(
  question: Paragraph | null,
  rest: RootContent[],
): (MultipleChoice & { question: PhrasingContent[] | null }) | null {
  const listAt = rest.findIndex((b) => b.type === 'list' && optionsOf(b) !== null);
  const inline = listAt < 0 && question ? optionLines(question) : null;
  const choices = listAt >= 0 ? optionsOf(rest[listAt] as List)! : inline?.choices;
  if (!choices) return null;
  const after = listAt >= 0 ? rest.slice(listAt + 1) : rest;
  const used: object[] = listAt >= 0 ? [rest[listAt]!, ...after] : [...after];
  const checked = choices.filter((c) => c.correct);
  if (checked.length > 0) {
    const details = after.find((b): b is Details => b.type === 'details');
    const explanation = details ? details.children.slice(1) : after;
    return {
      question: inline?.question ?? null,
      choices,
      explanation,
      answerNodes: [...checked.map((c) => c.node!), ...explanation],
      used,
    };
  }
  const answer = answerLine(after);
  if (!answer) return null;
  const byLetter = new Map(choices.map((c, i) => [String.fromCharCode(65 + i), c]));
  if (!answer.letters.every((letter) => byLetter.has(letter))) return null;
  return {
    question: inline?.question ?? null,
    choices: choices.map((c, i) => ({ ...c, correct: answer.letters.includes(String.fromCharCode(65 + i)) })),
    explanation: answer.explanation,
    answerNodes: answer.nodes,
    used,
  };
}
