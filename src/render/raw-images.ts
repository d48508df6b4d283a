/**
 * Raw-HTML `<img>` in notes: resolved like markdown images (copied, rewritten,
 * a placeholder and a warning when missing; width/height kept).
 * STUB: to be implemented.
 */
import type { Root as HastRoot } from 'hast';
import type { VFile } from 'vfile';

export function rehypeRawImages() {
  return (_tree: HastRoot, _file: VFile) => undefined;
}
