/**
 * `<details><summary>Answer</summary> … </details>`: the usual way exam-prep
 * notes hide answers. In markdown it arrives as raw HTML pieces around
 * markdown blocks; this plugin makes it one `details` node with a summary and
 * a body of markdown, so every output can show it (printed open, on slides
 * the body on the next key press, in study outputs a question and its answer).
 *
 *   <details><summary>Answer</summary>        <details><summary>Q</summary>A in *one* line</details>
 *
 *   The answer, in **markdown**.
 *
 *   </details>
 */
import type { BlockContent, Html, Parent, PhrasingContent, Root, RootContent } from 'mdast';
import type { Point } from 'unist';
import { visit } from 'unist-util-visit';
import type { Processor } from 'unified';
import type { VFile } from 'vfile';
import type { Details } from '../types.js';

const OPEN = /^\s*<details(?:\s[^>]*)?>/i;
const SUMMARY = /^\s*<summary(?:\s[^>]*)?>([\s\S]*?)<\/summary>/i;

type Parse = (text: string) => Root;

export function remarkDetails(this: Processor) {
  const self = this as unknown as { parse(text: string): Root };
  return (tree: Root, file: VFile) => {
    const parse: Parse = (text) => self.parse(text);
    const parents: Parent[] = [];
    visit(tree, (node) => {
      if ('children' in node && node.children.some((c) => c.type === 'html' && OPEN.test(c.value))) parents.push(node as Parent);
    });
    for (const parent of parents) gatherDetails(parent, parse, file);
  };
}

/** Replace each `<details>` … `</details>` run among `parent`'s children by one details node. */
function gatherDetails(parent: Parent, parse: Parse, file: VFile): void {
  const children = parent.children as RootContent[];
  for (let i = 0; i < children.length; i++) {
    const node = children[i]!;
    if (node.type !== 'html' || !OPEN.test(node.value)) continue;
    const made = makeDetails(children, i, parse, file);
    children.splice(i, made.consumed, ...(made.nodes as RootContent[]));
  }
}

function makeDetails(children: RootContent[], start: number, parse: Parse, file: VFile): { nodes: RootContent[]; consumed: number } {
  const open = children[start] as Html;
  let rest = open.value.replace(OPEN, '');
  const summaryMatch = SUMMARY.exec(rest);
  const summary: PhrasingContent[] = summaryMatch ? inline(summaryMatch[1]!, parse) : [];
  if (summaryMatch) rest = rest.slice(summaryMatch[0].length);
  /** Where `text`, the tail of `node`'s HTML, starts in the note. */
  const startOf = (node: Html, text: string): Start => {
    const before = node.value.slice(0, node.value.length - text.length);
    return { line: (node.position?.start.line ?? 1) + countLines(before), offset: (node.position?.start.offset ?? 0) + before.length };
  };

  const body: RootContent[] = [];
  const after: RootContent[] = [];
  let consumed = 1;
  // Where the details ends in the note: its closing tag's node (or the last node it takes).
  let last: RootContent = open;
  const close = closingIndex(rest, 1);
  if (close >= 0) {
    // All in one piece of HTML: `<details><summary>Q</summary>A</details>`.
    body.push(...blocks(rest.slice(0, close), parse, startOf(open, rest)));
    const trailing = rest.slice(close).replace(/^<\/details\s*>/i, '');
    if (trailing.trim()) after.push({ type: 'html', value: trailing, position: open.position });
  } else {
    body.push(...blocks(rest, parse, startOf(open, rest)));
    let depth = 1 + openings(rest);
    let closed = false;
    for (let j = start + 1; j < children.length; j++) {
      const node = children[j]!;
      // A heading is a new topic: an unclosed details ends before it (the topic tree needs its headings).
      if (node.type === 'heading') break;
      consumed++;
      last = node;
      if (node.type !== 'html') {
        body.push(node);
        continue;
      }
      const end = closingIndex(node.value, depth);
      if (end < 0) {
        depth += openings(node.value) - closings(node.value);
        body.push(node);
        continue;
      }
      body.push(...blocks(node.value.slice(0, end), parse, startOf(node, node.value)));
      const trailing = node.value.slice(end).replace(/^<\/details\s*>/i, '');
      if (trailing.trim()) after.push({ type: 'html', value: trailing, position: node.position });
      closed = true;
      break;
    }
    if (!closed) file.message('`<details>` is not closed: it ends here', { place: open.position, ruleId: 'details', source: 'studyguide' });
  }
  const details: Details = {
    type: 'details',
    children: [
      { type: 'detailsSummary', children: summary.length ? summary : [{ type: 'text', value: 'Details' }] },
      ...(body as BlockContent[]),
    ],
    // From its opening tag to its closing one: what it holds is inside it (the self-test, the sheet's units).
    position: open.position && last.position ? { start: open.position.start, end: last.position.end } : open.position,
  };
  // Details inside this one.
  gatherDetails(details, parse, file);
  return { nodes: [details, ...after], consumed };
}

/** Index of the `</details>` that closes a details `depth` levels up, or -1. */
function closingIndex(html: string, depth: number): number {
  const tags = /<(\/?)details\b[^>]*>/gi;
  let level = depth;
  for (let m = tags.exec(html); m; m = tags.exec(html)) {
    level += m[1] ? -1 : 1;
    if (level === 0) return m.index;
  }
  return -1;
}
const openings = (html: string) => (html.match(/<details\b/gi) ?? []).length;
const closings = (html: string) => (html.match(/<\/details\s*>/gi) ?? []).length;
const countLines = (text: string) => (text.match(/\n/g) ?? []).length;

type Start = { line: number; offset: number };

/** Markdown inside a piece of HTML, parsed; positions moved to where the text is in the note. */
function blocks(text: string, parse: Parse, start: Start): RootContent[] {
  if (!text.trim()) return [];
  const root = parse(text);
  const move = (point: Point): Point => ({
    line: point.line + start.line - 1,
    column: point.column,
    offset: (point.offset ?? 0) + start.offset,
  });
  visit(root, (node) => {
    if (node.position) node.position = { start: move(node.position.start), end: move(node.position.end) };
  });
  return root.children;
}

function inline(text: string, parse: Parse): PhrasingContent[] {
  const first = parse(text.trim()).children[0];
  return first?.type === 'paragraph' ? first.children : text.trim() ? [{ type: 'text', value: text.trim() }] : [];
}
