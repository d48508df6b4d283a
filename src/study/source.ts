/** Where a card's parts are written in its note: source positions and offset spans. */
import type { Paragraph } from 'mdast';
import type { SourcePosition, Topic } from '../types.js';
import { overlapping } from './inline.js';
import type { Span } from './types.js';

/** Where `node` starts, in its topic's note (the topic's own place when the node was made up). */
export const position = (topic: Topic, node: { position?: { start: { line: number; column: number } } } | null): SourcePosition =>
  node?.position ? { file: topic.source.file, line: node.position.start.line, column: node.position.start.column } : topic.source;

/** The spans of nodes as written in the note (nodes made up by extraction have none). */
export const spans = (nodes: readonly { position?: { start: { offset?: number }; end: { offset?: number } } }[]): Span[] =>
  nodes.flatMap((n) =>
    n.position?.start.offset !== undefined && n.position.end.offset !== undefined
      ? [{ start: n.position.start.offset, end: n.position.end.offset }]
      : [],
  );

/**
 * The spans of `toString(block).slice(from, to)` in the note. A text node written as it reads (no
 * escapes or entities) maps offset for offset; any other node overlapping the range counts whole.
 */
export function valueSpans(block: Paragraph, from: number, to: number): Span[] {
  const out: Span[] = [];
  for (const { child, a, b, length } of overlapping(block, from, to)) {
    const [start, end] = [child.position?.start.offset, child.position?.end.offset];
    if (start === undefined || end === undefined) continue;
    // A block id (`text ^id`) was cut from the end of the last text: its start still maps.
    const cut = child === block.children.at(-1) && block.data?.blockId !== undefined && end - start > length;
    const exact = child.type === 'text' && (end - start === child.value.length || cut);
    out.push(exact ? { start: start + a, end: start + b } : { start, end });
  }
  return out;
}

/** The span of `part` found in `value` from `from` on, trimmed, as `[start, end]` in `value`. */
export function trimmedRange(value: string, part: string, from: number): [number, number] {
  const at = value.indexOf(part, from);
  const lead = part.length - part.trimStart().length;
  return [at + lead, at + lead + part.trim().length];
}
