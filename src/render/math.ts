/** STUB */
import type { Root as HastRoot } from 'hast';
export function rehypeMath(_options: { cache: Map<string, string> }) {
  return (_tree: HastRoot) => undefined;
}
