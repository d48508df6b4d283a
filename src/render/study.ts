/**
 * Study outputs from the study set (src/study.ts): an Anki-importable TSV,
 * printable duplex flashcards, quiz slides, a glossary and a review list.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { slug } from 'github-slugger';
import type { Browser } from 'puppeteer-core';
import { pageScript, withLocalPage } from '../browser.js';
import { scriptHashSource } from '../safety.js';
import type { Card, StudySet } from '../study.js';
import { loadTemplate, readTemplateFile, type TemplateSource } from '../templates.js';
import { FONT_STACKS } from './fonts.js';
import { escapeHtml, type HtmlOptions, type HtmlRenderer, type RenderedBlock } from './html.js';

export interface RenderedCard {
  kind: Card['kind'];
  front: string;
  back: string;
  /** Anki tags: the topic path, e.g. `studyguide::misc::security`. */
  tags: string[];
  /** Where it comes from, `notes/06-misc.md:98`. */
  source: string;
  /** Titles from the top-level topic down. */
  path: string[];
  slug: string;
  /**
   * Anki's note id, from where the card lives, not from its text: the note's path in the notes
   * folder, the heading path, and the card's place among that section's cards. Editing a card
   * keeps its id, so importing again updates the note in Anki (and keeps its reviews).
   */
  guid: string;
  /** Anki's deck: the guide's title, then the top-level topic (`AWS notes::Misc`). */
  deck: string;
  /** Anki's note type. */
  notetype: 'Basic' | 'Basic (and reversed card)';
}

/** A short id (72 bits, base64url) for `parts`. */
const shortId = (parts: string[]) => createHash('sha1').update(parts.join('\n')).digest('base64url').slice(0, 12);

/** Anki's deck names use `::` for nesting: a title holding it would nest where it should not. */
const deckName = (title: string) =>
  title
    .replace(/::/g, ':')
    .replace(/[\t\r\n]/g, ' ')
    .trim() || 'Study Guide';

const blocksHtml = (blocks: RenderedBlock[]) => blocks.map((b) => b.html).join('\n');

export function renderCards(
  set: StudySet,
  renderer: HtmlRenderer,
  options: HtmlOptions,
  /** The notes folder and the guide's title: the cards' ids and decks. */
  where: { notesDir: string; title: string },
): RenderedCard[] {
  const tag = (title: string) => slug(title) || 'topic';
  const seen = new Map<string, number>();
  const guid = (card: Card) => {
    const note = path.relative(where.notesDir, card.topic.note.absPath).split(path.sep).join('/');
    const section = [note, ...card.topic.path].join('\n');
    const nth = seen.get(section) ?? 0;
    seen.set(section, nth + 1);
    return shortId([note, ...card.topic.path, String(nth)]);
  };
  return set.cards.map((card, i) => ({
    kind: card.kind,
    front: renderer.renderInline(card.front, options, card.topic.note.absPath),
    // The footnotes the answer cites go with it; `card:i` keeps their ids apart on a page of cards.
    back: blocksHtml(
      renderer.renderBlocks(card.back, options, card.topic.note.absPath, { id: `card:${i}`, definitions: card.topic.note.footnotes }),
    ),
    tags: ['studyguide', card.topic.path.map(tag).join('::'), card.kind],
    source: `${card.source.file}:${card.source.line}`,
    path: card.topic.path,
    slug: card.topic.slug,
    guid: guid(card),
    notetype: card.reversed ? 'Basic (and reversed card)' : 'Basic',
    deck: [where.title, card.topic.path[0] ?? ''].map(deckName).join('::'),
  }));
}

/** A field for Anki's TSV import: HTML kept, tabs and line breaks escaped. */
export function tsvField(html: string): string {
  return html.replace(/\t/g, '&#9;').replace(/\r?\n/g, '<br>').trim();
}

/**
 * `flashcards.tsv`: front, back, tags, then Anki's note id, note type and deck; the header lines
 * tell Anki how to read it (its text importer's file headers). With the id, importing again
 * updates the cards already there instead of adding them twice.
 */
export function flashcardsTsv(cards: RenderedCard[]): string {
  const header = ['#separator:tab', '#html:true', '#tags column:3', '#guid column:4', '#notetype column:5', '#deck column:6'];
  const rows = cards.map((c) => [tsvField(c.front), tsvField(c.back), c.tags.join(' '), c.guid, c.notetype, tsvField(c.deck)].join('\t'));
  return `${[...header, ...rows].join('\n')}\n`;
}

/** Quiz slides: the prompt, and the answer as one fragment. Keyed like the other slides for fitting. */
export function quizSlides(cards: RenderedCard[], title: string) {
  return [
    {
      key: 'quiz:title',
      classes: 'sg-title-slide',
      html: `<h1 class="sg-title">Quiz</h1><p class="sg-sub">${escapeHtml(title)} · ${cards.length} question${cards.length === 1 ? '' : 's'} · press → to reveal each answer</p>`,
    },
    ...cards.map((card, i) => ({
      key: `quiz:${i}`,
      classes: 'sg-content sg-quiz',
      html:
        `<p class="sg-crumbs">${escapeHtml(card.path.join(' › '))}</p><h2 class="sg-title">${card.front}</h2>\n` +
        `<div class="sg-answer fragment" data-fragment-index="0">${card.back}</div>`,
    })),
  ];
}

/** Card positions on A4 (mm): 2 columns × 4 rows of 90 × 60 mm cards. */
const COLS = 2;
const ROWS = 4;
const cell = (i: number, mirrored: boolean) => {
  const col = i % COLS;
  const row = Math.floor(i / COLS);
  return { x: 15 + (mirrored ? COLS - 1 - col : col) * 90, y: 18.5 + row * 65 };
};

/**
 * `flashcards.pdf`: a page of fronts, then the page of their backs, each back
 * in the mirrored column so that, printed double-sided (flipped on the long
 * edge), it lands behind its front. Cut marks at every card's corners.
 * Returns the PDF (the caller writes it), or `pdf: null` when the cards are
 * those of `previousKey` and `<outDir>/flashcards.pdf` is there: nothing to print.
 */
export async function printFlashcards(
  browser: Browser,
  cards: RenderedCard[],
  title: string,
  fontSheets: string[],
  outDir: string,
  templates: TemplateSource,
  onBlocked: (url: string) => void,
  /** The key of the PDF already on disk: when the new one has the same, it is not printed again. */
  previousKey?: string,
): Promise<{ pdf: Uint8Array | null; sheets: number; key: string }> {
  const [render, css, script] = await Promise.all([
    loadTemplate(templates, 'flashcards.hbs'),
    readTemplateFile(templates, 'flashcards.css'),
    pageScript('flashcards'),
  ]);
  const perSheet = COLS * ROWS;
  const sheets = [];
  for (let start = 0, n = 1; start < cards.length; start += perSheet, n++) {
    const group = cards.slice(start, start + perSheet);
    sheets.push({
      side: 'front',
      number: n,
      back: false,
      cards: group.map((c, i) => ({ ...cell(i, false), html: c.front, meta: c.path.join(' › ') })),
    });
    sheets.push({ side: 'back', number: n, back: true, cards: group.map((c, i) => ({ ...cell(i, true), html: c.back, meta: c.source })) });
  }
  const html = render({
    lang: 'en',
    title,
    css,
    script,
    scriptHash: scriptHashSource(script),
    fonts: FONT_STACKS,
    fontSheets,
    sheets,
    sheetCount: sheets.length / 2,
  });
  const key = createHash('sha1').update(html).digest('hex');
  // Watch mode: the cards did not change.
  if (key === previousKey && existsSync(path.join(outDir, 'flashcards.pdf'))) return { pdf: null, sheets: sheets.length, key };
  const pdf = await withLocalPage(browser, { dir: outDir, name: 'flashcards', html, program: 'flashcards', onBlocked }, (page) =>
    page.pdf({ preferCSSPageSize: true, printBackground: true, timeout: 120_000 }),
  );
  return { pdf, sheets: sheets.length, key };
}
