/**
 * `$$…$$` on lines of its own is a display formula, as in Obsidian, also inside a paragraph right
 * after text (no blank line): the paragraph is cut there, into the text before, the formula and
 * the text after. remark-math reads such a `$$…$$` as inline math; one written mid-line stays so.
 */
import type { InlineMath, Math as DisplayMath } from 'mdast-util-math';
import type { Paragraph, PhrasingContent, Root, RootContent, Text } from 'mdast';
import type { Point } from 'unist';
import { SKIP, visit } from 'unist-util-visit';
import type { VFile } from 'vfile';

/** Text that ends its line (a line ending, then nothing but spaces), or is only spaces. */
const ENDS_LINE = /(^|\r?\n)[ \t]*$/;
/** Text that starts a new line after the formula (only spaces before a line ending), or is only spaces. */
const STARTS_LINE = /^[ \t]*(\r?\n|$)/;

export function remarkDisplayMath() {
  return (tree: Root, file: VFile) => {
    const source = file.data.markdown ?? String(file.value ?? '');
    const doubled = (node: PhrasingContent): node is InlineMath => {
      const start = node.position?.start.offset;
      return node.type === 'inlineMath' && start !== undefined && source.slice(start, start + 2) === '$$';
    };
    visit(tree, 'paragraph', (node, index, parent) => {
      if (!parent || index === undefined) return;
      const pieces = cut(node, doubled, source);
      if (!pieces) return;
      parent.children.splice(index, 1, ...(pieces as RootContent[]));
      return [SKIP, index + pieces.length];
    });
  };
}

/** The paragraph cut at its own-line `$$` formulas, or null when it has none. */
function cut(node: Paragraph, doubled: (node: PhrasingContent) => node is InlineMath, source: string): (Paragraph | DisplayMath)[] | null {
  const { children } = node;
  const ownLine = (i: number) => {
    const [before, after] = [children[i - 1], children[i + 1]];
    return (
      (before === undefined || before.type === 'break' || (before.type === 'text' && ENDS_LINE.test(before.value))) &&
      (after === undefined || (after.type === 'text' && STARTS_LINE.test(after.value)))
    );
  };
  const at = children.flatMap((child, i) => (doubled(child) && ownLine(i) ? [i] : []));
  if (at.length === 0) return null;
  // The formula alone in its paragraph keeps the paragraph's place.
  const alone = children.every((child, i) => at.includes(i) || (child.type === 'text' && child.value.trim() === ''));
  if (alone && at.length === 1) {
    const only = children[at[0]!] as InlineMath;
    return [{ type: 'math', value: only.value.trim(), meta: null, position: node.position }];
  }
  const out: (Paragraph | DisplayMath)[] = [];
  let from = 0;
  const text = (nodes: PhrasingContent[]) => {
    const kept = trimEnds(nodes, source);
    if (kept.length === 0) return;
    const [first, last] = [kept[0]!.position, kept.at(-1)!.position];
    out.push({ type: 'paragraph', children: kept, ...(first && last ? { position: { start: first.start, end: last.end } } : {}) });
  };
  for (const i of at) {
    text(children.slice(from, i));
    const formula = children[i] as InlineMath;
    out.push({ type: 'math', value: formula.value.trim(), meta: null, position: formula.position });
    from = i + 1;
  }
  text(children.slice(from));
  return out;
}

/** `nodes` without the line endings and spaces at either end (trimmed texts are copies, their places moved). */
function trimEnds(nodes: PhrasingContent[], source: string): PhrasingContent[] {
  const out = [...nodes];
  const trim = (i: number, end: boolean) => {
    const node = out[i];
    if (node?.type !== 'text') return;
    const value = end ? node.value.trimEnd() : node.value.trimStart();
    const removed = node.value.length - value.length;
    if (removed === 0) return;
    const copy: Text = { ...node, value };
    const place = node.position;
    // The text as written is the text as read only without escapes or entities: then its place moves too.
    if (
      place?.start.offset !== undefined &&
      place.end.offset !== undefined &&
      place.end.offset - place.start.offset === node.value.length
    ) {
      copy.position = end
        ? { start: place.start, end: pointAt(source, place.end.offset - removed) }
        : { start: pointAt(source, place.start.offset + removed), end: place.end };
    }
    out[i] = copy;
  };
  trim(0, false);
  trim(out.length - 1, true);
  return out.filter((n) => n.type !== 'text' || n.value !== '');
}

/** Line and column (1-based) of an offset in the note as parsed. */
function pointAt(source: string, offset: number): Point {
  const lineStart = source.lastIndexOf('\n', offset - 1) + 1;
  let line = 1;
  for (let at = source.indexOf('\n'); at !== -1 && at < offset; at = source.indexOf('\n', at + 1)) line++;
  return { line, column: offset - lineStart + 1, offset };
}
