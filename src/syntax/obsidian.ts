/**
 * The rest of Obsidian's markdown that would otherwise print literally:
 *   %% comments %%      inline or over several blocks: hidden
 *   ==highlight==       → <mark>
 *   text ^da815c        a block id at the end of a block (or alone on the line after one):
 *                       hidden, kept as `data.blockId` for `![[Note#^da815c]]`
 * Code is never touched: these are read from text nodes only.
 */
import type { Parent, PhrasingContent, Root, RootContent, Text } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import type { Mark } from '../types.js';
import { mergeTexts } from './math.js';
import { slicePosition } from './nodes.js';

/** Blocks whose children are inline content. */
const INLINE_PARENTS = new Set(['paragraph', 'heading', 'tableCell', 'calloutTitle', 'detailsSummary']);
const isInlineParent = (node: { type: string }) => INLINE_PARENTS.has(node.type);

/**
 * `%% … %%`: inline in a paragraph, or as blocks (a paragraph that opens a
 * comment, the blocks after it, up to the one that closes it). An unclosed
 * `%%` hides the rest of its container, as in Obsidian.
 */
export function remarkObsidianComments() {
  return (tree: Root) => {
    const containers: Parent[] = [];
    visit(tree, (node) => {
      if ('children' in node && !isInlineParent(node) && toString(node).includes('%%')) containers.push(node as Parent);
    });
    for (const container of containers) hideComments(container);
  };
}

function hideComments(container: Parent): void {
  let open = false;
  const kept: RootContent[] = [];
  for (const block of container.children as RootContent[]) {
    if (!isInlineParent(block)) {
      if (!open) kept.push(block);
      continue;
    }
    const inline = block as Parent;
    const result = stripInline(inline.children as PhrasingContent[], open);
    open = result.open;
    inline.children = result.kept;
    mergeTexts(inline);
    if (result.kept.some((n) => n.type !== 'text' || n.value.trim() !== '')) kept.push(block);
  }
  container.children = kept as Parent['children'];
}

/** Inline nodes without the commented parts; `open` says whether a comment runs on after them. */
function stripInline(nodes: PhrasingContent[], open: boolean): { kept: PhrasingContent[]; open: boolean } {
  const kept: PhrasingContent[] = [];
  for (const node of nodes) {
    if (node.type !== 'text') {
      if (!open) kept.push(node);
      continue;
    }
    const parts = node.value.split('%%');
    parts.forEach((part, i) => {
      if (i > 0) open = !open;
      if (!open && part) kept.push({ ...node, value: part });
    });
  }
  return { kept, open };
}

/** `==text==` → a mark. Opening `==` before a non-space, closing after one (`a == b` is not a highlight). */
export function remarkHighlight() {
  return (tree: Root) => {
    visit(tree, (node) => {
      if (!('children' in node) || (!isInlineParent(node) && node.type !== 'emphasis' && node.type !== 'strong' && node.type !== 'link'))
        return;
      const parent = node as Parent;
      if (!parent.children.some((c) => c.type === 'text' && c.value.includes('=='))) return;
      parent.children = highlight(parent.children as PhrasingContent[]) as Parent['children'];
    });
  };
}

function highlight(nodes: PhrasingContent[]): PhrasingContent[] {
  // Split text at each `==` (not part of a longer run of `=`), keeping the markers as tokens.
  const tokens: (PhrasingContent | { marker: true; text: Text; exact: Text['position'] })[] = [];
  for (const node of nodes) {
    if (node.type !== 'text') {
      tokens.push(node);
      continue;
    }
    let at = 0;
    node.value.split(/((?<!=)==(?!=))/).forEach((part, i) => {
      // Each piece where it is written (when the text is written as it reads): a highlight then has a place in the note.
      const exact = slicePosition(node, at, at + part.length);
      const piece: Text = { ...node, value: part, position: exact ?? node.position };
      at += part.length;
      if (part === '') return;
      tokens.push(i % 2 === 1 ? { marker: true, text: piece, exact } : piece);
    });
  }
  const out: PhrasingContent[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!('marker' in token)) {
      out.push(token);
      continue;
    }
    const after = tokens[i + 1];
    const opens = after && !('marker' in after) && !(after.type === 'text' && /^\s/.test(after.value));
    const close = opens ? nextMarker(tokens, i + 2) : -1;
    const before = close > 0 ? tokens[close - 1] : undefined;
    if (close < 0 || !before || 'marker' in before || (before.type === 'text' && /\s$/.test(before.value))) {
      out.push(token.text);
      continue;
    }
    const [start, end] = [token.exact?.start, (tokens[close] as { exact?: Text['position'] }).exact?.end];
    const mark: Mark = {
      type: 'mark',
      children: tokens.slice(i + 1, close) as PhrasingContent[],
      ...(start && end ? { position: { start, end } } : {}),
    };
    out.push(mark as unknown as PhrasingContent);
    i = close;
  }
  const holder = { type: 'paragraph', children: out } as Parent;
  mergeTexts(holder);
  return holder.children as PhrasingContent[];
}

/** Index of the first marker at or after `from`, or -1 (a search from 0 for each marker is quadratic on a long line). */
function nextMarker(tokens: (PhrasingContent | { marker: true })[], from: number): number {
  for (let j = from; j < tokens.length; j++) if ('marker' in tokens[j]!) return j;
  return -1;
}

const BLOCK_ID_END = /\s\^([A-Za-z0-9-]+)\s*$/;
const BLOCK_ID_ALONE = /^\s*\^([A-Za-z0-9-]+)\s*$/;

/** `… text ^id` ends a paragraph (or a list item's): the id goes to `data.blockId`; `^id` alone names the block before it. */
export function remarkBlockIds() {
  return (tree: Root) => {
    visit(tree, (node) => {
      if (!('children' in node) || isInlineParent(node)) return;
      const parent = node as Parent;
      const children = parent.children as RootContent[];
      for (let i = 0; i < children.length; i++) {
        const block = children[i]!;
        if (block.type !== 'paragraph') continue;
        const last = block.children[block.children.length - 1];
        if (last?.type !== 'text') continue;
        const alone = block.children.length === 1 ? BLOCK_ID_ALONE.exec(last.value) : null;
        if (alone && i > 0) {
          const target = children[i - 1]!;
          target.data = { ...target.data, blockId: alone[1] };
          children.splice(i--, 1);
          continue;
        }
        const end = BLOCK_ID_END.exec(last.value);
        if (!end) continue;
        last.value = last.value.slice(0, end.index);
        block.data = { ...block.data, blockId: end[1] };
        if (parent.type === 'listItem') parent.data = { ...parent.data, blockId: end[1] };
      }
    });
  };
}
