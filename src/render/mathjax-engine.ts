/**
 * MathJax 3 in Node (liteAdaptor, TeX in, SVG out: no fonts to ship), for the formulas KaTeX
 * rejects. Obsidian renders math with MathJax 3, so this reads what the notes were written for.
 * Imported only through src/render/mathjax.ts, when a formula needs it: it is a chunk of its own.
 */
import { liteAdaptor } from 'mathjax-full/js/adaptors/liteAdaptor.js';
import { STATE } from 'mathjax-full/js/core/MathItem.js';
import type { MmlNode } from 'mathjax-full/js/core/MmlTree/MmlNode.js';
import { SerializedMmlVisitor } from 'mathjax-full/js/core/MmlTree/SerializedMmlVisitor.js';
import { RegisterHTMLHandler } from 'mathjax-full/js/handlers/html.js';
import { AllPackages } from 'mathjax-full/js/input/tex/AllPackages.js';
import { TeX } from 'mathjax-full/js/input/tex.js';
import { mathjax } from 'mathjax-full/js/mathjax.js';
import { SVG } from 'mathjax-full/js/output/svg.js';
import type { LiteElement } from 'mathjax-full/js/adaptors/lite/Element.js';

/** What MathJax made of a formula: HTML to put where KaTeX's would go, or its error message. */
export type Typeset = { html: string } | { error: string };

/**
 * Left out: `noundefined` and `noerrors` (they typeset an unknown macro or a syntax error in red
 * instead of rejecting it: such a formula must stay code, with its warning), and `html` (`\href`,
 * `\style`, `\class`: markup from the notes, inserted after sanitizing).
 */
const PACKAGES = AllPackages.filter((name) => !['noundefined', 'noerrors', 'html'].includes(name));

/** Formulas kept at most. */
const MAX_CACHED = 5000;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function createMathJax(): { typeset(tex: string, display: boolean): Typeset } {
  const adaptor = liteAdaptor();
  RegisterHTMLHandler(adaptor);
  const input = new TeX({
    packages: PACKAGES,
    formatError: (_jax: unknown, error: Error) => {
      throw error;
    },
  });
  // No font cache: each formula's glyphs are its own paths, with no ids shared across formulas (ids
  // numbered per conversion would differ from one build to the next, and clash on a page).
  const output = new SVG({ fontCache: 'none' });
  const document = mathjax.document('', { InputJax: input, OutputJax: output });
  const serialize = new SerializedMmlVisitor();
  const cache = new Map<string, Typeset>();

  /** KaTeX's markup around MathJax's SVG (`.katex`, `.katex-display`, hidden MathML with the TeX), so the layout treats it as any formula. */
  function convert(tex: string, display: boolean): string {
    const options = { display, em: 16, ex: 8, containerWidth: 80 * 16 };
    // Each conversion on its own: labels and equation numbers are not carried from one to the next.
    input.reset();
    const mathml = serialize.visitTree(document.convert(tex, { ...options, end: STATE.CONVERT }) as MmlNode);
    input.reset();
    const container = document.convert(tex, options) as LiteElement;
    const svg = adaptor.firstChild(container) as LiteElement;
    // KaTeX's stylesheet sets `.katex svg` (its stretchy delimiters) absolute and 100% wide: the
    // SVG's own size goes in its style attribute, which wins.
    for (const name of ['width', 'height']) {
      const value = adaptor.getAttribute(svg, name);
      if (value) adaptor.setStyle(svg, name, value);
    }
    adaptor.setStyle(svg, 'display', 'inline-block');
    adaptor.setStyle(svg, 'position', 'static');
    adaptor.setAttribute(svg, 'aria-hidden', 'true');
    const annotated = mathml.replace(
      /^(<math[^>]*>)([\s\S]*)(<\/math>)$/,
      (_, open: string, inner: string, close: string) =>
        `${open}<semantics><mrow>${inner}</mrow><annotation encoding="application/x-tex">${escapeHtml(tex)}</annotation></semantics>${close}`,
    );
    const html = `<span class="katex sg-mathjax"><span class="katex-mathml">${annotated}</span>${adaptor.outerHTML(svg)}</span>`;
    return display ? `<span class="katex-display">${html}</span>` : html;
  }

  return {
    typeset(tex, display) {
      const key = `${display ? 'D' : 'I'}${tex}`;
      let result = cache.get(key);
      if (result) return result;
      try {
        result = { html: convert(tex, display) };
      } catch (error) {
        const message = (error as Error).message;
        // `&` at the top of a display formula: Obsidian aligns it, as `aligned` does.
        result =
          display && /Misplaced &/.test(message)
            ? { html: convert(`\\begin{aligned}${tex}\\end{aligned}`, true) }
            : { error: message.split('\n')[0]! };
      }
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(key, result);
      return result;
    },
  };
}
