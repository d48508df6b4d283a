/** The study outputs: `flashcards.tsv` (for Anki) always, `flashcards.pdf` (cut-out cards) with `cards`. */
import { flashcardsTsv, printFlashcards } from '../render/study.js';
import { pageStyles } from './cheatsheet.js';
import type { Target } from './target.js';

declare module './target.js' {
  interface Summaries {
    /** Cards written. */
    'flashcards-tsv': number;
    /** Sheets of flashcards.pdf (fronts and backs), or null when there are no cards. */
    flashcards: number | null;
  }
}

export const flashcardsTsvTarget: Target<'flashcards-tsv', unknown, never> = {
  name: 'flashcards-tsv',
  enabled: () => true,
  renders: [],
  build: async (input) => ({
    files: [{ path: 'flashcards.tsv', data: flashcardsTsv(input.cards) }],
    messages: [],
    summary: input.cards.length,
  }),
};

/** What flashcards.pdf was last printed from: printing is skipped when the cards did not change. */
interface PrintedCards {
  key?: string;
}

export const flashcardsPdf: Target<'flashcards', PrintedCards, never> = {
  name: 'flashcards',
  enabled: (settings) => settings.only.includes('cards'),
  renders: [],
  fonts: true,
  createCache: () => ({}),
  assets: (input) => [...input.shared.fonts, ...input.shared.math, ...input.shared.images],
  async build(input, ctx) {
    if (input.cards.length === 0) return { files: [], messages: [], summary: null };
    const printed = await printFlashcards(
      await ctx.browser(),
      input.cards,
      input.guide.title,
      pageStyles(input),
      input.settings.out,
      input.templates,
      ctx.onBlocked,
      ctx.cache.key,
    );
    ctx.cache.key = printed.key;
    const file = printed.pdf ? { path: 'flashcards.pdf', data: printed.pdf } : { path: 'flashcards.pdf', unchanged: true as const };
    return { files: [file], messages: [], summary: printed.sheets };
  },
};
