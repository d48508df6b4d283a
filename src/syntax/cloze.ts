/**
 * Anki's cloze deletions, `{{c1::term}}` and `{{c1::term::hint}}`, as people paste them into notes:
 * a `cloze` node holding the term (the sheet and the decks show the term; src/study/cloze.ts makes the
 * cards). The term can hold markup (`{{c1::**bold**}}`, `{{c1::$x^2$}}`): the braces are read from
 * text nodes only, so code and math are never taken for them.
 */
import type { Parent, PhrasingContent, Root, Text } from 'mdast';
import { visit } from 'unist-util-visit';
import type { Cloze } from '../types.js';
import { slicePosition } from './nodes.js';

const OPEN = /\{\{c(\d{1,3})::/;
const CLOSE = '}}';

export function remarkCloze() {
  return (tree: Root) => {
    visit(tree, (node) => {
      if (!('children' in node) || node.type === 'cloze') return;
      const parent = node as Parent;
      if (!parent.children.some((c) => c.type === 'text' && c.value.includes('{{c'))) return;
      parent.children = clozesIn(parent.children as PhrasingContent[]) as Parent['children'];
    });
  };
}

const piece = (node: Text, from: number, to = node.value.length): Text => ({
  type: 'text',
  value: node.value.slice(from, to),
  position: slicePosition(node, from, to),
});

/** The term and hint of what is written before the closing braces (`term::hint`). */
function termAndHint(value: string): [string, string | undefined] {
  const at = value.lastIndexOf('::');
  return at < 0 ? [value, undefined] : [value.slice(0, at), value.slice(at + 2).trim() || undefined];
}

function clozesIn(nodes: PhrasingContent[]): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  const queue = [...nodes];
  while (queue.length > 0) {
    const node = queue.shift()!;
    const open = node.type === 'text' ? OPEN.exec(node.value) : null;
    if (node.type !== 'text' || !open) {
      out.push(node);
      continue;
    }
    const termAt = open.index + open[0].length;
    const number = Number(open[1]);
    const before = open.index > 0 ? [piece(node, 0, open.index)] : [];
    const closeAt = node.value.indexOf(CLOSE, termAt);
    if (closeAt >= 0) {
      // Within one text: `{{c1::term::hint}}`.
      const [term, hint] = termAndHint(node.value.slice(termAt, closeAt));
      if (!term.trim()) {
        out.push(piece(node, 0, termAt));
        queue.unshift(piece(node, termAt));
        continue;
      }
      out.push(...before, cloze(number, [piece(node, termAt, termAt + term.length)], hint, node, open.index, node, closeAt + 2));
      if (closeAt + 2 < node.value.length) queue.unshift(piece(node, closeAt + 2));
      continue;
    }
    // Across nodes: `{{c1::$x^2$}}`, `{{c1::**bold** text}}`; the closing braces in a later text, before any other opening.
    const end = queue.findIndex((n) => n.type === 'text' && (n.value.includes(CLOSE) || OPEN.test(n.value)));
    const last = end >= 0 ? (queue[end] as Text) : null;
    const lastClose = last ? last.value.indexOf(CLOSE) : -1;
    if (!last || lastClose < 0 || (OPEN.exec(last.value)?.index ?? Infinity) < lastClose) {
      out.push(node);
      continue;
    }
    const [tail, hint] = termAndHint(last.value.slice(0, lastClose));
    const inner = [
      ...(termAt < node.value.length ? [piece(node, termAt)] : []),
      ...queue.slice(0, end),
      ...(tail ? [piece(last, 0, tail.length)] : []),
    ];
    queue.splice(0, end + 1);
    out.push(...before, cloze(number, inner, hint, node, open.index, last, lastClose + 2));
    if (lastClose + 2 < last.value.length) queue.unshift(piece(last, lastClose + 2));
  }
  return out;
}

/** A cloze from `{{` at `from` in `first` to `}}` ending at `to` in `last`, placed in the note when both ends are. */
function cloze(
  number: number,
  children: PhrasingContent[],
  hint: string | undefined,
  first: Text,
  from: number,
  last: Text,
  to: number,
): Cloze {
  const start = slicePosition(first, from, from)?.start;
  const end = slicePosition(last, to, to)?.end;
  return { type: 'cloze', number, children, ...(hint ? { hint } : {}), ...(start && end ? { position: { start, end } } : {}) };
}
