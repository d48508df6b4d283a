/** `handouts/<deck>.pdf`: every deck printed, several slides a page (`--handout-layout`), with speaker notes if asked. */
import { printHandouts } from '../render/handout.js';
import { topicPlaces } from './decks.js';
import type { Target } from './target.js';

/** Pages of each deck's handout. */
export type HandoutSummary = Map<string, number>;

declare module './target.js' {
  interface Summaries {
    handouts: HandoutSummary;
  }
}

export const handouts: Target<'handouts', unknown, never> = {
  name: 'handouts',
  enabled: (settings) => settings.only.includes('slides') && settings.handout,
  renders: [],
  // The handouts print the decks as the decks target built them.
  after: ['decks'],
  async build(input, ctx) {
    const decks = await ctx.resultOf('decks');
    if (!decks) return { files: [], messages: [], summary: new Map() };
    const layout = { ...input.settings.handoutLayout, notes: input.settings.handoutNotes };
    const printed = await printHandouts(
      await ctx.browser(),
      decks.summary.built,
      decks.summary.options,
      layout,
      input.settings.out,
      input.templates,
      ctx.onBlocked,
    );
    const places = topicPlaces(input);
    return {
      files: printed.map((h) => ({ path: `handouts/${h.name}.pdf`, source: places.get(h.name), data: h.pdf })),
      messages: [],
      summary: new Map(printed.map((h) => [h.name, h.pages])),
    };
  },
};
