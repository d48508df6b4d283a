/** `slides/<deck>/001.png, …`: a picture of every slide as its deck shows it, every fragment shown, for sharing in a chat. */
import { slideImages as shootSlides } from '../render/slide-frames.js';
import { DECK_MARGIN } from '../render/slides.js';
import { wantsDecks } from '../settings.js';
import type { Target } from './target.js';

/** Images of each deck, by deck name, and their size in pixels. */
export interface SlideImagesSummary {
  decks: Map<string, number>;
  width: number;
  height: number;
}

declare module './target.js' {
  interface Summaries {
    'slide-images': SlideImagesSummary;
  }
}

/** `001.png`: numbered in the deck's order, padded so that they sort. */
export const imageName = (n: number) => `${String(n).padStart(3, '0')}.png`;

export const slideImages: Target<'slide-images', unknown, never> = {
  name: 'slide-images',
  enabled: (settings) => settings.slideImages && wantsDecks(settings),
  renders: [],
  // After the PowerPoint: two pages taking screenshots at once in one headless browser hang (only the tab in front draws).
  after: ['decks', 'pptx'],
  describe: (summary) => `${[...summary.decks.values()].reduce((a, b) => a + b, 0)} slide images`,
  async build(input, ctx) {
    const [decks] = await Promise.all([ctx.resultOf('decks'), ctx.resultOf('pptx').catch(() => null)]);
    const scale = input.settings.slideImageScale;
    if (!decks) return { files: [], messages: [], summary: { decks: new Map(), width: 0, height: 0 } };
    const { built, options } = decks.summary;
    // Each distinct slide is shot once, whichever decks hold it.
    const distinct = [...new Set(built.flatMap((deck) => deck.stacks.flat()))];
    const index = new Map(distinct.map((html, i) => [html, i]));
    const images = await shootSlides(
      await ctx.browser(),
      { slides: distinct, options, outDir: input.settings.out, templates: input.templates, onBlocked: ctx.onBlocked },
      scale,
      DECK_MARGIN,
    );
    const files = built.flatMap((deck) =>
      deck.stacks.flat().map((html, i) => ({ path: `slides/${deck.name}/${imageName(i + 1)}`, data: images[index.get(html)!]! })),
    );
    return {
      files,
      messages: [],
      summary: {
        decks: new Map(built.map((deck) => [deck.name, deck.stacks.flat().length])),
        width: Math.round(options.width * scale),
        height: Math.round(options.height * scale),
      },
    };
  },
};
