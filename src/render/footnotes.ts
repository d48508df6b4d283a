/**
 * Footnotes per topic. A topic (or a flashcard's back) shows the footnotes it
 * cites, after its content, numbered in order of first citation; the note's
 * definitions come from `Note.footnotes`. Ids are ours and carry the scope
 * (the topic's slug), so two topics' footnote 1 never share an id in one
 * document, and are set after sanitizing, so they are prefixed exactly once:
 * `vpc-peering:fn-1`, `vpc-peering:fnref-1`. Slugs never contain `:`, so no
 * footnote id can equal a topic's anchor.
 */
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import type { FootnoteDefinition, FootnoteReference, Root } from 'mdast';
import { SKIP, visit } from 'unist-util-visit';

/** Where a rendering's footnotes come from and what keeps their ids unique. */
export interface FootnoteScope {
  /** Id prefix, unique in any output: a topic's slug, `card:3` for a flashcard. */
  id: string;
  /** The note's definitions (`Note.footnotes`). */
  definitions: FootnoteDefinition[];
}

/** Class of a reference before it is linked (it survives sanitizing, as classes do). */
const MARK = 'sg-fnref';

const element = (tagName: string, properties: Element['properties'], children: ElementContent[]): Element => ({
  type: 'element',
  tagName,
  properties,
  children,
});

export const footnoteId = (scope: string, n: number) => `${scope}:fn-${n}`;
export const referenceId = (scope: string, n: number, k: number) => `${scope}:fnref-${n}${k > 1 ? `-${k}` : ''}`;

/**
 * Number footnote references by first citation and make each a plain marker,
 * `<sup class="sg-fnref">1</sup>` (linked after sanitizing by `linkFootnotes`).
 * `mark` takes the references in reading order and returns the marker, or null
 * for a reference to drop: one with no definition in `definitions` (a title or
 * a glossary line has nowhere to show its note), or one copied from another
 * note (`data.noteAbsPath`, an embed): its `[^1]` is not this note's `[^1]`.
 * `cited` holds the cited definitions in citation order.
 */
export function footnoteCiter(definitions: FootnoteDefinition[], noteAbsPath?: string) {
  const byId = new Map<string, FootnoteDefinition>();
  for (const definition of definitions) if (!byId.has(definition.identifier)) byId.set(definition.identifier, definition);
  const cited: FootnoteDefinition[] = [];
  const mark = (node: FootnoteReference): FootnoteReference | null => {
    const elsewhere = node.data?.noteAbsPath !== undefined && node.data.noteAbsPath !== noteAbsPath;
    const definition = elsewhere ? undefined : byId.get(node.identifier);
    if (!definition) return null;
    const n = cited.includes(definition) ? cited.indexOf(definition) + 1 : cited.push(definition);
    // remark-rehype's own link would get its ids prefixed again by sanitizing: a bare marker instead.
    const data = {
      ...node.data,
      hName: 'sup',
      hProperties: { className: [MARK] },
      hChildren: [{ type: 'text' as const, value: String(n) }],
    };
    return { ...node, data };
  };
  return { cited, mark };
}

/** `footnoteCiter` over a whole tree, in place. Returns the cited definitions in citation order. */
export function markFootnoteReferences(root: Root, definitions: FootnoteDefinition[], noteAbsPath?: string): FootnoteDefinition[] {
  const citer = footnoteCiter(definitions, noteAbsPath);
  visit(root, 'footnoteReference', (node: FootnoteReference, index, parent) => {
    if (!parent || index === undefined) return;
    const marker = citer.mark(node);
    if (!marker) {
      parent.children.splice(index, 1);
      return [SKIP, index];
    }
    parent.children[index] = marker;
    return SKIP;
  });
  return citer.cited;
}

/**
 * After sanitizing: link each marker to its note and append the notes (each
 * the sanitized content of a cited definition, in citation order) as one
 * block, with links back to every reference.
 */
export function linkFootnotes(tree: HastRoot, scope: string, notes: ElementContent[][]): void {
  if (notes.length === 0) return;
  const references: string[][] = notes.map(() => []);
  visit(tree, 'element', (node: Element) => {
    const classes = node.properties.className;
    if (node.tagName !== 'sup' || !(Array.isArray(classes) ? classes : String(classes ?? '').split(/\s+/)).includes(MARK)) return;
    const first = node.children[0];
    const n = first?.type === 'text' ? Number(first.value) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > notes.length) return;
    const id = referenceId(scope, n, references[n - 1]!.length + 1);
    references[n - 1]!.push(id);
    node.children = [
      element('a', { href: `#${footnoteId(scope, n)}`, id, role: 'doc-noteref', ariaDescribedBy: [`${scope}:footnotes`] }, [
        { type: 'text', value: String(n) },
      ]),
    ];
    return SKIP;
  });
  const items = notes.map((content, i) => element('li', { id: footnoteId(scope, i + 1) }, withBackLinks(content, references[i]!, i + 1)));
  tree.children.push(
    element('div', { className: ['footnotes'], role: 'doc-endnotes' }, [
      // Named for screen readers only: a visible "Footnotes" heading would take a line of the sheet.
      element('h2', { className: ['sr-only'], id: `${scope}:footnotes` }, [{ type: 'text', value: 'Footnotes' }]),
      element('ol', {}, items),
    ]),
  );
}

/** The note's content with a small ↑ back to each reference, at the end of its last paragraph (as GitHub does). */
function withBackLinks(content: ElementContent[], references: string[], n: number): ElementContent[] {
  const blocks = content.filter((node) => !(node.type === 'text' && node.value.trim() === ''));
  const links = references.flatMap((id, k): ElementContent[] => [
    { type: 'text', value: '\u00a0' }, // the arrow never wraps onto a line of its own
    element(
      'a',
      { href: `#${id}`, className: ['sg-fnback'], role: 'doc-backlink', ariaLabel: `Back to reference ${n}${k > 0 ? `-${k + 1}` : ''}` },
      [{ type: 'text', value: '↑' }],
    ),
  ]);
  const last = blocks[blocks.length - 1];
  if (last?.type === 'element' && last.tagName === 'p') {
    return [...blocks.slice(0, -1), { ...last, children: [...last.children, ...links] }];
  }
  return [...blocks, ...links];
}
