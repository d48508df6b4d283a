/**
 * Cards in a topic's own blocks, block by block: Spaced Repetition cards, `Q:`/`A:`, definitions in
 * paragraphs, a question left open at the end of the topic, and the cards of its lists.
 */
import { toString } from 'mdast-util-to-string';
import type { Topic } from '../types.js';
import { boldDefinition, plainDefinition } from './definitions.js';
import type { FlashcardTags } from './flashcard-tags.js';
import { questionAnswer } from './explicit.js';
import { listItems } from './list-items.js';
import { QUESTION, SCENARIO_TITLE } from './patterns.js';
import { position } from './source.js';
import { spacedRepetition } from './spaced-repetition.js';
import type { FoundAndUsed, Taken } from './types.js';

/** The cards of the topic's blocks that `taken` does not hold, and the nodes its lists' multiple-choice questions are made of. */
export function topicBlocks(topic: Topic, taken: Taken, flashcards: FlashcardTags): FoundAndUsed {
  const found: FoundAndUsed = { cards: [], openQuestions: [], used: [] };
  const scenarioTopic = SCENARIO_TITLE.test(topic.title);
  let consumed = -1; // the `A:` paragraph of a two-paragraph Q:/A: pair
  topic.blocks.forEach((block, i) => {
    if (i === consumed || taken.has(block)) return;
    if (block.type === 'paragraph') {
      const repetition = spacedRepetition(topic, block, flashcards);
      if (repetition.length > 0) {
        found.cards.push(...repetition);
        return;
      }
      const pair = questionAnswer(topic, block, topic.blocks[i + 1]);
      if (pair) {
        found.cards.push(pair.card);
        if (pair.paragraphs === 2) consumed = i + 1;
        return;
      }
      const definition = boldDefinition(topic, block, block) ?? plainDefinition(topic, block, block, [], 4);
      if (definition) found.cards.push(definition);
      // A question on its own at the end of a topic: asked, not answered.
      if (!scenarioTopic && i === topic.blocks.length - 1 && QUESTION.test(toString(block)) && topic.children.length === 0) {
        found.openQuestions.push({ question: toString(block).trim(), topic, source: position(topic, block) });
      }
    }
    if (block.type === 'list') {
      const inList = listItems(topic, block);
      found.cards.push(...inList.cards);
      found.openQuestions.push(...inList.openQuestions);
      found.used.push(...inList.used);
    }
  });
  return found;
}
