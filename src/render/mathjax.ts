/**
 * MathJax behind KaTeX, loaded once, and only when a formula needs it: a build whose formulas
 * KaTeX typesets never loads it (src/render/mathjax-engine.ts is a chunk of its own).
 */
import type { Typeset } from './mathjax-engine.js';

export type { Typeset } from './mathjax-engine.js';

/** MathJax's typesetter: a formula's HTML, or why MathJax rejects it (results are kept). */
export interface MathJax {
  typeset(tex: string, display: boolean): Typeset;
}

let loading: Promise<MathJax> | null = null;
let loaded: MathJax | null = null;

export function loadMathJax(): Promise<MathJax> {
  loading ??= import('./mathjax-engine.js').then(({ createMathJax }) => (loaded = createMathJax()));
  return loading;
}

/** MathJax if it is loaded already, else null (nothing has needed it yet). */
export const loadedMathJax = (): MathJax | null => loaded;
