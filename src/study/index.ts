/**
 * Study features: turn the topic tree into active recall. Pure functions over the tree: flashcards
 * (one extractor per way of writing them, each a module here), open questions (asked but not
 * answered), a glossary, and topics to fill in. Precision matters more than count: a pattern that
 * could pair a front with a back that does not answer it is not used.
 */
import { walkTopics } from '../tree.js';
import type { Guide, Note } from '../types.js';
import { clozes } from './cloze.js';
import { detailsAnswers } from './details.js';
import { flashcardTags, type FlashcardTags } from './flashcard-tags.js';
import { glossary } from './glossary.js';
import { headingChoice } from './multiple-choice.js';
import { topicBlocks } from './paragraphs.js';
import { headingQuestion } from './question-heading.js';
import { scenario } from './scenario.js';
import { toFill } from './to-fill.js';
import type { Card, Found, StudyOptions, StudySet, Taken } from './types.js';

export type * from './types.js';

function withDeck(card: Card, flashcards: FlashcardTags): Card {
  if (card.deck) return card;
  const deck = flashcards.deckAt(card.source.line);
  return deck.length > 0 ? { ...card, deck } : card;
}

/** Cards found by an extractor that finds no open questions. */
const only = (cards: Card[]): Found => ({ cards, openQuestions: [] });

export function extractStudySet(guide: Guide, options: StudyOptions = {}): StudySet {
  const set: StudySet = { cards: [], openQuestions: [], glossary: [], toFill: [] };
  const tagsOfNote = new Map<Note, FlashcardTags>();
  for (const topic of walkTopics(guide.topics)) {
    let flashcards = tagsOfNote.get(topic.note);
    if (!flashcards) tagsOfNote.set(topic.note, (flashcards = flashcardTags(topic.note)));
    // A multiple-choice question under the heading is the heading's card; its nodes are no other extractor's.
    const choice = headingChoice(topic);
    const inBlocks = topicBlocks(topic, new Set(choice?.used), flashcards);
    const taken: Taken = new Set([...(choice?.used ?? []), ...inBlocks.used]);
    const found = [
      choice ? only([choice.card]) : headingQuestion(topic),
      scenario(topic),
      inBlocks,
      only(detailsAnswers(topic, taken)),
      only(clozes(topic, options)),
    ];
    for (const { cards, openQuestions } of found) {
      // Every card of a note under a `#flashcards/…` tag goes in its deck, as the plugin puts them.
      set.cards.push(...cards.map((card) => withDeck(card, flashcards)));
      set.openQuestions.push(...openQuestions);
    }
    const empty = toFill(topic);
    if (empty) set.toFill.push(empty);
  }
  set.glossary = glossary(set.cards);
  return set;
}
