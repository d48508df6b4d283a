/**
 * Mermaid diagrams, rendered at build time to inline SVG in the build's own
 * browser (the `mermaid` package on disk; no network, no second browser).
 * STUB: to be implemented.
 */
import type { Root as HastRoot } from 'hast';
import type { VFile } from 'vfile';

export type DiagramTheme = 'light' | 'dark';
export type DiagramResult = { svg: string } | { error: string };
/** Keyed by `diagramKey(theme, code)`. */
export type DiagramMap = Map<string, DiagramResult>;

/** Post-sanitize rehype plugin: `pre > code.language-mermaid` → the diagram's SVG (when rendered). */
export function rehypeDiagrams() {
  return (_tree: HastRoot, _file: VFile) => undefined;
}
