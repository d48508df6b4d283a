/** Inline content cut out of a paragraph's text, or rebuilt around some of its nodes. */
import type { Paragraph, PhrasingContent } from 'mdast';
import { toString } from 'mdast-util-to-string';

export const text = (value: string): PhrasingContent => ({ type: 'text', value });
export const paragraph = (children: PhrasingContent[]): Paragraph => ({ type: 'paragraph', children });

/**
 * The children of `block` that `toString(block).slice(from, to)` overlaps, each with the part of its
 * own text overlapped (`a` to `b`) and that text's length.
 */
export function* overlapping(block: Paragraph, from: number, to: number) {
  let at = 0;
  for (const child of block.children) {
    const length = toString(child).length;
    const [a, b] = [Math.max(from, at) - at, Math.min(to, at + length) - at];
    if (a < b) yield { child, a, b, length };
    at += length;
  }
}

/**
 * `toString(block).slice(from, to)` as inline content, its markup kept (emphasis, code, math,
 * links), or null when a node other than text straddles an end (`**Q :: A**`): then plain text.
 */
export function sliceInline(block: Paragraph, from: number, to: number): PhrasingContent[] | null {
  const out: PhrasingContent[] = [];
  for (const { child, a, b, length } of overlapping(block, from, to)) {
    if (child.type === 'text') {
      const sliced = child.value.slice(a, b);
      if (sliced.trim() || out.length > 0) out.push({ type: 'text', value: sliced });
    } else if (a === 0 && b === length) out.push(child);
    else return null;
  }
  return trimInline(out);
}

/** Without the spaces and line breaks at either end (the separator's, not the card's); the end texts are copies. */
export function trimInline(nodes: PhrasingContent[]): PhrasingContent[] {
  const out = [...nodes];
  const trim = (i: number, how: (value: string) => string) => {
    const node = out[i];
    if (node?.type === 'text') out[i] = { ...node, value: how(node.value) };
  };
  trim(0, (v) => v.trimStart());
  trim(out.length - 1, (v) => v.trimEnd());
  return out.filter((n) => n.type !== 'text' || n.value !== '');
}

/** Inline content with some nodes replaced (`swap` returns the nodes to put instead, or null to keep and go inside). */
export function mapInline(nodes: PhrasingContent[], swap: (node: PhrasingContent) => PhrasingContent[] | null): PhrasingContent[] {
  return nodes.flatMap((node) => {
    const instead = swap(node);
    if (instead) return instead;
    return 'children' in node ? [{ ...node, children: mapInline(node.children as PhrasingContent[], swap) } as PhrasingContent] : [node];
  });
}
