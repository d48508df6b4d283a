/**
 * mdast → hast for the node types the project's parser adds (src/types.ts):
 * math, callouts, details, embeds, highlights. The markup is plain elements
 * with classes (sanitizing keeps classes); KaTeX and diagrams are filled in
 * after sanitizing (src/render/math.ts, src/render/mermaid.ts).
 */
import type { Element, ElementContent } from 'hast';
import type { Root, RootContent } from 'mdast';
import type { Code } from 'mdast';
import { defaultHandlers, type Handlers, type State } from 'mdast-util-to-hast';
import type { Callout, Cloze, Details, Mark, WikiEmbed } from '../types.js';

const element = (tagName: string, className: string[], children: ElementContent[]): Element => ({
  type: 'element',
  tagName,
  properties: className.length ? { className } : {},
  children,
});
const text = (value: string): ElementContent => ({ type: 'text', value });
/** The element with the node's place in the note (the cheat sheet finds a block's priority by it). */
const patched = (state: State, node: Callout | Details | WikiEmbed, result: Element): Element => {
  state.patch(node as never, result);
  return result;
};

/** Block children, each on its own line as remark-rehype writes them. */
const blocks = (state: State, children: RootContent[]): ElementContent[] =>
  state.wrap(state.all({ type: 'root', children } as Root) as ElementContent[], true);

/** Code blocks of no language (or plain text) that are drawings: kept unwrapped on slides, as drawn. */
const PLAIN = new Set(['text', 'txt', 'plain', 'ascii', 'art', 'ascii-art', 'asciiart']);

/**
 * ASCII art (a figlet banner, a box drawing): at least three lines, at least half of its
 * characters (spaces aside) neither letters nor digits. Wrapping it would break the drawing.
 */
export function isAsciiArt(node: Code): boolean {
  if (node.lang && !PLAIN.has(node.lang.toLowerCase())) return false;
  const lines = node.value.split('\n').filter((line) => line.trim() !== '');
  const ink = node.value.replace(/\s+/g, '');
  const symbols = ink.replace(/[\p{L}\p{N}]/gu, '');
  return lines.length >= 3 && symbols.length * 2 >= ink.length;
}

export const markdownHandlers: Handlers = {
  code(state, node: Code) {
    const result = defaultHandlers.code(state, node);
    if (result.type === 'element' && isAsciiArt(node)) {
      const classes = (result.properties.className as string[] | undefined) ?? [];
      result.properties.className = [...classes, 'sg-art'];
    }
    // Cut for the slides: the mark goes in the block, after the code, so it stays with its last part.
    const cut = node.data?.cutLines;
    if (cut && result.type === 'element')
      result.children.push(element('span', ['sg-code-cut'], [text(`… ${cut.toLocaleString('en')} more line${cut === 1 ? '' : 's'}`)]));
    return result;
  },
  inlineMath(state, node: { value: string; data?: { mathError?: boolean } }) {
    const result = node.data?.mathError
      ? element('code', ['sg-math-error'], [text(node.value)])
      : element('span', ['sg-math'], [text(node.value)]);
    state.patch(node as never, result);
    return result;
  },
  math(state, node: { value: string; data?: { mathError?: boolean } }) {
    const result = node.data?.mathError
      ? element('pre', ['sg-math-error'], [element('code', [], [text(node.value)])])
      : element('div', ['sg-math', 'sg-math-display'], [text(node.value)]);
    state.patch(node as never, result);
    return result;
  },
  callout(state, node: Callout) {
    const [title, ...body] = node.children;
    const classes = ['callout', `callout-${node.family}`, `callout-type-${node.calloutType.replace(/[^\w-]/g, '')}`];
    if (node.fold) classes.push('callout-foldable');
    if (node.fold === '-') classes.push('callout-folded');
    return patched(
      state,
      node,
      element('div', classes, [
        element(
          'div',
          ['callout-title'],
          [element('span', ['callout-icon'], []), element('span', ['callout-title-text'], state.all(title) as ElementContent[])],
        ),
        ...(body.length ? [element('div', ['callout-body'], blocks(state, body))] : []),
      ]),
    );
  },
  details(state, node: Details) {
    const [summary, ...body] = node.children;
    return patched(
      state,
      node,
      element(
        'div',
        ['sg-details'],
        [element('div', ['sg-summary'], state.all(summary) as ElementContent[]), element('div', ['sg-details-body'], blocks(state, body))],
      ),
    );
  },
  wikiEmbed(state, node: WikiEmbed) {
    if (node.children.length === 0) {
      return patched(state, node, element('p', ['sg-embed-missing'], [text(`${node.label} — ${node.data?.unresolved ?? 'not found'}`)]));
    }
    return patched(
      state,
      node,
      element(
        'div',
        ['sg-embed'],
        [element('div', ['sg-embed-title'], [text(node.data?.source ?? node.label)]), ...blocks(state, node.children)],
      ),
    );
  },
  mark(state, node: Mark) {
    return element('mark', [], state.all(node) as ElementContent[]);
  },
  /** The term, as the notes mean it to be read; the cards ask for it (src/study/cloze.ts). */
  cloze(state, node: Cloze) {
    const span = element('span', ['sg-cloze'], state.all(node) as ElementContent[]);
    state.patch(node, span);
    return span;
  },
};
