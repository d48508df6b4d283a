/**
 * `slides/<deck>.pptx`: every deck as an editable PowerPoint, made from the decks as the decks
 * target fitted them (a continuation slide there is one here). Each distinct slide is read once,
 * whichever decks hold it.
 */
import type { VFileMessage } from 'vfile-message';
import { pptxDeck } from '../render/pptx.js';
import { DECK_MARGIN } from '../render/slides.js';
import { extractSlides } from '../render/slide-frames.js';
import { buildWarning } from '../report.js';
import { wantsPptx } from '../settings.js';
import { topicPlaces } from './decks.js';
import type { Target } from './target.js';

/** Slides of each deck's PowerPoint, by deck name. */
export type PptxSummary = Map<string, number>;

declare module './target.js' {
  interface Summaries {
    pptx: PptxSummary;
  }
}

export const pptx: Target<'pptx', unknown, never> = {
  name: 'pptx',
  enabled: wantsPptx,
  renders: [],
  after: ['decks'],
  describe: (summary) => `${summary.size} PowerPoint decks`,
  async build(input, ctx) {
    const decks = await ctx.resultOf('decks');
    if (!decks) return { files: [], messages: [], summary: new Map() };
    const { built, options } = decks.summary;
    const distinct = [...new Set(built.flatMap((deck) => deck.stacks.flat()))];
    const index = new Map(distinct.map((html, i) => [html, i]));
    const framed = await extractSlides(await ctx.browser(), {
      slides: distinct,
      options,
      outDir: input.settings.out,
      templates: input.templates,
      onBlocked: ctx.onBlocked,
    });
    // A slide in several decks is warned about once.
    const messages: VFileMessage[] = framed.slides.flatMap((slide) =>
      slide.fallbacks.map((what) => buildWarning(`pptx: slide "${slide.name || 'untitled'}": ${what}`, 'pptx-picture')),
    );
    const places = topicPlaces(input);
    const files = await Promise.all(
      built.map(async (deck) => ({
        path: `slides/${deck.name}.pptx`,
        source: places.get(deck.name),
        data: await pptxDeck({
          title: deck.title,
          slides: deck.stacks.flat().map((html) => framed.slides[index.get(html)!]!),
          pictures: framed.pictures,
          width: options.width,
          height: options.height,
          margin: DECK_MARGIN,
          background: framed.background,
        }),
      })),
    );
    return {
      files,
      messages,
      summary: new Map(built.map((deck) => [deck.name, deck.stacks.flat().length])),
    };
  },
};
