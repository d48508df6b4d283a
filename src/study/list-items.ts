/**
 * Cards in a list, item by item: a multiple-choice question, a question with its answer nested
 * under it (or in a details under it), or a term and its definition. A question with nothing
 * under it, or with options but no answer, is an open question.
 */
import type { BlockContent, List } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { hasOptions } from '../choices.js';
import type { Topic } from '../types.js';
import { boldDefinition, plainDefinition } from './definitions.js';
import { itemChoice } from './multiple-choice.js';
import { QUESTION } from './patterns.js';
import { position, spans } from './source.js';
import type { FoundAndUsed } from './types.js';

/** The list's cards and open questions, and the nodes its multiple-choice questions are made of. */
export function listItems(topic: Topic, list: List): FoundAndUsed {
  const found: FoundAndUsed = { cards: [], openQuestions: [], used: [] };
  for (const item of list.children) {
    const [lead, ...more] = item.children;
    if (lead?.type !== 'paragraph') continue;
    const choice = itemChoice(topic, item, lead, more);
    if (choice) {
      found.cards.push(choice.card);
      found.used.push(...choice.used);
      continue;
    }
    const value = toString(lead).trim();
    if (QUESTION.test(value) && hasOptions(lead, more)) {
      // Options with no answer (or one naming no option): the options do not answer it.
      found.openQuestions.push({ question: value, topic, source: position(topic, item) });
      continue;
    }
    if (QUESTION.test(value)) {
      // A list item that asks, with its answer nested under it (or hidden in a details under it).
      const answer = more.length === 1 && more[0]!.type === 'details' ? more[0].children.slice(1) : more;
      if (answer.length > 0)
        found.cards.push({
          kind: 'question',
          front: lead.children,
          back: answer as BlockContent[],
          topic,
          source: position(topic, item),
          blanks: spans(answer),
          blockId: item.data?.blockId,
        });
      else found.openQuestions.push({ question: value, topic, source: position(topic, item) });
      continue;
    }
    const definition =
      lead.children[0]?.type === 'strong' ? boldDefinition(topic, lead, item) : plainDefinition(topic, lead, item, more, 6);
    if (definition) found.cards.push(definition);
  }
  return found;
}
