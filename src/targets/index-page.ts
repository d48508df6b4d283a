/** `index.html`: links to everything the build made, the glossary, the review list, the warnings. Built after the other targets. */
import { formatMessage } from '../report.js';
import { toString } from 'mdast-util-to-string';
import { renderIndex, type WeakSpot } from '../render/index.js';
import { leftOutSection } from './cheatsheet.js';
import type { Target, TargetInput, TargetResult } from './target.js';

/** The cards answered wrong at least once, the least often right first (then in the notes' order). */
function weakSpots(input: Pick<TargetInput, 'scores' | 'study'>): WeakSpot[] {
  return input.study.cards
    .flatMap((card, i) => {
      const score = input.scores.get(card);
      if (!score || score.wrong === 0) return [];
      const answers = score.right + score.wrong;
      const question = toString({ type: 'paragraph', children: card.front }).replace(/\s+/g, ' ').trim();
      const where = `${card.source.file}:${card.source.line}`;
      return [{ i, spot: { question, right: score.right, answers, slug: card.topic.slug, topic: card.topic.path.join(' › '), where } }];
    })
    .sort((a, b) => a.spot.right / a.spot.answers - b.spot.right / b.spot.answers || a.i - b.i)
    .map((s) => s.spot);
}

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
  after: ['cheatsheet', 'self-test', 'decks', 'handouts', 'pptx', 'slide-images', 'flashcards', 'flashcards-apkg'],
  assets: (input) => input.shared.images,
  async build(input, ctx) {
    const [sheet, selfTest, decks, handouts, pptx, images, flashcards, apkg] = await Promise.all([
      ctx.resultOf('cheatsheet'),
      ctx.resultOf('self-test'),
      ctx.resultOf('decks'),
      ctx.resultOf('handouts'),
      ctx.resultOf('pptx'),
      ctx.resultOf('slide-images'),
      ctx.resultOf('flashcards'),
      ctx.resultOf('flashcards-apkg'),
    ]);
    const others: (TargetResult | null)[] = [sheet, selfTest, decks, handouts, pptx, images, flashcards, apkg];
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
        weakSpots: weakSpots(input),
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
