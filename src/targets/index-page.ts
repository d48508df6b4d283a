/** `index.html`: links to everything the build made, the glossary, the review list, the warnings. Built after the other targets. */
import { formatMessage } from '../report.js';
import { renderIndex } from '../render/index.js';
import { leftOutSection, type SheetSummary } from './cheatsheet.js';
import type { DecksResult } from './decks.js';
import type { HandoutSummary } from './handouts.js';
import type { Target, TargetResult } from './target.js';

export const indexPage: Target<null> = {
  name: 'index',
  enabled: () => true,
  assets: (input) => input.shared.images,
  async build(input, ctx) {
    const [sheet, selfTest, decks, handouts, flashcards] = await Promise.all([
      ctx.resultOf<SheetSummary>('cheatsheet'),
      ctx.resultOf<SheetSummary>('self-test'),
      ctx.resultOf<DecksResult>('decks'),
      ctx.resultOf<HandoutSummary>('handouts'),
      ctx.resultOf<number | null>('flashcards'),
    ]);
    const others: (TargetResult | null)[] = [sheet, selfTest, decks, handouts, flashcards];
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
