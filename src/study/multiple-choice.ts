/**
 * Multiple-choice cards: a question with lettered options (or a task list) and the answer that
 * names the right ones (src/choices.ts reads them), under a heading or in a list item.
 */
import type { List, ListItem, Paragraph, PhrasingContent, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { multipleChoice, type MultipleChoice } from '../choices.js';
import type { Topic } from '../types.js';
import { paragraph } from './inline.js';
import { position, spans } from './source.js';
import type { Card } from './types.js';

/** A multiple-choice card, and the nodes it is made of (no other extractor makes cards of them). */
export interface ChoiceFound {
  card: Card;
  used: object[];
}

/** A heading (or the paragraph under it) asking a multiple-choice question of the topic's blocks. */
export function headingChoice(topic: Topic): ChoiceFound | null {
  if (!topic.heading) return null;
  const first = topic.blocks[0];
  const question = first?.type === 'paragraph' ? first : null;
  const found = multipleChoice(question, question ? topic.blocks.slice(1) : topic.blocks);
  if (!found) return null;
  const front = found.question ?? question?.children ?? topic.heading.children;
  const card = choiceCard(topic, front, found, question ?? topic.heading);
  return card && { card, used: [...found.used, ...(question ? [question] : [])] };
}

/** A list item asking a multiple-choice question: its first paragraph, the options and answer under it. */
export function itemChoice(topic: Topic, item: ListItem, lead: Paragraph, more: RootContent[]): ChoiceFound | null {
  const found = multipleChoice(lead, more);
  const card = found && choiceCard(topic, found.question ?? lead.children, found, item);
  return card && { card, used: found.used };
}

/**
 * A multiple-choice card: the question with its options on the front, the right options and the
 * explanation on the back. A task list's checked items are not an answer to just anything (a
 * to-do list is not a quiz): its question must ask.
 */
function choiceCard(topic: Topic, front: PhrasingContent[], found: MultipleChoice, at: RootContent): Card | null {
  const asks = /\?|\b(choose|select|which|what|pick)\b/i.test(toString({ type: 'paragraph', children: front }));
  const byTicks = found.choices.some((c) => c.node?.checked === true);
  if (byTicks && !asks) return null;
  const right = found.choices.filter((c) => c.correct);
  const list: List = {
    type: 'list',
    ordered: false,
    spread: false,
    children: right.map((c) => ({ type: 'listItem', spread: false, children: [paragraph(c.content)] })),
  };
  return {
    kind: 'multiple-choice',
    front,
    back: [list, ...found.explanation],
    topic,
    source: position(topic, at),
    blanks: spans(found.answerNodes),
    blockId: at.data?.blockId,
    choices: found.choices,
  };
}
