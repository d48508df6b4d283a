/** `index.html`: links to the PDF, every deck and the study outputs; the glossary, the review list, the warnings. */
import type { StudySet } from '../study/index.js';
import { loadTemplate, type TemplateSource } from '../templates.js';
import type { Guide } from '../types.js';
import type { HtmlOptions, HtmlRenderer } from './html.js';

/** A deck as the index links it. */
export interface DeckLink {
  name: string;
  title: string;
  slides: number;
  /** Where its topic starts, `notes/x.md:3`. */
  source?: string;
  /** Pages of `handouts/<name>.pdf`, when handouts were printed. */
  handoutPages?: number;
  /** Whether `slides/<name>.pptx` was written. */
  pptx?: boolean;
  /** Whether `slides/<name>/` holds the deck's slide images. */
  images?: boolean;
}

/** A card the study results say was answered wrong: its question, and how it went. */
export interface WeakSpot {
  question: string;
  right: number;
  answers: number;
  slug: string;
  topic: string;
  where: string;
}

/** What the cheat sheet does not print, by topic (src/targets/cheatsheet.ts). */
export interface LeftOutSection {
  /** `left out 41 of 230 blocks (18% of the text) to fit 2 pages` */
  summary: string;
  groups: { topic: string; items: { kind: string; priority: string; text: string; where: string }[] }[];
}

export interface IndexData {
  pdfPages: number | null;
  /** Pages of the self-test sheet, when it was printed. */
  selfTestPages?: number | null;
  decks: DeckLink[] | null;
  warnings: string[];
  /** Messages that only inform (Dataview blocks shown as code, links to notes not in the build). */
  notices: string[];
  study: StudySet;
  cards: number;
  flashcardSheets: number | null;
  /** flashcards.apkg: its notes and media files (images, diagrams); null when it was not written. */
  ankiPackage?: { notes: number; media: number } | null;
  /** What the cheat sheet left out; null when nothing. */
  leftOut?: LeftOutSection | null;
  /** Cards answered wrong in the study results, the least often right first. */
  weakSpots?: WeakSpot[];
}

export async function renderIndex(
  guide: Guide,
  data: IndexData,
  templates: TemplateSource,
  renderer: HtmlRenderer,
  html: HtmlOptions,
): Promise<string> {
  const template = await loadTemplate(templates, 'index.hbs');
  const all = data.decks?.find((d) => d.name === 'all');
  const quiz = data.decks?.find((d) => d.name === 'quiz');
  const collator = new Intl.Collator('en', { sensitivity: 'base' });
  const where = (s: { file: string; line: number }) => `${s.file}:${s.line}`;
  return template({
    title: guide.title,
    topicCount: guide.topics.length,
    pdf: data.pdfPages === null ? null : { pages: data.pdfPages, one: data.pdfPages === 1 },
    selfTest: data.selfTestPages ? { pages: data.selfTestPages, one: data.selfTestPages === 1 } : null,
    all: all ?? null,
    quiz: quiz ?? null,
    cards: data.cards,
    flashcardsPdf: data.flashcardSheets ? { pages: data.flashcardSheets } : null,
    ankiPackage: data.ankiPackage
      ? { ...data.ankiPackage, one: data.ankiPackage.notes === 1, oneMedia: data.ankiPackage.media === 1 }
      : null,
    decks: (data.decks ?? [])
      .filter((d) => d.name !== 'all' && d.name !== 'quiz')
      .map((d) => ({
        slug: d.name,
        title: d.title,
        slides: d.slides,
        source: d.source,
        handoutPages: d.handoutPages,
        pptx: d.pptx,
        images: d.images,
      })),
    glossary: [...data.study.glossary]
      .sort((a, b) => collator.compare(a.term, b.term))
      .map((entry) => ({
        term: entry.term,
        definitionHtml: renderer
          .renderBlocks(entry.definition, html, entry.topic.note.absPath)
          .map((b) => b.html)
          .join(''),
        slug: entry.topic.slug,
        topic: entry.topic.path.join(' › '),
      })),
    openQuestions: data.study.openQuestions.map((q) => ({
      question: q.question,
      slug: q.topic.slug,
      topic: q.topic.path.join(' › '),
      where: where(q.source),
    })),
    toFill: data.study.toFill.map((t) => ({
      title: t.topic.path.join(' › '),
      slug: t.topic.slug,
      reason: t.reason,
      where: where(t.topic.source),
    })),
    reviewCount: data.study.openQuestions.length + data.study.toFill.length,
    leftOut: data.leftOut ?? null,
    weakSpots: (data.weakSpots ?? []).map((w) => ({ ...w, share: Math.round((w.right / w.answers) * 100) })),
    warnings: data.warnings,
    notices: data.notices,
  });
}
