/** Handouts: a deck's fitted slides printed N to a page, optionally with speaker notes under each slide. */
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { openLocalPage, pageScript, withLocalPage } from '../browser.js';
import { scriptHashSource } from '../safety.js';
import { loadTemplate, readTemplateFile, type TemplateSource } from '../templates.js';
import type { HandoutLayout as SettingsLayout } from '../settings.js';
import type { Deck, SlidesOptions } from './slides.js';

/** Slides per page (the setting, checked in src/settings.ts), and whether speaker notes go under them. */
export type HandoutLayout = SettingsLayout & { notes: boolean };

const MM_PER_PX = 25.4 / 96;

/** Page and cell geometry in mm: one slide alone goes landscape, notes or grids go portrait (A4). */
export function handoutGeometry(layout: HandoutLayout, slide: { width: number; height: number }) {
  const single = layout.cols === 1 && layout.rows === 1;
  const page = single && !layout.notes ? { width: 297, height: 210 } : { width: 210, height: 297 };
  const contentW = page.width - 20;
  const contentH = page.height - 8 - 5 - 6; // top padding, header, bottom margin
  const cellW = (contentW - (layout.cols - 1) * 6) / layout.cols;
  const cellH = (contentH - (layout.rows - 1) * 4) / layout.rows;
  const ratio = slide.height / slide.width;
  // With notes, the slide takes at most 55% of the cell; without, all of it.
  const maxSlideH = layout.notes ? cellH * 0.55 : cellH;
  const slideW = Math.min(cellW, maxSlideH / ratio);
  const slideH = slideW * ratio;
  return {
    page,
    cell: { width: round(slideW), height: round(cellH), slideHeight: round(slideH), scale: round(slideW / MM_PER_PX / slide.width, 5) },
  };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** One deck's handout: the PDF for `handouts/<name>.pdf`, and its page count. */
export interface HandoutPdf {
  name: string;
  pdf: Uint8Array;
  pages: number;
}

/**
 * Print each deck's handout: one after the other in one tab, each from a page
 * written under `<outDir>/handouts/` (where its links to the decks' styles
 * resolve). The caller writes the PDFs.
 */
export async function printHandouts(
  browser: Browser,
  decks: Deck[],
  options: SlidesOptions,
  layout: HandoutLayout,
  outDir: string,
  templates: TemplateSource,
  onBlocked: (url: string) => void,
): Promise<HandoutPdf[]> {
  const [render, css, script] = await Promise.all([
    loadTemplate(templates, 'handout.hbs'),
    readTemplateFile(templates, 'handout.css'),
    pageScript('handout'),
  ]);
  // Only the handout's own script runs while printing, whatever the slides hold.
  const scriptHash = scriptHashSource(script);
  const dir = path.join(outDir, 'handouts');
  const perPage = layout.cols * layout.rows;
  const geometry = handoutGeometry(layout, options);
  const results: HandoutPdf[] = [];
  const tab = await openLocalPage(browser, onBlocked);
  try {
    for (const deck of decks) {
      const slides = deck.stacks.flat();
      const pages = [];
      for (let i = 0; i < slides.length; i += perPage) pages.push({ number: pages.length + 1, slides: slides.slice(i, i + perPage) });
      const html = render({
        lang: 'en',
        title: deck.title,
        theme: options.theme,
        userCss: options.userCss,
        styles: options.styles,
        css,
        script,
        scriptHash,
        ...geometry,
        cols: layout.cols,
        rows: layout.rows,
        notes: layout.notes,
        pages,
        pageCount: pages.length,
      });
      const pdf = await withLocalPage(browser, { dir, name: deck.name, html, program: 'handout', reuse: tab }, async (page) => {
        await page.evaluate(() => document.fonts.ready);
        return page.pdf({ preferCSSPageSize: true, printBackground: true, timeout: 60_000 });
      });
      results.push({ name: deck.name, pdf, pages: pages.length });
    }
  } finally {
    await tab.close().catch(() => undefined); // a tab of a browser that is gone has nothing left to free
  }
  return results;
}
