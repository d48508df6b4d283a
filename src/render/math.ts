/**
 * KaTeX, at build time: the `.sg-math` elements the handlers made (their text
 * is the TeX) get KaTeX's HTML, or MathJax's for a formula KaTeX rejects (the
 * parser loaded MathJax for it: src/syntax/math.ts). It runs after sanitizing:
 * the markup is ours. Formulas both reject never get here (the parser turned
 * them into code).
 */
import type { Element, Root as HastRoot } from 'hast';
import katex from 'katex';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { loadedMathJax } from './mathjax.js';

/** Formulas kept at most (a few KB each). */
const MAX_CACHED = 5000;

export function rehypeMath(options: { cache: Map<string, string> }) {
  return (tree: HastRoot, file: VFile) => {
    if (file.data.render?.has.math === false) return; // no formula to typeset
    visit(tree, 'element', (node: Element) => {
      const classes = node.properties.className;
      if (!Array.isArray(classes) || !classes.includes('sg-math')) return;
      const tex = node.children.map((c) => (c.type === 'text' ? c.value : '')).join('');
      const display = classes.includes('sg-math-display');
      const key = `${display ? 'D' : 'I'}${tex}`;
      let html = options.cache.get(key);
      if (html === undefined) {
        html = typeset(tex, display);
        // A builder keeps the cache for a whole watch session: formulas edited away are not kept forever.
        if (options.cache.size >= MAX_CACHED) options.cache.clear();
        options.cache.set(key, html);
      }
      node.children = [{ type: 'raw', value: html } as never];
    });
  };
}

/** KaTeX's HTML (with the wrappable copy of a display formula), else MathJax's when KaTeX rejects the formula. */
function typeset(tex: string, display: boolean): string {
  const katexHtml = (throwOnError: boolean) =>
    katex.renderToString(tex, { displayMode: display, throwOnError, strict: 'ignore', trust: false, output: 'htmlAndMathml' });
  try {
    return katexHtml(true) + (display ? wrappable(tex) : '');
  } catch {
    const mathjax = loadedMathJax()?.typeset(tex, display);
    // Not loaded (the formula came from elsewhere than the parser), or rejected: KaTeX shows its error.
    return mathjax && 'html' in mathjax ? mathjax.html : katexHtml(false);
  }
}

/**
 * A display formula cannot break across lines; the same formula set inline in
 * display style can, after its top-level `=` and `+`. Both go out: the layout
 * (cheatsheet.js, slides-fit.js) shows this one when the display is wider than
 * its column or slide, so a long sum wraps legibly instead of shrinking to dust.
 * None when the formula needs display mode (`\tag`, …).
 */
function wrappable(tex: string): string {
  try {
    const inline = katex.renderToString(`\\displaystyle ${tex}`, {
      displayMode: false,
      throwOnError: true,
      strict: 'ignore',
      trust: false,
      output: 'htmlAndMathml',
    });
    return `<span class="sg-math-wrap">${inline}</span>`;
  } catch {
    return '';
  }
}

/** Whether rendered HTML uses KaTeX (its stylesheet and fonts are then needed). */
export const usesMath = (html: string) => html.includes('class="katex');

/**
 * Typeset math back to its TeX in Anki's delimiters, `\(…\)` and `\[…\]`: Anki typesets those
 * itself (MathJax), and has no KaTeX stylesheet for our HTML. Our `.sg-math` element (a span, a
 * div for display math) holds no other element of its own name, so it ends where those balance.
 */
export function mathForAnki(html: string): string {
  const opening = /<(span|div) class="sg-math(?: sg-math-display)?"/g;
  let out = '';
  let from = 0;
  for (let open = opening.exec(html); open; open = opening.exec(html)) {
    const name = open[1]!;
    const tags = new RegExp(`<${name}\\b|</${name}>`, 'g');
    tags.lastIndex = open.index;
    let depth = 0;
    let end = -1;
    for (let tag = tags.exec(html); tag && end < 0; tag = tags.exec(html)) {
      depth += tag[0].startsWith('</') ? -1 : 1;
      if (depth === 0) end = tag.index + tag[0].length;
    }
    if (end < 0) break; // unbalanced: the rest stays as it is
    const element = html.slice(open.index, end);
    const tex = /<annotation encoding="application\/x-tex">([\s\S]*?)<\/annotation>/.exec(element)?.[1];
    const display = open[0].includes('sg-math-display');
    out += html.slice(from, open.index) + (tex === undefined ? element : display ? `\\[${tex}\\]` : `\\(${tex}\\)`);
    from = end;
    opening.lastIndex = end;
  }
  return out + html.slice(from);
}
