/** The glossary: every term a definition card asks for, with its definition, in card order. */
import { toString } from 'mdast-util-to-string';
import type { Card, GlossaryEntry } from './types.js';

export const glossary = (cards: readonly Card[]): GlossaryEntry[] =>
  cards
    .filter((card) => card.kind === 'definition')
    .map((card) => ({
      term: toString({ type: 'paragraph', children: card.front }),
      definition: card.back,
      topic: card.topic,
      source: card.source,
    }));
