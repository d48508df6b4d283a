/** Small helpers for the syntax plugins' tree edits. */

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
