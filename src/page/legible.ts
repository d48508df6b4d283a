/*
 * Scaling a block that can be neither split nor moved (the last resort of a layout) and telling
 * when that makes it illegible: its smallest text, and its scale, against a floor.
 */
import { shrinkToFit } from './split.js';

/** How small scaled text may get: text in CSS px, and a block's scale (code, set small already, a little further). */
export interface Floor {
  px: number;
  scale: number;
  codeScale: number;
}

/** Blocks scaled below the floor, as last scaled, kept by the layout that scaled them (for warnings naming them). */
export type ScaledBlocks = Map<HTMLElement, { block: string; scale: number; px: number }>;

/** Text that is not seen: KaTeX's MathML and struts (zero-width spaces at 2 px), screen-reader text. */
const UNSEEN = '.katex-mathml, .sr-only';
const INK = /[^\s\u200b-\u200d\ufeff]/;

/** The size of the smallest text seen in `block`, in CSS pixels before any scaling. */
export function smallestText(block: HTMLElement): number {
  let min = Infinity;
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode as Text;
    const parent = text.parentElement;
    if (!parent || !INK.test(text.data) || parent.closest(UNSEEN)) continue;
    min = Math.min(min, parseFloat(getComputedStyle(parent).fontSize));
  }
  return min;
}

/** What a warning calls a kind of block. */
const KINDS: [string, string][] = [
  ['pre.sg-art', 'ASCII art'],
  ['pre', 'code block'],
  ['table', 'table'],
  ['.sg-embed', 'embedded note'],
  ['.callout', 'callout'],
  ['.sg-details', 'details block'],
  ['.sg-diagram', 'diagram'],
  ['.sg-math-display', 'formula'],
];

/** `code block "#|/|/|_/|#…"`: what a warning calls a block. */
export function describe(block: HTMLElement): string {
  const known = KINDS.find(([selector]) => block.matches(selector));
  const kind = known ? known[1] : block.querySelector('img, svg') ? 'image' : block.tagName.toLowerCase();
  const text = (block.textContent || '').replace(/\s+/g, ' ').trim();
  return text ? `${kind} "${text.slice(0, 40)}${text.length > 40 ? '…' : ''}"` : kind;
}

/**
 * Scale `block` to the room it has (`least`: no smaller than this share). Below the floor it is
 * noted in `below`, for a warning that names it.
 */
export function scaleLegibly(block: HTMLElement, height: number, width: number, floor: Floor, below: ScaledBlocks, least = 0): void {
  const factor = shrinkToFit(block, height, width, least);
  if (factor >= 1) return;
  const px = smallestText(block) * factor;
  if (px < floor.px || factor < (block.tagName === 'PRE' ? floor.codeScale : floor.scale)) {
    below.set(block, { block: describe(block), scale: Math.round(factor * 100) / 100, px: Math.round(px * 10) / 10 });
  } else below.delete(block);
}
