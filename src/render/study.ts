/**
 * Study outputs from the study set (src/study.ts): an Anki-importable TSV,
 * printable duplex flashcards, quiz slides, a glossary and a review list.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { slug } from 'github-slugger';
import { toString } from 'mdast-util-to-string';
import type { Browser } from 'puppeteer-core';
import { pageScript, withLocalPage } from '../browser.js';
import { scriptHashSource } from '../safety.js';
import type { PhrasingContent, RootContent } from 'mdast';
import type { Card, StudySet } from '../study/index.js';
import { loadTemplate, readTemplateFile, type TemplateSource } from '../templates.js';
import { FONT_STACKS } from './fonts.js';
import { ankiHtml } from './anki-text.js';
import { escapeHtml, type HtmlOptions, type HtmlRenderer, type RenderedBlock } from './html.js';

export interface RenderedCard {
  kind: Card['kind'];
  front: string;
  back: string;
  /** Anki tags: the topic path, e.g. `studyguide::misc::security`. */
  tags: string[];
  /** Where it comes from, `notes/06-misc.md:98`. */
  source: string;
  /** The note file it is written in (absolute): the Anki package dates the card's note by it. */
  note: string;
  /** Titles from the top-level topic down. */
  path: string[];
  slug: string;
  /**
   * Anki's note id, from where the card lives, not from its text: the note's path in the notes
   * folder, the heading path, and the card's place among that section's cards. Editing a card
   * keeps its id, so importing again updates the note in Anki (and keeps its reviews).
   */
  guid: string;
  /**
   * The card's own id: its note's `guid`, and for a cloze card `guid#cN` (a cloze note's cards share
   * the note's). The quiz deck's slides and the study results name the card by it.
   */
  id: string;
  /** The front as plain text, whitespace collapsed: the question as the study results write it. */
  text: string;
  /** Anki's deck: the guide's title, then the top-level topic (`AWS notes::Misc`), or the deck a `#flashcards/…` tag names (`AWS notes::spanish`). */
  deck: string;
  /** Anki's note type. */
  notetype: 'Basic' | 'Basic (and reversed card)' | 'Cloze';
  /**
   * The note's two fields in flashcards.tsv: front and back; a cloze note's text in Anki's markup
   * and its (empty) Back Extra. Null for the second and later cards of a cloze note: Anki makes
   * them from the first one's row.
   */
  ankiFields: [string, string] | null;
  /**
   * A multiple-choice card in parts, for the quiz (which marks the right options): the question,
   * the options in order, the explanation (the back without the right options).
   */
  choices?: { question: string; options: { html: string; correct: boolean }[]; explanation: string; lettered: boolean };
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
  const clozeNotes = new Map<object, string>();
  // Every Anki note takes its place among its section's notes (a cloze note is one, whatever its
  // numbers), so giving one a block id, or a cloze a new number, moves no other card's id.
  const guid = (card: Card) => {
    const shared = card.cloze && clozeNotes.get(card.cloze.text);
    if (shared) return shared;
    const note = path.relative(where.notesDir, card.topic.note.absPath).split(path.sep).join('/');
    const key = (at: string[]) => {
      const place = at.join('\n');
      const nth = seen.get(place) ?? 0;
      seen.set(place, nth + 1);
      return shortId([...at, String(nth)]);
    };
    const inSection = key([note, ...card.topic.path]);
    // An Obsidian block id names the card wherever the note goes (block ids are unique in a note, so the note's name goes along).
    const id = card.blockId ? key(['^', path.basename(note), card.blockId]) : inSection;
    if (card.cloze) clozeNotes.set(card.cloze.text, id);
    return id;
  };
  const firstOfNote = new Set<object>();
  return set.cards.map((card, i) => {
    const file = card.topic.note.absPath;
    const inline = (nodes: PhrasingContent[]) => renderer.renderInline(nodes, options, file);
    // The footnotes the answer cites go with it; `card:i` keeps their ids apart on a page of cards.
    const blocks = (nodes: RootContent[], part = '') =>
      blocksHtml(renderer.renderBlocks(nodes, options, file, { id: `card:${i}${part}`, definitions: card.topic.note.footnotes }));
    const choices = card.choices?.map((c) => ({ html: inline(c.content), correct: c.correct }));
    // Options written `A. …`, `B) …` show their letters; a task list's get them on the quiz slide.
    const lettered = !!card.choices?.every((c, i) =>
      new RegExp(`^\\s*\\(?${optionLetter(i)}[.)]\\s`, 'i').test(toString({ type: 'paragraph', children: c.content })),
    );
    const question = inline(card.front);
    const front = choices ? `${question}<ul class="sg-choices">${choices.map((c) => `<li>${c.html}</li>`).join('')}</ul>` : question;
    const back = blocks(card.back);
    const firstCloze = card.cloze !== undefined && !firstOfNote.has(card.cloze.text);
    if (card.cloze) firstOfNote.add(card.cloze.text);
    const noteId = guid(card);
    return {
      kind: card.kind,
      front,
      back,
      tags: ['studyguide', card.topic.path.map(tag).join('::'), card.kind],
      source: `${card.source.file}:${card.source.line}`,
      note: file,
      path: card.topic.path,
      slug: card.topic.slug,
      guid: noteId,
      id: card.cloze ? `${noteId}#c${card.cloze.number}` : noteId,
      text: toString({ type: 'paragraph', children: card.front }).replace(/\s+/g, ' ').trim(),
      notetype: card.cloze ? 'Cloze' : card.reversed ? 'Basic (and reversed card)' : 'Basic',
      deck: [where.title, ...(card.deck ?? [card.topic.path[0] ?? ''])].map(deckName).join('::'),
      // Math goes to Anki as TeX, which it typesets itself; wiki links as their text.
      ankiFields: !card.cloze ? [ankiHtml(front), ankiHtml(back)] : firstCloze ? [ankiHtml(inline(card.cloze.text)), ''] : null,
      ...(choices ? { choices: { question, options: choices, explanation: blocks(card.back.slice(1), ':explanation'), lettered } } : {}),
    };
  });
}

/** A field for Anki's TSV import: HTML kept, tabs escaped, no line breaks (a row is a line). */
export function tsvField(html: string): string {
  // A line break shows only inside <pre>; elsewhere it is a space (between <li>s, a <br> would be a stray line).
  return html
    .replace(/\t/g, '&#9;')
    .split(/(<pre[\s>][\s\S]*?<\/pre>)/)
    .map((part, i) => part.replace(/\r?\n/g, i % 2 === 1 ? '<br>' : ' '))
    .join('')
    .trim();
}

/**
 * A field as Anki's CSV reader takes it: one that starts with `"` would be read as quoted, and a
 * line that starts with `#` as a comment (a front such as `#include …`), so those are quoted.
 */
const quoted = (field: string) => (/^["#]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

/**
 * `flashcards.tsv`: front, back, tags, then Anki's note id, note type and deck; the header lines
 * tell Anki how to read it (its text importer's file headers). With the id, importing again
 * updates the cards already there instead of adding them twice.
 */
export function flashcardsTsv(cards: RenderedCard[]): string {
  const header = ['#separator:tab', '#html:true', '#tags column:3', '#guid column:4', '#notetype column:5', '#deck column:6'];
  const rows = cards.flatMap((c) =>
    c.ankiFields ? [[...c.ankiFields.map(tsvField), c.tags.join(' '), c.guid, c.notetype, tsvField(c.deck)].map(quoted).join('\t')] : [],
  );
  return `${[...header, ...rows].join('\n')}\n`;
}

/** The letters options are named by, in order: A, B, C, … */
export const optionLetter = (i: number) => String.fromCharCode(65 + i);

/**
 * The title of a quiz slide, with what the live quiz (`present --quiz`) needs to know of its card:
 * its id, the question as text, and for a multiple-choice card its options' letters and the right
 * ones. On the title: a slide too long for one screen is split, and every part keeps its title.
 */
function quizTitle(card: RenderedCard, html: string): string {
  const options = card.choices?.options ?? [];
  const data = [
    ['card', card.id],
    ['question', card.text],
    ...(options.length
      ? [
          ['options', options.map((_, i) => optionLetter(i)).join(' ')],
          ['right', options.flatMap((o, i) => (o.correct ? [optionLetter(i)] : [])).join(' ')],
        ]
      : []),
  ];
  return `<h2 class="sg-title"${data.map(([name, value]) => ` data-sg-${name}="${escapeHtml(value!)}"`).join('')}>${html}</h2>`;
}

const plainSlide = (card: RenderedCard) =>
  `${quizTitle(card, card.front)}\n<div class="sg-answer fragment" data-fragment-index="0">${card.back}</div>`;

/** The question and its lettered options; the key press that answers marks the right ones and shows the explanation. */
function choiceSlide(card: RenderedCard, { question, options, explanation, lettered }: NonNullable<RenderedCard['choices']>): string {
  const items = options
    .map((c, i) => {
      const text = lettered ? c.html : `<span class="sg-letter">${optionLetter(i)}.</span> ${c.html}`;
      return c.correct
        ? `<li class="sg-choice sg-correct fragment highlight-green" data-fragment-index="0">${text}</li>`
        : `<li class="sg-choice">${text}</li>`;
    })
    .join('');
  const answer = explanation.trim() ? `<div class="sg-answer fragment" data-fragment-index="0">${explanation}</div>` : '';
  return `${quizTitle(card, question)}\n<ul class="sg-choices">${items}</ul>${answer}`;
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
        `<p class="sg-crumbs">${escapeHtml(card.path.join(' › '))}</p>` +
        (card.choices ? choiceSlide(card, card.choices) : plainSlide(card)),
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
  // Untagged: cards are cut out of paper (flashcards.tsv is their digital form), and tagging is most of
  // the print's time (962 cards: 4.4 s → 1.5 s) and size (4.7 → 1.3 MB). The cheat sheet stays tagged, for its outline.
  const pdf = await withLocalPage(browser, { dir: outDir, name: 'flashcards', html, program: 'flashcards', onBlocked }, (page) =>
    page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: false, timeout: 120_000 }),
  );
  return { pdf, sheets: sheets.length, key };
}
