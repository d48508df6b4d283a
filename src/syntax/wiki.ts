/**
 * Obsidian wiki links and embeds, by Obsidian's rules:
 *   [[Page]]  [[Page|alias]]  [[Page#Heading]]  [[Page#^blockid]]  [[#Heading]]
 *   ![[image.png]]  ![[image.png|300]]  ![[image.png|300x200]]   → an image (found as Obsidian does: src/images.ts)
 *   ![[Note#Heading]]  ![[Note#^blockid]]  ![[Note]]              → the section, block or note, copied in (src/links.ts)
 * Links and embeds are only marked here; which topic they reach is decided
 * once the whole guide is known (src/links.ts).
 */
import type { Image, Parent, PhrasingContent, Root, Text } from 'mdast';
import { SKIP, visit } from 'unist-util-visit';
import type { WikiEmbed, WikiLink, WikiTarget } from '../types.js';
import { replaceAt } from './nodes.js';

const WIKI = /(!?)\[\[([^[\]\n]+?)\]\]/g;
const IMAGE_FILE = /\.(png|jpe?g|gif|webp|avif|svg|bmp)$/i;

export function parseTarget(raw: string): WikiTarget {
  const hash = raw.indexOf('#');
  const page = (hash < 0 ? raw : raw.slice(0, hash)).trim().replace(/\.md$/i, '');
  if (hash < 0) return { page };
  // `Page#H1#H2`: the last heading is the one meant.
  const sub = raw
    .slice(hash + 1)
    .split('#')
    .map((s) => s.trim())
    .filter(Boolean);
  const last = sub[sub.length - 1] ?? '';
  return last.startsWith('^') ? { page, blockId: last.slice(1) } : { page, heading: last || undefined };
}

/** The text Obsidian shows for a link without an alias: `Page`, `Page › Heading`, `Heading`. */
export function displayText(target: WikiTarget): string {
  const sub = target.heading ?? (target.blockId ? `^${target.blockId}` : undefined);
  if (!sub) return target.page;
  return target.page ? `${target.page} › ${sub}` : sub;
}

export function remarkWikiLinks() {
  return (tree: Root) => {
    const parents = new Map<Parent, Parent>();
    visit(tree, (node, _index, parent) => {
      if (parent && 'children' in node) parents.set(node as Parent, parent);
    });
    visit(tree, 'text', (node: Text, index, parent) => {
      if (!parent || index === undefined || !node.value.includes('[[')) return;
      if (parent.type === 'link' || parent.type === 'linkReference') return;
      const pieces: PhrasingContent[] = [];
      let last = 0;
      for (const m of node.value.matchAll(WIKI)) {
        if (m.index > last) pieces.push({ type: 'text', value: node.value.slice(last, m.index) });
        pieces.push(m[1] ? embedOrImage(m[2]!, m[0]) : link(m[2]!));
        last = m.index + m[0].length;
      }
      if (pieces.length === 0) return;
      if (last < node.value.length) pieces.push({ type: 'text', value: node.value.slice(last) });
      for (const piece of pieces) piece.position = node.position;
      replaceAt(parent.children as PhrasingContent[], index, pieces);
      return [SKIP, index + pieces.length];
    });
    // An embed of a note or section alone in its paragraph becomes a block of its own;
    // inside a sentence (or a heading, a table cell) it cannot be a block: it is a link.
    // Counted once per parent, not per embed (quadratic on a line of embeds): turning
    // an embed into a link keeps the count.
    const meaningful = new Map<Parent, number>();
    visit(tree, (node, index, parent) => {
      if (node.type !== 'wikiEmbed' || !parent || index === undefined) return;
      let count = meaningful.get(parent);
      if (count === undefined)
        meaningful.set(parent, (count = parent.children.filter((c) => !(c.type === 'text' && c.value.trim() === '')).length));
      const grand = parents.get(parent);
      if (parent.type === 'paragraph' && count === 1 && grand) {
        node.position = parent.position;
        grand.children.splice(grand.children.indexOf(parent as never), 1, node as never);
        return;
      }
      parent.children.splice(index, 1, {
        type: 'wikiLink',
        target: node.target,
        children: [{ type: 'text', value: displayText(node.target) }],
      } as never);
    });
  };
}

function link(inner: string): WikiLink {
  const bar = inner.indexOf('|');
  const target = parseTarget(bar < 0 ? inner : inner.slice(0, bar));
  const alias = bar < 0 ? '' : inner.slice(bar + 1).trim();
  return { type: 'wikiLink', target, children: [{ type: 'text', value: alias || displayText(target) }] };
}

/**
 * `![[file.png|300]]` is an image (size in pixels, `WxH` for both); `![[Note#…]]`
 * an embed. Inside a sentence an embed cannot be a block: it stays in the
 * paragraph (and is shown as a link to what it names).
 */
function embedOrImage(inner: string, raw: string): PhrasingContent {
  const [rawTarget = '', ...options] = inner.split('|');
  const file = rawTarget.trim();
  if (IMAGE_FILE.test(file)) {
    const size = /^(\d+)(?:x(\d+))?$/.exec(options[0]?.trim() ?? '');
    const alt = size ? options.slice(1).join('|').trim() : options.join('|').trim();
    const image: Image = { type: 'image', url: file, alt: alt || file.replace(/^.*\//, '') };
    if (size) image.data = { hProperties: { width: Number(size[1]), ...(size[2] ? { height: Number(size[2]) } : {}) } };
    return image;
  }
  const embed: WikiEmbed = { type: 'wikiEmbed', target: parseTarget(file), label: raw.slice(3, -2), children: [] };
  return embed as unknown as PhrasingContent;
}
