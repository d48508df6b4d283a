/**
 * Math as people write it: `$…$` and `$$…$$` (remark-math), `\(…\)` and `\[…\]`
 * (LaTeX's own delimiters, rewritten to dollars before parsing), with two
 * checks at parse time: money is not math (`costs $5 and $10 a month`), and a
 * formula neither KaTeX nor MathJax can typeset is reported at its place and
 * shown as code.
 */
import katex from 'katex';
import type { InlineMath, Math as DisplayMath } from 'mdast-util-math';
import type { Parent, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import type { MathJax } from '../render/mathjax.js';

/**
 * Pandoc's rule, the one people expect: an opening `$` is followed by a
 * non-space, a closing `$` follows a non-space and is not followed by a digit.
 * `$5 and $10` pairs into "5 and " (ends with a space, then a digit follows): text.
 */
export function looksLikeMoney(written: string, followedBy: string): boolean {
  return /^\$\s/.test(written) || /\s\$$/.test(written) || /^\$+$/.test(written) || /^\d/.test(followedBy);
}

/** The inline math that is money goes back to the text it was. */
export function remarkMoneyIsNotMath() {
  return (tree: Root, file: VFile) => {
    const source = file.data.markdown ?? String(file.value ?? '');
    visit(tree, (node) => {
      if (!('children' in node)) return;
      const parent = node as Parent;
      let changed = false;
      parent.children.forEach((child, i) => {
        if (child.type !== 'inlineMath') return;
        const next = parent.children[i + 1];
        // As written (micromark drops one space on each side of the formula, as in code spans).
        const { start, end } = child.position ?? {};
        const written =
          start?.offset !== undefined && end?.offset !== undefined ? source.slice(start.offset, end.offset) : `$${child.value}$`;
        if (!looksLikeMoney(written, next?.type === 'text' ? next.value : '')) return;
        parent.children[i] = { type: 'text', value: written, position: child.position };
        changed = true;
      });
      if (changed) mergeTexts(parent);
    });
  };
}

/** Adjacent text nodes become one, so later plugins see one run of text. */
export function mergeTexts(parent: Parent): void {
  const out: Parent['children'] = [];
  for (const child of parent.children) {
    const last = out[out.length - 1];
    if (last?.type === 'text' && child.type === 'text') {
      last.value += child.value;
      if (last.position && child.position) last.position = { start: last.position.start, end: child.position.end };
    } else out.push(child);
  }
  parent.children = out;
}

declare module 'vfile' {
  interface DataMap {
    /** The markdown as parsed (after `latexDelimitersToDollars`): node offsets point into it. */
    markdown: string;
    /** A formula KaTeX rejects was parsed without MathJax: a parse with it may typeset it. */
    mathJaxWanted: boolean;
  }
}

/**
 * Formulas KaTeX rejects go to MathJax (`mathjax`, when loaded: src/render/mathjax.ts), as
 * Obsidian renders them. One MathJax rejects too (or any KaTeX rejects, without MathJax): a
 * warning at the formula, and the node is shown as code; `file.data.mathJaxWanted` says MathJax
 * could have been asked.
 */
export function remarkCheckMath(options: { mathjax?: MathJax | null } = {}) {
  const mathjax = options.mathjax ?? null;
  return (tree: Root, file: VFile) => {
    visit(tree, (node) => {
      if (node.type !== 'inlineMath' && node.type !== 'math') return;
      const math = node as InlineMath | DisplayMath;
      const display = math.type === 'math';
      const error = katexError(math.value, display);
      if (!error) return;
      const fallback = mathjax?.typeset(math.value, display);
      if (fallback && 'html' in fallback) return; // typeset by MathJax (src/render/math.ts)
      if (!mathjax) file.data.mathJaxWanted = true;
      math.data = { ...math.data, mathError: true };
      file.message(`LaTeX error, shown as code: ${fallback?.error ?? error}`, {
        place: math.position,
        ruleId: 'math',
        source: 'studyguide',
      });
    });
  };
}

export function katexError(tex: string, displayMode: boolean): string | null {
  try {
    katex.renderToString(tex, { displayMode, throwOnError: true, strict: 'ignore', trust: false });
    return null;
  } catch (error) {
    // KaTeX underlines the culprit with combining low lines (U+0332): unreadable in a terminal.
    return (error as Error).message
      .replace(/^KaTeX parse error: /, '')
      .replace(/\u0332/g, '')
      .split('\n')[0]!;
  }
}

/**
 * `\[`, `\]` whose backslash is not the second of a `\\` (a TeX line break: `\\[2pt]`, `\\[-1.ex]`):
 * an even run of backslashes, then the delimiter.
 */
const BRACKET = /(?<!\\)((?:\\\\)*)\\[[\]]/g;
/** `\(…\)` on one line, neither a `\\(` (same rule). */
const PARENTHESES = /(?<!\\)((?:\\\\)*)\\\(([^\n]*?)(?<!\\)((?:\\\\)*)\\\)/g;

/**
 * `\(x\)` → `$x$` and `\[ … \]` → `$$ … $$` outside code, before parsing
 * (markdown reads `\(` as an escaped parenthesis). Lines are kept, so
 * messages keep their line numbers; `\[`/`\]` keep their length too.
 */
export function latexDelimitersToDollars(text: string): string {
  if (!text.includes('\\(') && !text.includes('\\[')) return text;
  let fence: string | null = null;
  return text
    .split('\n')
    .map((line) => {
      const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (fence) {
        if (opener && opener[1]![0] === fence[0] && opener[1]!.length >= fence.length && line.trim() === opener[1]) fence = null;
        return line;
      }
      if (opener) {
        fence = opener[1]!;
        return line;
      }
      if (/^( {4}|\t)/.test(line)) return line;
      // Outside inline code spans only.
      return line
        .split(/(`+[^`]*`+)/)
        .map((part, i) =>
          i % 2 === 1
            ? part
            : part
                .replace(BRACKET, (_, pairs: string) => `${pairs}$$`)
                .replace(PARENTHESES, (_, pairs: string, tex: string, closing: string) => `${pairs}$${tex}${closing}$`),
        )
        .join('');
    })
    .join('\n');
}
