/**
 * Obsidian callouts and GitHub alerts: a blockquote whose first line is
 * `[!type]`, optionally `+`/`-` (foldable, open/closed) and a title:
 *
 *   > [!def]+ Best-case running time        > [!WARNING]
 *   > The least time over all inputs…       > Do not …
 *
 * Any case, with or without a space after `>`, nested at any depth, any type
 * name (a type of no known family is styled as a note but keeps its name).
 */
import type { Blockquote, BlockContent, Paragraph, Parent, PhrasingContent, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { Callout, CalloutTitle } from '../types.js';

/** Obsidian's types and aliases, by family (the family gives the style and icon). */
const FAMILIES: Record<string, string[]> = {
  note: ['note', 'seealso'],
  abstract: ['abstract', 'summary', 'tldr'],
  info: ['info'],
  todo: ['todo'],
  tip: ['tip', 'hint'],
  important: ['important'],
  success: ['success', 'check', 'done'],
  question: ['question', 'help', 'faq'],
  warning: ['warning', 'attention'],
  caution: ['caution'],
  failure: ['failure', 'fail', 'missing'],
  danger: ['danger', 'error'],
  bug: ['bug'],
  example: ['example', 'exercise'],
  quote: ['quote', 'cite'],
  // Course vaults define their own; these are the usual ones.
  definition: ['def', 'definition', 'defn'],
  theorem: ['thm', 'theorem', 'lemma', 'proposition', 'prop', 'corollary', 'claim'],
  proof: ['proof', 'pf'],
};
const FAMILY_OF = new Map(Object.entries(FAMILIES).flatMap(([family, types]) => types.map((t) => [t, family] as const)));

/** Titles for types written without one; others are capitalised as written. */
const DEFAULT_TITLES: Record<string, string> = {
  def: 'Definition',
  defn: 'Definition',
  thm: 'Theorem',
  tldr: 'TL;DR',
  faq: 'FAQ',
  pf: 'Proof',
  prop: 'Proposition',
};

export function calloutFamily(type: string): string {
  return FAMILY_OF.get(type) ?? 'note';
}

const MARKER = /^\[!([^\]\s]+)\]([+-]?)[ \t]*/;

export function remarkCallouts() {
  return (tree: Root) => {
    const quotes: [Blockquote, Parent][] = [];
    visit(tree, 'blockquote', (node: Blockquote, _index, parent) => {
      if (parent) quotes.push([node, parent]);
    });
    // Innermost first: a nested callout is made before the one around it takes its blocks.
    for (const [quote, parent] of quotes.reverse()) {
      const callout = toCallout(quote);
      if (callout) parent.children.splice(parent.children.indexOf(quote as never), 1, callout as never);
    }
  };
}

function toCallout(quote: Blockquote): Callout | null {
  const first = quote.children[0];
  if (first?.type !== 'paragraph') return null;
  const lead = first.children[0];
  if (lead?.type !== 'text') return null;
  const marker = MARKER.exec(lead.value);
  if (!marker) return null;
  const calloutType = marker[1]!.toLowerCase();
  const fold = marker[2] as Callout['fold'];
  // The title is the rest of the first line; what follows the line break is the body's first paragraph.
  const rest: PhrasingContent[] = [{ ...lead, value: lead.value.slice(marker[0].length) }, ...first.children.slice(1)];
  const [titleNodes, bodyNodes] = splitAtFirstLine(rest);
  const title: CalloutTitle = {
    type: 'calloutTitle',
    children: hasText(titleNodes) ? trimEnd(titleNodes) : [{ type: 'text', value: defaultTitle(calloutType) }],
    position: first.position,
  };
  const body: BlockContent[] = [];
  if (hasText(bodyNodes)) body.push({ type: 'paragraph', children: bodyNodes, position: first.position } satisfies Paragraph);
  body.push(...(quote.children.slice(1) as BlockContent[]));
  return {
    type: 'callout',
    calloutType,
    family: calloutFamily(calloutType),
    fold,
    children: [title, ...body],
    position: quote.position,
    data: quote.data,
  };
}

function defaultTitle(type: string): string {
  return DEFAULT_TITLES[type] ?? type.charAt(0).toUpperCase() + type.slice(1);
}

/** Inline nodes before and after the first line break (a newline in a text node, or a hard break). */
function splitAtFirstLine(nodes: PhrasingContent[]): [PhrasingContent[], PhrasingContent[]] {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.type === 'break') return [nodes.slice(0, i), nodes.slice(i + 1)];
    if (node.type === 'text' && node.value.includes('\n')) {
      const cut = node.value.indexOf('\n');
      const before = node.value.slice(0, cut);
      const after = node.value.slice(cut + 1);
      return [
        [...nodes.slice(0, i), ...(before ? [{ ...node, value: before }] : [])],
        [...(after ? [{ ...node, value: after }] : []), ...nodes.slice(i + 1)],
      ];
    }
  }
  return [nodes, []];
}

function hasText(nodes: PhrasingContent[]): boolean {
  return nodes.some((n) => n.type !== 'text' || n.value.trim() !== '');
}

function trimEnd(nodes: PhrasingContent[]): PhrasingContent[] {
  const last = nodes[nodes.length - 1];
  if (last?.type !== 'text') return nodes;
  return [...nodes.slice(0, -1), { ...last, value: last.value.replace(/\s+$/, '') }];
}
