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
  after: ['cheatsheet', 'self-test', 'decks', 'handouts', 'flashcards', 'flashcards-apkg'],
  assets: (input) => input.shared.images,
  async build(input, ctx) {
    const [sheet, selfTest, decks, handouts, flashcards, apkg] = await Promise.all([
      ctx.resultOf('cheatsheet'),
      ctx.resultOf('self-test'),
      ctx.resultOf('decks'),
      ctx.resultOf('handouts'),
      ctx.resultOf('flashcards'),
      ctx.resultOf('flashcards-apkg'),
    ]);
    const others: (TargetResult | null)[] = [sheet, selfTest, decks, handouts, flashcards, apkg];
    const warnings = [...input.messages.warnings, ...others.flatMap((r) => r?.messages ?? [])];
    const html = await renderIndex(
      input.guide,
      {
        pdfPages: sheet?.summary.pages ?? null,
        selfTestPages: selfTest?.summary.pages ?? null,
        decks: decks?.summary.decks.map((d) => ({ ...d, handoutPages: handouts?.summary.get(d.name) })) ?? null,
        warnings: warnings.map(formatMessage),
        notices: input.messages.notices.map(formatMessage),
        study: input.study,
        cards: input.cards.length,
        flashcardSheets: flashcards?.summary ?? null,
        ankiPackage: apkg?.files.length ? apkg.summary : null,
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
