/** `index.html`: links to everything the build made, the glossary, the review list, the warnings. Built after the other targets. */
import { formatMessage } from '../report.js';
import { renderIndex } from '../render/index.js';
import { leftOutSection } from './cheatsheet.js';
import type { Target, TargetResult } from './target.js';

declare module './target.js' {
  interface Summaries {
    index: null;
  }
}

export const indexPage: Target<'index', unknown, never> = {
  name: 'index',
  enabled: () => true,
  renders: [],
  // It links everything the others made, and lists their warnings.
  after: ['cheatsheet', 'self-test', 'decks', 'handouts', 'pptx', 'slide-images', 'flashcards'],
  assets: (input) => input.shared.images,
  async build(input, ctx) {
    const [sheet, selfTest, decks, handouts, pptx, images, flashcards] = await Promise.all([
      ctx.resultOf('cheatsheet'),
      ctx.resultOf('self-test'),
      ctx.resultOf('decks'),
      ctx.resultOf('handouts'),
      ctx.resultOf('pptx'),
      ctx.resultOf('slide-images'),
      ctx.resultOf('flashcards'),
    ]);
    const others: (TargetResult | null)[] = [sheet, selfTest, decks, handouts, pptx, images, flashcards];
    const warnings = [...input.messages.warnings, ...others.flatMap((r) => r?.messages ?? [])];
    const html = await renderIndex(
      input.guide,
      {
        pdfPages: sheet?.summary.pages ?? null,
        selfTestPages: selfTest?.summary.pages ?? null,
        decks:
          decks?.summary.decks.map((d) => ({
            ...d,
            handoutPages: handouts?.summary.get(d.name),
            pptx: pptx?.summary.has(d.name) ?? false,
            images: images?.summary.decks.has(d.name) ?? false,
          })) ?? null,
        warnings: warnings.map(formatMessage),
        notices: input.messages.notices.map(formatMessage),
        study: input.study,
        cards: input.cards.length,
        flashcardSheets: flashcards?.summary ?? null,
        leftOut: sheet
          ? leftOutSection(input.sheetPlan, sheet.summary.leftOut, input.settings.pages, selfTest?.summary.leftOut.chosen)
          : null,
      },
      input.templates,
      input.renderer,
      input.rootHtml,
    );
    return { files: [{ path: 'index.html', data: html }], messages: [], summary: null };
  },
};
