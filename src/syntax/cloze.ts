/**
 * Anki's cloze deletions, `{{c1::term}}` and `{{c1::term::hint}}`, as people paste them into notes:
 * a `cloze` node holding the term (the sheet and the decks show the term; src/study.ts makes the
 * cards). Read from text nodes only, so code and math are never touched; a deletion is one text
 * run (`{{c1::**bold**}}` stays as written).
 */
import type { PhrasingContent, Root, Text } from 'mdast';
import { visit } from 'unist-util-visit';
import type { Cloze } from '../types.js';
import { replaceAt, slicePosition } from './nodes.js';

const CLOZE = /\{\{c(\d{1,3})::([\s\S]+?)(?:::([^{}]*?))?\}\}/g;

export function remarkCloze() {
  return (tree: Root) => {
    visit(tree, 'text', (node: Text, index, parent) => {
      if (!parent || index === undefined || !node.value.includes('{{c')) return;
      const out: PhrasingContent[] = [];
      let last = 0;
      const piece = (from: number, to: number): Text => ({
        type: 'text',
        value: node.value.slice(from, to),
        position: slicePosition(node, from, to),
      });
      for (const match of node.value.matchAll(CLOZE)) {
        const at = match.index;
        if (at > last) out.push(piece(last, at));
        const termAt = at + match[0].indexOf('::') + 2;
        const cloze: Cloze = {
          type: 'cloze',
          number: Number(match[1]),
          children: [piece(termAt, termAt + match[2]!.length)],
          position: slicePosition(node, at, at + match[0].length),
          ...(match[3]?.trim() ? { hint: match[3].trim() } : {}),
        };
        out.push(cloze);
        last = at + match[0].length;
      }
      if (out.length === 0) return;
      if (last < node.value.length) out.push(piece(last, node.value.length));
      replaceAt(parent.children as PhrasingContent[], index, out);
      return index + out.length;
    });
  };
}
