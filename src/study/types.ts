/** What the study stage makes of the topic tree: cards, open questions, a glossary, topics to fill in. */
import type { PhrasingContent, RootContent } from 'mdast';
import type { Choice } from '../choices.js';
import type { SourcePosition, Topic } from '../types.js';

export type CardKind = 'question' | 'scenario' | 'definition' | 'explicit' | 'cloze' | 'multiple-choice';

export interface Card {
  kind: CardKind;
  /** The prompt, as inline content (a term, a question). */
  front: PhrasingContent[];
  /** The answer, as blocks. */
  back: RootContent[];
  topic: Topic;
  source: SourcePosition;
  /** Written to be learnt both ways (`:::`, `??`): Anki's "Basic (and reversed card)". */
  reversed?: boolean;
  /**
   * Where the note says what the card asks for, as offsets in its note's text: what the self-test
   * sheet blanks (the answer; a definition's term; a cloze's deletions). Empty when the answer is
   * not written in the note as such (it cannot be blanked, only listed in the key).
   */
  blanks: Span[];
  /** Written with an Obsidian block id (`^id`): the card's Anki id comes from it, so it survives moving the note. */
  blockId?: string;
  /**
   * A cloze card: which deletions it asks for, and the paragraph as Anki's Cloze note type reads
   * it (`{{c1::term::hint}}`), the same array for every card of the paragraph (one Anki note).
   */
  cloze?: { number: number; text: PhrasingContent[] };
  /** A multiple-choice card's options, shown under the front (the back holds the right ones). */
  choices?: Choice[];
  /** Its deck under the guide's, from a `#flashcards/…` tag (src/study/flashcard-tags.ts): `['spanish']`. */
  deck?: string[];
}

export interface StudyOptions {
  /** `==term==` highlights are cloze deletions too (`--cloze-highlights`): highlights are not always meant as questions. */
  clozeHighlights?: boolean;
}

/** A stretch of a note's text: `start` to `end` offsets, as in mdast positions. */
export interface Span {
  start: number;
  end: number;
}

export interface OpenQuestion {
  question: string;
  topic: Topic;
  source: SourcePosition;
}

export interface GlossaryEntry {
  term: string;
  /** The definition, as blocks (a paragraph). */
  definition: RootContent[];
  topic: Topic;
  source: SourcePosition;
}

export interface EmptyTopic {
  topic: Topic;
  reason: 'only images' | 'no content';
}

export interface StudySet {
  cards: Card[];
  openQuestions: OpenQuestion[];
  glossary: GlossaryEntry[];
  toFill: EmptyTopic[];
}

/** What an extractor finds in a topic: cards, and questions asked but not answered there. */
export interface Found {
  cards: Card[];
  openQuestions: OpenQuestion[];
}

/** What an extractor finds, and the nodes its multiple-choice questions are made of (see `Taken`). */
export interface FoundAndUsed extends Found {
  used: object[];
}

/**
 * Nodes an extractor made cards of (a multiple-choice question's options and answer), so that the
 * extractors after it make none of them.
 */
export type Taken = ReadonlySet<object>;
