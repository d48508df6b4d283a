/** A heading that asks: its content answers. With no content, it is an open question. */
import type { RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { hasOptions } from '../choices.js';
import type { Topic } from '../types.js';
import { QUESTION, SCENARIO_TITLE } from './patterns.js';
import { spans } from './source.js';
import type { Found } from './types.js';

/** Whether the topic's heading asks a question its blocks answer (a scenario's heading poses, it does not ask). */
export const asksByHeading = (topic: Topic): boolean =>
  topic.heading !== null && QUESTION.test(topic.title) && !SCENARIO_TITLE.test(topic.title);

/** Where a question heading's answer ends: at the first block that asks something itself (its index; the block count if none). */
export function headingAnswerEnd(topic: Topic): number {
  const asks = (b: RootContent) =>
    (b.type === 'paragraph' && (/^\s*Q:/.test(toString(b)) || QUESTION.test(toString(b)))) ||
    (b.type === 'list' && b.children.some((item) => QUESTION.test(toString(item.children[0] ?? { type: 'text', value: '' }))));
  const end = topic.blocks.findIndex(asks);
  return end < 0 ? topic.blocks.length : end;
}

export function headingQuestion(topic: Topic): Found {
  const found: Found = { cards: [], openQuestions: [] };
  if (!topic.heading || !asksByHeading(topic)) return found;
  const open = { question: topic.title, topic, source: topic.source };
  // Options with no answer (or one naming no option): the options do not answer it.
  if (hasOptions(null, topic.blocks)) return { ...found, openQuestions: [open] };
  const answer = topic.blocks.slice(0, headingAnswerEnd(topic));
  if (answer.length > 0) {
    found.cards.push({ kind: 'question', front: topic.heading.children, back: answer, topic, source: topic.source, blanks: spans(answer) });
  } else if (topic.children.length === 0) found.openQuestions.push(open);
  return found;
}
