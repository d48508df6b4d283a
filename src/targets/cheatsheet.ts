/**
 * `cheatsheet.pdf` and its web version `cheatsheet.html`: the sheet laid out in Chromium, fitted to
 * `--pages`; with `--self-test`, `cheatsheet-self-test.pdf` the same way.
 */
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { openLocalPage } from '../browser.js';
import { discardTemporary, writeAtomic, type OutputFile } from '../output.js';
import { pdfPageCount, printCheatsheet, renderCheatsheetHtml, type CheatsheetOptions } from '../render/cheatsheet.js';
import { renderedHtml, type RenderedTopic } from '../render/html.js';
import { buildWarning } from '../report.js';
import type { ResolvedSettings } from '../settings.js';
import type { Target, TargetInput } from './target.js';

/** The largest body size fitting tries, in points. */
const MAX_FONT_PT = 12;

/** The sheet's page stays open between builds: a rebuild swaps the content in instead of reloading. */
interface SheetCache {
  page?: Page;
  /** What the open page shows, but for its content (see renderCheatsheetHtml). */
  shellKey?: string;
  /** Where the open page reports blocked requests: the current build's. */
  onBlocked?: (url: string) => void;
}

export interface SheetSummary {
  pages: number;
  /** Body size in points (the fitted size with `pages`). */
  fontPt: number;
}

/** Stylesheets of the printed pages at the output root: the bundled fonts, and KaTeX's when there is math. */
export const pageStyles = (input: TargetInput) => [...input.styles.fonts, ...(input.styles.math ? [input.styles.math] : [])];

/** What differs between the sheet and its self-test print. */
interface SheetSpec {
  name: string;
  /** The sheet as messages name it. */
  label: string;
  pdf: string;
  /** The web version's file, if it has one. */
  html?: string;
  enabled(settings: ResolvedSettings): boolean;
  topics(input: TargetInput): RenderedTopic[];
}

/** A sheet laid out in a page of its own (kept open between builds), fitted to `--pages`, printed. */
function sheetTarget(spec: SheetSpec): Target<SheetSummary, SheetCache> {
  const dispose = async (cache: SheetCache) => {
    await cache.page?.close().catch(() => undefined);
    cache.page = undefined;
  };
  return {
    name: spec.name,
    enabled: spec.enabled,
    createCache: () => ({}),
    assets: (input) => [...input.shared.fonts, ...input.shared.math, ...input.shared.images],
    dispose,
    describe: (sheet) => `${sheet.pages} pages at ${sheet.fontPt} pt`,
    async build(input, ctx) {
      const { settings } = input;
      const topics = spec.topics(input);
      const cache = ctx.cache;
      const options = (fontPt: number): CheatsheetOptions => ({
        title: input.guide.title,
        paper: settings.paper,
        landscape: settings.landscape,
        columns: settings.columns,
        fontPt,
        images: settings.images,
      });
      const startPt = settings.fontSize;
      const minPt = settings.minFontSize;
      const fit = settings.pages ? { pages: settings.pages, minPt, maxPt: Math.max(MAX_FONT_PT, minPt), startPt } : undefined;
      const sheet = await renderCheatsheetHtml(topics, options(startPt), input.templates, pageStyles(input));
      const open = cache.page && !cache.page.isClosed() ? cache.page : null;
      const inPlace = open && cache.shellKey === sheet.shellKey ? sheet.html : undefined;
      // Laid out from a page of its own (not an output): a build killed mid-layout leaves the outputs as they were.
      // A page that takes the new content in place needs no file.
      const layoutFile = path.join(settings.out, `.${path.basename(spec.pdf, '.pdf')}.${process.pid}.html`);
      if (inPlace === undefined) await writeAtomic(layoutFile, sheet.html);

      cache.onBlocked = ctx.onBlocked;
      const page = open ?? (await openLocalPage(await ctx.browser(), (url) => cache.onBlocked?.(url)));
      Object.assign(cache, { page, shellKey: sheet.shellKey });
      try {
        const { pdf, layout } = await printCheatsheet(page, layoutFile, fit, inPlace, [...renderedHtml(topics)].length);
        const pages = pdfPageCount(pdf);
        const messages = [];
        if (fit && !layout.fitted) {
          const advice = 'lower --min-font-size, add --columns, or choose --topics';
          messages.push(buildWarning(`${spec.label} needs ${pages} pages at ${minPt} pt; asked for ${fit.pages} (${advice})`, 'sheet-fit'));
        }
        if (layout.stranded.length > 0)
          messages.push(buildWarning(`${spec.label}: heading left at a column end: ${layout.stranded.join(', ')}`, 'sheet-stranded'));
        if (pages !== layout.pages)
          messages.push(buildWarning(`${spec.label}: laid out ${layout.pages} pages but the PDF has ${pages}`, 'sheet-pages'));
        const files: OutputFile[] = [{ path: spec.pdf, data: pdf }];
        if (spec.html) {
          // The web version shows the size the PDF was printed at.
          const html =
            layout.fontPt === startPt
              ? sheet.html
              : (await renderCheatsheetHtml(topics, options(layout.fontPt), input.templates, pageStyles(input))).html;
          files.push({ path: spec.html, data: html });
        }
        return { files, messages, summary: { pages, fontPt: layout.fontPt } };
      } catch (error) {
        // A page in an unknown state is not reused.
        await dispose(cache);
        throw error;
      } finally {
        if (inPlace === undefined) await discardTemporary(layoutFile);
      }
    },
  };
}

export const cheatsheet = sheetTarget({
  name: 'cheatsheet',
  label: 'cheat sheet',
  pdf: 'cheatsheet.pdf',
  html: 'cheatsheet.html',
  enabled: (settings) => settings.only.includes('pdf'),
  topics: (input) => input.sheet,
});

/** `--self-test`: the sheet with the cards' answers blanked and an answer key, fitted like the sheet (its own page in watch mode). */
export const selfTestSheet = sheetTarget({
  name: 'self-test',
  label: 'self-test sheet',
  pdf: 'cheatsheet-self-test.pdf',
  enabled: (settings) => settings.only.includes('pdf') && settings.selfTest,
  topics: (input) => input.selfTest,
});
