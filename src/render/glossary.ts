/** The glossary as the cheat sheet's last section (`--glossary`). */
import type { StudySet } from '../study/index.js';
import { addedSection, escapeHtml, type HtmlOptions, type HtmlRenderer, type RenderedTopic } from './html.js';

/** One list, terms in alphabetical order, each with its definition. */
export function glossaryTopic(study: StudySet, renderer: HtmlRenderer, html: HtmlOptions): RenderedTopic {
  const collator = new Intl.Collator('en', { sensitivity: 'base' });
  const items = [...study.glossary]
    .sort((a, b) => collator.compare(a.term, b.term))
    .map((entry) => {
      const definition = renderer
        .renderBlocks(entry.definition, html, entry.topic.note.absPath)
        .map((b) => b.html.replace(/^<p>|<\/p>$/g, ''))
        .join(' ');
      return `<li><strong class="lead">${escapeHtml(entry.term)}</strong> — ${definition}</li>`;
    });
  return addedSection('glossary', 'Glossary', { kind: 'ul', html: `<ul class="glossary">${items.join('')}</ul>` });
}
