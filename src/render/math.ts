/**
 * KaTeX, at build time: the `.sg-math` elements the handlers made (their text
 * is the TeX) get KaTeX's HTML. It runs after sanitizing: the markup is ours.
 * Formulas KaTeX rejects never get here (the parser turned them into code).
 */
import type { Element, Root as HastRoot } from 'hast';
import katex from 'katex';
import { visit } from 'unist-util-visit';

export function rehypeMath(options: { cache: Map<string, string> }) {
  return (tree: HastRoot) => {
    visit(tree, 'element', (node: Element) => {
      const classes = node.properties.className;
      if (!Array.isArray(classes) || !classes.includes('sg-math')) return;
      const tex = node.children.map((c) => (c.type === 'text' ? c.value : '')).join('');
      const display = classes.includes('sg-math-display');
      const key = `${display ? 'D' : 'I'}${tex}`;
      let html = options.cache.get(key);
      if (html === undefined) {
        html = katex.renderToString(tex, { displayMode: display, throwOnError: false, strict: 'ignore', trust: false, output: 'htmlAndMathml' });
        options.cache.set(key, html);
      }
      node.children = [{ type: 'raw', value: html } as never];
    });
  };
}

/** Whether rendered HTML uses KaTeX (its stylesheet and fonts are then needed). */
export const usesMath = (html: string) => html.includes('class="katex');
