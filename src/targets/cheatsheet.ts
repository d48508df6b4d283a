/**
 * `cheatsheet.pdf` and its web version `cheatsheet.html`: the sheet laid out in Chromium, fitted to
 * `--pages`; with `--self-test`, `cheatsheet-self-test.pdf` the same way.
 */
import path from 'node:path';
import { browserTimeout, closeWarmPage, inWarmPage, type WarmPage } from '../browser.js';
import type { OutputFile } from '../output.js';
import { pdfPageCount, printCheatsheet, renderCheatsheetHtml, type CheatsheetOptions } from '../render/cheatsheet.js';
import { renderedHtml } from '../render/html.js';
import { buildWarning } from '../report.js';
import type { ResolvedSettings } from '../settings.js';
import { ExitCode, UserError } from '../errors.js';
import type { SheetPlan } from '../priority.js';
import type { LeftOutSection } from '../render/index.js';
import type { FitOptions, Selection } from '../page/protocol.js';
import type { Target, TargetContext, TargetInput, TargetName } from './target.js';

export interface SheetSummary {
  pages: number;
  /** Body size in points (the fitted size with `pages`). */
  fontPt: number;
  /** What the sheet does not print: units marked skip, and those left out to fit `--pages` (by id). */
  leftOut: LeftOut;
}

/** The sheet's units it does not print, by id (`SheetPlan.units`). */
export interface LeftOut {
  /** Left out to fit `--pages`, least important first. */
  chosen: number[];
  /** Marked `#cheatsheet/skip`. */
  skipped: number[];
  /** Units of the sheet, skipped ones included. */
  units: number;
  /** Share of the units' text left out to fit (0–1). */
  textShare: number;
  /** Images set as thumbnails to fit. */
  thumbnails: number;
}

declare module './target.js' {
  interface Summaries {
    cheatsheet: SheetSummary;
    'self-test': SheetSummary;
  }
}

/** Stylesheets of the printed pages at the output root: the bundled fonts, and KaTeX's when there is math. */
export const pageStyles = (input: Pick<TargetInput, 'styles'>) => [
  ...input.styles.fonts,
  ...(input.styles.math ? [input.styles.math] : []),
];

type SheetName = 'cheatsheet' | 'self-test';
type SheetVariant = 'sheet' | 'self-test';

/** What differs between the sheet and its self-test print. */
interface SheetSpec<N extends SheetName> {
  name: N;
  /** What it prints: the sheet's render, or the self-test's. */
  variant: SheetVariant;
  /** The sheet as messages name it. */
  label: string;
  pdf: string;
  /** The web version's file, if it has one. */
  html?: string;
  /** The left-out list for tools, if it has one. */
  leftOutJson?: string;
  /** Targets whose results it uses. */
  after?: TargetName[];
  /** Units to leave out before fitting: the self-test leaves out what the sheet did. */
  omit?(ctx: TargetContext<WarmPage>): Promise<number[]>;
  enabled(settings: ResolvedSettings): boolean;
}

/** A sheet laid out in a page of its own (kept open between builds), fitted to `--pages`, printed. */
function sheetTarget<N extends SheetName>(spec: SheetSpec<N>): Target<N, WarmPage, SheetVariant> {
  return {
    name: spec.name,
    enabled: spec.enabled,
    renders: [spec.variant],
    fonts: true,
    after: spec.after,
    createCache: () => ({}),
    assets: (input) => [...input.shared.fonts, ...input.shared.math, ...input.shared.images],
    dispose: closeWarmPage,
    describe: (sheet) => `${sheet.pages} pages at ${sheet.fontPt} pt`,
    async build(input, ctx) {
      const { settings } = input;
      const topics = input.renders[spec.variant];
      const options = (fontPt: number): CheatsheetOptions => ({
        title: input.guide.title,
        paper: settings.paper,
        landscape: settings.landscape,
        columns: settings.columns,
        fontPt,
        floorPt: settings.minFontSize,
        images: settings.images,
      });
      const startPt = settings.fontSize;
      const minPt = settings.minFontSize;
      const omit = (await spec.omit?.(ctx)) ?? [];
      const fit: FitOptions | undefined = settings.pages
        ? { pages: settings.pages, minPt, maxPt: Math.max(settings.maxFontSize, minPt), startPt, select: !settings.keepAll, omit }
        : undefined;
      const plan = input.sheetPlan;
      // Blocks name their units only where the page may choose among them: otherwise the sheet is as it always was.
      const choosing = fit?.select ? plan : undefined;
      const sheet = await renderCheatsheetHtml(topics, options(startPt), input.templates, pageStyles(input), choosing);
      // Laid out in a page of its own (not an output): a build killed mid-layout leaves the outputs as they were.
      const local = {
        dir: settings.out,
        name: path.basename(spec.pdf, '.pdf'),
        html: sheet.html,
        program: 'cheatsheet' as const,
        onBlocked: ctx.onBlocked,
        timeout: browserTimeout([...renderedHtml(topics)].length, 20),
        print: true,
      };
      return inWarmPage(ctx.cache, await ctx.browser(), sheet.shellKey, local, async (page, first) => {
        const { pdf, layout } = await printCheatsheet(page, first, fit);
        if (fit && layout.selection?.core) throw coreTooBig(spec.label, fit, layout.selection.core, plan, settings.columns);
        const pages = pdfPageCount(pdf);
        const messages = [];
        const leftOut = leftOutOf(plan, layout.selection?.leftOut ?? [], layout.thumbnails ?? 0);
        if (fit && !layout.fitted) {
          const advice = 'lower --min-font-size, add --columns, or choose --topics';
          messages.push(buildWarning(`${spec.label} needs ${pages} pages at ${minPt} pt; asked for ${fit.pages} (${advice})`, 'sheet-fit'));
        }
        for (const scaled of layout.belowFloor) {
          const reason = `${spec.label}: ${scaled.block} is scaled to ${Math.round(scaled.scale * 100)}% (smallest text ${scaled.pt} pt), below --min-font-size ${minPt} pt: it cannot be split`;
          messages.push(buildWarning(reason, 'sheet-legibility'));
        }
        if (layout.stranded.length > 0)
          messages.push(buildWarning(`${spec.label}: heading left at a column end: ${layout.stranded.join(', ')}`, 'sheet-stranded'));
        if (pages !== layout.pages)
          messages.push(buildWarning(`${spec.label}: laid out ${layout.pages} pages but the PDF has ${pages}`, 'sheet-pages'));
        const files: OutputFile[] = [{ path: spec.pdf, data: pdf }];
        if (spec.leftOutJson) files.push({ path: spec.leftOutJson, data: leftOutJson(plan, leftOut) });
        if (spec.html) {
          // The web version shows the size the PDF was printed at, and what it printed.
          const chosen = layout.selection?.leftOut;
          const html =
            layout.fontPt === startPt && !chosen?.length
              ? sheet.html
              : (
                  await renderCheatsheetHtml(
                    topics,
                    { ...options(layout.fontPt), leaveOut: chosen },
                    input.templates,
                    pageStyles(input),
                    choosing,
                  )
                ).html;
          files.push({ path: spec.html, data: html });
        }
        return { files, messages, summary: { pages, fontPt: layout.fontPt, leftOut } };
      });
    },
  };
}

export const cheatsheet = sheetTarget({
  name: 'cheatsheet',
  label: 'cheat sheet',
  pdf: 'cheatsheet.pdf',
  html: 'cheatsheet.html',
  leftOutJson: 'cheatsheet-left-out.json',
  variant: 'sheet',
  enabled: (settings) => settings.only.includes('pdf'),
});

/** `--self-test`: the sheet with the cards' answers blanked and an answer key, fitted like the sheet (its own page in watch mode). */
export const selfTestSheet = sheetTarget({
  name: 'self-test',
  label: 'self-test sheet',
  pdf: 'cheatsheet-self-test.pdf',
  variant: 'self-test',
  enabled: (settings) => settings.only.includes('pdf') && settings.selfTest,
  // The same selection as the sheet's: what it left out to fit is left out here too.
  after: ['cheatsheet'],
  omit: async (ctx) => (await ctx.resultOf('cheatsheet'))?.summary.leftOut.chosen ?? [],
});

/** `left out 41 of 230 blocks (18% of the text) to fit 2 pages; 3 marked skip`, or null when nothing is. */
export function describeLeftOut(leftOut: LeftOut, pages: number | undefined): string | null {
  const parts: string[] = [];
  const n = leftOut.chosen.length;
  if (n > 0) {
    const share = Math.round(leftOut.textShare * 100);
    const fit = pages ? ` to fit ${pages} page${pages === 1 ? '' : 's'}` : '';
    parts.push(
      `left out ${n} of ${leftOut.units} block${leftOut.units === 1 ? '' : 's'} (${share < 1 && n ? '<1' : share}% of the text)${fit}`,
    );
  }
  if (leftOut.skipped.length)
    parts.push(
      n
        ? `${leftOut.skipped.length} marked skip`
        : `${leftOut.skipped.length} block${leftOut.skipped.length === 1 ? '' : 's'} marked skip left out`,
    );
  if (leftOut.thumbnails) parts.push(`${leftOut.thumbnails} image${leftOut.thumbnails === 1 ? '' : 's'} as thumbnails`);
  return parts.length ? parts.join('; ') : null;
}

/** The left-out units for index.html: in reading order, grouped by topic. */
export function leftOutSection(
  plan: SheetPlan,
  leftOut: LeftOut,
  pages: number | undefined,
  /** What the self-test left out beyond the sheet's, for room for its answer key. */
  selfTest: number[] = [],
): LeftOutSection | null {
  const sheetSummary = describeLeftOut(leftOut, pages);
  if (!sheetSummary && selfTest.length === 0) return null;
  const more = selfTest.length ? `the self-test leaves out ${selfTest.length} more, for its answer key` : '';
  const summary = [sheetSummary, more].filter(Boolean).join('; ');
  const groups: LeftOutSection['groups'] = [];
  const selfTestOnly = new Set(selfTest);
  for (const id of [...leftOut.skipped, ...leftOut.chosen, ...selfTest].sort((a, b) => a - b)) {
    const unit = plan.units[id]!;
    const topic = unit.topic.join(' › ');
    if (groups[groups.length - 1]?.topic !== topic) groups.push({ topic, items: [] });
    groups[groups.length - 1]!.items.push({
      kind: unit.kind,
      priority: unit.priority === 'skip' ? 'marked skip' : `priority ${unit.priority}${selfTestOnly.has(id) ? ', self-test only' : ''}`,
      text: unit.text,
      where: `${unit.file}:${unit.line}`,
    });
  }
  return { summary, groups };
}

/** What the sheet leaves out, from the plan and the page's choice. */
function leftOutOf(plan: SheetPlan, chosen: number[], thumbnails: number): LeftOut {
  const skipped = plan.units.flatMap((unit, id) => (unit.priority === 'skip' ? [id] : []));
  const all = plan.units.reduce((sum, u) => sum + u.chars, 0);
  const out = chosen.reduce((sum, id) => sum + plan.units[id]!.chars, 0);
  const byRank = [...chosen].sort((a, b) => plan.units[b]!.rank - plan.units[a]!.rank);
  return { chosen: byRank, skipped, units: plan.units.length, textShare: all ? out / all : 0, thumbnails };
}

/** `cheatsheet-left-out.json`: every unit not printed, in reading order. */
function leftOutJson(plan: SheetPlan, leftOut: LeftOut): string {
  const ids = [...leftOut.skipped, ...leftOut.chosen].sort((a, b) => a - b);
  const list = ids.map((id) => {
    const { file, line, kind, priority, text } = plan.units[id]!;
    return { file, line, kind, priority, text };
  });
  return `${JSON.stringify(list, null, 2)}\n`;
}

/** The core blocks alone need more pages than asked: the notes that hold them, the most first. */
function coreTooBig(label: string, fit: FitOptions, core: NonNullable<Selection['core']>, plan: SheetPlan, columns: number) {
  const byFile = new Map<string, number>();
  for (const [id, height] of core.heights) {
    const file = plan.units[id]!.file;
    byFile.set(file, (byFile.get(file) ?? 0) + height);
  }
  const page = core.columnHeight * columns;
  const notes = [...byFile]
    .sort((a, b) => b[1] - a[1])
    .map(([file, height]) => `${file} ${(height / page).toFixed(1)}`)
    .join(', ');
  return new UserError(
    `${label}: the blocks marked core need ${core.pages} pages at ${fit.minPt} pt, but --pages is ${fit.pages} (pages of core by note: ${notes}); mark fewer blocks #cheatsheet/core, or allow more pages`,
    ExitCode.CoreTooBig,
  );
}
