/**
 * Cloze deletions: a paragraph with `{{cN::term}}` (or, with `clozeHighlights`, `==term==`, each
 * its own number) gives a card per number, its deletions shown as `[...]` (or `[hint]`) on the
 * front and highlighted on the back, the others shown as written.
 */
import type { Paragraph, PhrasingContent } from 'mdast';
import { visit } from 'unist-util-visit';
import type { Topic } from '../types.js';
import { mapInline, paragraph, text } from './inline.js';
import { position, spans } from './source.js';
import type { Card, StudyOptions } from './types.js';

export function clozes(topic: Topic, options: StudyOptions): Card[] {
  const cards: Card[] = [];
  for (const block of topic.blocks) {
    visit(block, 'paragraph', (paragraphNode: Paragraph) => {
      const numbers = new Map<PhrasingContent, { number: number; hint?: string }>();
      visit(paragraphNode, 'cloze', (node) => {
        numbers.set(node, { number: node.number, hint: node.hint });
      });
      if (numbers.size === 0 && options.clozeHighlights) {
        visit(paragraphNode, 'mark', (node) => {
          numbers.set(node, { number: numbers.size + 1 });
        });
      }
      if (numbers.size === 0) return;
      const children = (node: PhrasingContent) => ('children' in node ? (node.children as PhrasingContent[]) : []);
      const ankiText = mapInline(paragraphNode.children, (node) => {
        const deletion = numbers.get(node);
        return deletion ? [text(`{{c${deletion.number}::`), ...children(node), text(deletion.hint ? `::${deletion.hint}}}` : '}}')] : null;
      });
      for (const number of [...new Set([...numbers.values()].map((d) => d.number))].sort((a, b) => a - b)) {
        const asked = (node: PhrasingContent) => numbers.get(node)?.number === number;
        const front = mapInline(paragraphNode.children, (node) => {
          const deletion = numbers.get(node);
          if (!deletion) return null;
          return deletion.number === number ? [text(deletion.hint ? `[${deletion.hint}]` : '[...]')] : children(node);
        });
        const back = mapInline(paragraphNode.children, (node) => {
          if (!numbers.has(node)) return null;
          return asked(node) ? [{ type: 'mark', children: children(node) }] : children(node);
        });
        cards.push({
          kind: 'cloze',
          front,
          back: [paragraph(back)],
          topic,
          source: position(topic, paragraphNode),
          blanks: spans([...numbers.keys()].filter(asked)),
          blockId: paragraphNode.data?.blockId,
          cloze: { number, text: ankiText },
        });
      }
    });
  }
  return cards;
}
