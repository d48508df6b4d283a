/** Small helpers for the syntax plugins' tree edits. */
import type { Text } from 'mdast';

/**
 * `list.splice(index, 1, ...nodes)`, for any number of nodes: a spread
 * passes each node as an argument, which overflows the stack past ~100k
 * (one long line full of tags or links).
 */
export function replaceAt<T>(list: T[], index: number, nodes: T[]): void {
  if (nodes.length <= 10_000) {
    list.splice(index, 1, ...nodes);
    return;
  }
  const tail = list.splice(index);
  tail.shift();
  for (const node of nodes) list.push(node);
  for (const node of tail) list.push(node);
}

/**
 * Where `node.value.slice(from, to)` is written in the note, when the text is written as it reads
 * (its source exactly as long as its value: no escapes, entities or stripped indentation); else
 * undefined, as for any node made up rather than read.
 */
export function slicePosition(node: Text, from: number, to: number): Text['position'] {
  const start = node.position?.start;
  const end = node.position?.end;
  if (start?.offset === undefined || end?.offset === undefined || end.offset - start.offset !== node.value.length) return undefined;
  const at = (i: number) => {
    const before = node.value.slice(0, i);
    const lines = before.split('\n');
    const line = start.line + lines.length - 1;
    const column = lines.length === 1 ? start.column + i : lines[lines.length - 1]!.length + 1;
    return { line, column, offset: start.offset! + i };
  };
  return { start: at(from), end: at(to) };
}
