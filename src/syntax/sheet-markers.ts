/**
 * Cheat-sheet markers: `#cheatsheet/core` and `#cheatsheet/skip`.
 *   ## Heading #cheatsheet/core     the whole section (the heading's topic and its subtopics)
 *   A paragraph. #cheatsheet/skip   that block: a paragraph, a list item, a callout
 *   #cheatsheet/core                alone on the line after a block: that block (as block ids)
 * The marker is an instruction, not content: it is taken out of the text (no chip, no
 * tag of the topic) and kept as `data.sheet` on the heading or block it marks.
 */
import type { Heading, Parent, PhrasingContent, Root, RootContent } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import type { SheetMark, Tag } from '../types.js';

const MARKER = /^cheatsheet\/(core|skip)$/i;
/** The same written at the end of a heading (tags are not read in headings). */
const HEADING_MARKER = /\s+#cheatsheet\/(core|skip)\s*$/i;

export function sheetMark(tagName: string): SheetMark | null {
  const m = MARKER.exec(tagName);
  return m ? (m[1]!.toLowerCase() as SheetMark) : null;
}

export function remarkSheetMarkers() {
  return (tree: Root, file?: VFile) => {
    // Most notes have no marker: they pay one search of their text.
    if (file && !/#cheatsheet\//i.test(String(file.value))) return;
    for (const node of tree.children) if (node.type === 'heading') markHeading(node);
    // Each marker with its ancestors, outermost (the root) first.
    const found: { tag: Tag; chain: Parent[] }[] = [];
    const chain: Parent[] = [];
    const walk = (node: Parent) => {
      chain.push(node);
      for (const child of node.children as RootContent[]) {
        if (child.type === 'tag' && sheetMark(child.name)) found.push({ tag: child, chain: chain.slice() });
        else if ('children' in child) walk(child);
      }
      chain.pop();
    };
    walk(tree);
    if (found.length === 0) return;
    const emptied = new Set<Parent>();
    for (const { tag, chain } of found) {
      const parent = chain[chain.length - 1]!;
      const mark = sheetMark(tag.name)!;
      removeTag(parent, tag);
      if (parent.type === 'paragraph' && isBlank(parent)) emptied.add(parent);
      // The nearest list item or callout; else the block at the note's top level.
      const unit = [...chain].reverse().find((n) => n.type === 'listItem' || n.type === 'callout') ?? chain[1];
      if (unit && !emptied.has(unit)) setMark(unit, mark);
      else if (unit) {
        // A marker alone on its line, after a block: it marks that block.
        const at = tree.children.indexOf(unit as RootContent);
        const before = at > 0 ? tree.children[at - 1] : undefined;
        if (before && before.type !== 'heading') setMark(before as Parent, mark);
      }
    }
    if (emptied.size > 0) {
      visit(tree, (node) => {
        if ('children' in node) (node as Parent).children = (node as Parent).children.filter((c) => !emptied.has(c as Parent));
      });
    }
  };
}

/** `core` wins over `skip` when a block carries both. */
function setMark(node: Parent, mark: SheetMark): void {
  if (node.data?.sheet === 'core') return;
  node.data = { ...node.data, sheet: mark };
}

function markHeading(heading: Heading): void {
  const last = heading.children[heading.children.length - 1];
  if (last?.type !== 'text') return;
  const m = HEADING_MARKER.exec(last.value);
  if (!m) return;
  last.value = last.value.slice(0, m.index);
  if (last.value === '') heading.children.pop();
  setMark(heading, m[1]!.toLowerCase() as SheetMark);
}

/** Take the tag out, with the space that set it apart from the text before it. */
function removeTag(parent: Parent, tag: Tag): void {
  const children = parent.children as PhrasingContent[];
  const i = children.indexOf(tag);
  if (i < 0) return;
  children.splice(i, 1);
  const before = children[i - 1];
  const after = children[i];
  if (before?.type === 'text' && (!after || after.type === 'break' || (after.type === 'text' && /^\s/.test(after.value)))) {
    before.value = before.value.replace(/[ \t]+$/, '');
    if (before.value === '') children.splice(i - 1, 1);
  }
  const last = children[children.length - 1];
  if (last?.type === 'text') last.value = last.value.replace(/\s+$/, '');
  if (last?.type === 'text' && last.value === '') children.pop();
}

const isBlank = (node: Parent) => (node.children as PhrasingContent[]).every((c) => c.type === 'text' && c.value.trim() === '');
