/** `cheatsheet.pdf` and its web version `cheatsheet.html`: the sheet laid out in Chromium, fitted to `--pages`. */
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { openLocalPage } from '../browser.js';
import { discardTemporary, writeAtomic, type OutputFile } from '../output.js';
import { pdfPageCount, printCheatsheet, renderCheatsheetHtml, type CheatsheetOptions } from '../render/cheatsheet.js';
import { renderedHtml } from '../render/html.js';
import { buildWarning } from '../report.js';
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

export const cheatsheet: Target<SheetSummary, SheetCache> = {
  name: 'cheatsheet',
  enabled: (settings) => settings.only.includes('pdf'),
  createCache: () => ({}),
  assets: (input) => [...input.shared.fonts, ...input.shared.math, ...input.shared.images],
  async dispose(cache) {
    await cache.page?.close().catch(() => undefined);
    cache.page = undefined;
  },
  describe: (sheet) => `${sheet.pages} pages at ${sheet.fontPt} pt`,
  async build(input, ctx) {
    const { settings, sheet: topics } = input;
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
    const layoutFile = path.join(settings.out, `.cheatsheet.${process.pid}.html`);
    if (inPlace === undefined) await writeAtomic(layoutFile, sheet.html);

    cache.onBlocked = ctx.onBlocked;
    const page = open ?? (await openLocalPage(await ctx.browser(), (url) => cache.onBlocked?.(url)));
    Object.assign(cache, { page, shellKey: sheet.shellKey });
    try {
      const { pdf, layout } = await printCheatsheet(page, layoutFile, fit, inPlace, [...renderedHtml(topics)].length);
      // The web version shows the size the PDF was printed at.
      const html =
        layout.fontPt === startPt
          ? sheet.html
          : (await renderCheatsheetHtml(topics, options(layout.fontPt), input.templates, pageStyles(input))).html;
      const pages = pdfPageCount(pdf);
      const messages = [];
      if (fit && !layout.fitted) {
        const advice = 'lower --min-font-size, add --columns, or choose --topics';
        messages.push(buildWarning(`cheat sheet needs ${pages} pages at ${minPt} pt; asked for ${fit.pages} (${advice})`, 'sheet-fit'));
      }
      if (layout.stranded.length > 0)
        messages.push(buildWarning(`cheat sheet: heading left at a column end: ${layout.stranded.join(', ')}`, 'sheet-stranded'));
      if (pages !== layout.pages)
        messages.push(buildWarning(`cheat sheet: laid out ${layout.pages} pages but the PDF has ${pages}`, 'sheet-pages'));
      const files: OutputFile[] = [
        { path: 'cheatsheet.pdf', data: pdf },
        { path: 'cheatsheet.html', data: html },
      ];
      return { files, messages, summary: { pages, fontPt: layout.fontPt } };
    } catch (error) {
      // A page in an unknown state is not reused.
      await cheatsheet.dispose!(cache);
      throw error;
    } finally {
      if (inPlace === undefined) await discardTemporary(layoutFile);
    }
  },
};
