/** `index.html`: links to the PDF and every deck, and the build's warnings. */
import type { Guide } from '../types.js';
import type { DeckSummary } from '../build.js';
import { loadTemplate, type TemplateSource } from '../templates.js';

export interface IndexData {
  pdfPages: number | null;
  decks: DeckSummary[] | null;
  warnings: string[];
}

export async function renderIndex(guide: Guide, data: IndexData, templates: TemplateSource): Promise<string> {
  const template = await loadTemplate(templates, 'index.hbs');
  const all = data.decks?.find((d) => d.name === 'all');
  return template({
    title: guide.title,
    topicCount: guide.topics.length,
    pdf: data.pdfPages === null ? null : { pages: data.pdfPages, one: data.pdfPages === 1 },
    all: all ?? null,
    decks: (data.decks ?? []).filter((d) => d.name !== 'all').map((d) => ({ slug: d.name, title: d.title, slides: d.slides, source: d.source, handoutPages: d.handoutPages })),
    warnings: data.warnings,
  });
}
