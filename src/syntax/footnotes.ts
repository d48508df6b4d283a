/**
 * GFM footnotes (`text[^1]` … `[^1]: the note`). People write the definitions
 * at the end of the note, far from the topic that cites them, so the parser
 * takes them out of the content: a topic shows the ones it cites
 * (src/render/footnotes.ts), whatever topic they were written in.
 */
import type { FootnoteDefinition, Root } from 'mdast';
import { SKIP, visit } from 'unist-util-visit';

/** Remove every footnote definition from `tree` (also inside lists and quotes) and return them, in document order. */
export function takeFootnoteDefinitions(tree: Root): FootnoteDefinition[] {
  const found: FootnoteDefinition[] = [];
  visit(tree, 'footnoteDefinition', (node: FootnoteDefinition, index, parent) => {
    if (!parent || index === undefined) return;
    found.push(node);
    parent.children.splice(index, 1);
    return [SKIP, index];
  });
  return found;
}
