/**
 * Obsidian tags in text, by Obsidian's rules: `#` at the start of a line or
 * after whitespace, then letters, digits, `_`, `-` and `/` (nested tags,
 * `#aws/s3`), not only digits (`#1` is not a tag). Never in code, links or
 * URLs (those are not text nodes here, or not preceded by whitespace), never
 * in headings (`# Title` is markdown; a tag would end up in the title and the
 * slug), never escaped (`\#tag`). A tag becomes a `tag` node, shown as a chip.
 */
import type { Element } from 'hast';
import type { Parent, PhrasingContent, Root, RootContent, Text } from 'mdast';
import { SKIP, visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import type { Tag } from '../types.js';
import { replaceAt } from './nodes.js';

/** `#` after whitespace (or at the start of the text), then the tag's characters. */
const TAG = /(^|\s)#([\p{L}\p{M}\p{N}_\-/]+)/gu;
const ONLY_DIGITS = /^\p{N}+$/u;

/** Inline containers a tag may open (the text before it is then the container's). */
const TRANSPARENT = new Set(['emphasis', 'strong', 'delete', 'mark']);
/** Where text is never a tag: link text (the link wins), headings. */
const OPAQUE = new Set(['link', 'linkReference', 'wikiLink', 'heading']);

/** The tag node for `name` (without `#`): a chip in every output. */
export function tagNode(name: string): Tag {
  const value = `#${name}`;
  return {
    type: 'tag',
    value,
    name,
    data: { hName: 'span', hProperties: { className: ['sg-tag'] }, hChildren: [{ type: 'text', value }] },
  };
}

/** A line of chips, `<p class="sg-tags">`: a note's front-matter tags under its first title. */
export function tagLine(names: string[]): Element {
  const chips = names.map((name): Element => ({
    type: 'element',
    tagName: 'span',
    properties: { className: ['sg-tag'] },
    children: [{ type: 'text', value: `#${name}` }],
  }));
  return {
    type: 'element',
    tagName: 'p',
    properties: { className: ['sg-tags'] },
    children: chips.flatMap((chip, i) => (i ? [{ type: 'text' as const, value: ' ' }, chip] : [chip])),
  };
}

/** Tags of one text, as [start, end, name] of each `#name` in it; `boundary`: the text starts a line or follows whitespace. */
export function findTags(text: string, boundary: boolean): [number, number, string][] {
  const found: [number, number, string][] = [];
  for (const m of text.matchAll(TAG)) {
    const start = m.index + m[1]!.length;
    if (start === 0 && !boundary) continue;
    const name = m[2]!;
    if (ONLY_DIGITS.test(name)) continue;
    found.push([start, start + 1 + name.length, name]);
  }
  return found;
}

/**
 * Whether the text at `index` of `parent` starts after whitespace or at the
 * start of its block: first in the block, after a hard break, or first inside
 * emphasis (etc.) that itself starts there.
 */
function startsClean(parent: Parent, index: number, parents: Map<Parent, { parent: Parent; index: number }>): boolean {
  if (index > 0) {
    const before = parent.children[index - 1]!;
    if (before.type === 'break') return true;
    return before.type === 'text' && /\s$/.test(before.value);
  }
  if (!TRANSPARENT.has(parent.type)) return true;
  const up = parents.get(parent);
  return up ? startsClean(up.parent, up.index, parents) : true;
}

/** `\#` and the tag characters after it: an escaped `#`, text. */
const ESCAPED = /\\#([\p{L}\p{M}\p{N}_\-/]*)/gu;

/**
 * The names written escaped (`\#tag`) on a text node's source lines. The
 * source is read once per note, not once per text node (quadratic on long
 * notes). A tag counts as escaped when a `\#` on those lines is followed by its
 * name, as a substring search of the lines would find it.
 */
function escapedTags(file: VFile | undefined): (node: Text) => string[] {
  let escapes: { line: number; run: string }[] | undefined;
  return (node) => {
    const start = node.position?.start.line;
    const end = node.position?.end.line;
    if (!file || start === undefined || end === undefined) return [];
    if (!escapes) {
      const source = String(file.value);
      escapes = [];
      let line = 1; // numbered by `\n` alone
      let at = 0;
      for (const m of source.matchAll(ESCAPED)) {
        for (; at < m.index; at++) if (source.charCodeAt(at) === 10) line++;
        escapes.push({ line, run: m[1]! });
      }
    }
    let lo = 0; // the first escape at or after `start`
    let hi = escapes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (escapes[mid]!.line < start) lo = mid + 1;
      else hi = mid;
    }
    const runs: string[] = [];
    for (let i = lo; i < escapes.length && escapes[i]!.line <= end; i++) runs.push(escapes[i]!.run);
    return runs;
  };
}

export function remarkTags() {
  return (tree: Root, file?: VFile) => {
    const parents = new Map<Parent, { parent: Parent; index: number }>();
    visit(tree, (node, index, parent) => {
      if (parent && index !== undefined && 'children' in node) parents.set(node as Parent, { parent, index });
    });
    const inside = (node: Parent, types: Set<string>): boolean => {
      for (let at: Parent | undefined = node; at; at = parents.get(at)?.parent) if (types.has(at.type)) return true;
      return false;
    };
    const escapedOn = escapedTags(file);
    visit(tree, 'text', (node: Text, index, parent) => {
      if (!parent || index === undefined || !node.value.includes('#') || inside(parent, OPAQUE)) return;
      const tags = findTags(node.value, startsClean(parent, index, parents));
      const escaped = tags.length ? escapedOn(node) : [];
      const kept = escaped.length ? tags.filter(([, , name]) => !escaped.some((run) => run.startsWith(name))) : tags;
      if (kept.length === 0) return;
      const pieces: PhrasingContent[] = [];
      let last = 0;
      for (const [start, end, name] of kept) {
        if (start > last) pieces.push({ type: 'text', value: node.value.slice(last, start) });
        pieces.push(tagNode(name));
        last = end;
      }
      if (last < node.value.length) pieces.push({ type: 'text', value: node.value.slice(last) });
      for (const piece of pieces) piece.position = node.position;
      replaceAt(parent.children as PhrasingContent[], index, pieces);
      return [SKIP, index + pieces.length];
    });
  };
}

/** The tags of some blocks (without `#`), in order, each once (case-insensitive). */
export function inlineTags(nodes: RootContent[]): string[] {
  const names: string[] = [];
  for (const node of nodes) visit(node, 'tag', (tag: Tag) => void names.push(tag.name));
  return uniqueTags(names);
}

/** Tags each once, compared case-insensitively as Obsidian does; the first spelling wins. */
export function uniqueTags(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether a topic's tags match a wanted tag: equal (case-insensitive, `#`
 * optional), or nested under it (`aws` matches `aws/s3`), as Obsidian's tag search.
 */
export function hasTag(tags: string[], wanted: string): boolean {
  const want = wanted.replace(/^#/, '').toLowerCase();
  return (
    want !== '' &&
    tags.some((tag) => {
      const t = tag.toLowerCase();
      return t === want || t.startsWith(`${want}/`);
    })
  );
}
