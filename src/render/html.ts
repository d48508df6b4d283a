/**
 * mdast → HTML fragments, shared by every output. Code is highlighted here, at
 * build time, so the PDF and the decks need no highlighter in the browser.
 */
import type { ElementContent, Root as HastRoot } from 'hast';
import { toHtml } from 'hast-util-to-html';
import type { Image, PhrasingContent, Root, RootContent } from 'mdast';
import rehypeHighlight from 'rehype-highlight';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize from 'rehype-sanitize';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { VFile } from 'vfile';
import type { ImageMap } from '../images.js';
import { linkFootnotes, markFootnoteReferences, type FootnoteScope } from './footnotes.js';
import { markdownHandlers } from './handlers.js';
import { rehypeMath } from './math.js';
import { rehypeDiagrams, type DiagramMap } from './mermaid.js';
import { imageView, RESOLVED_MARK, rehypeRawImages } from './raw-images.js';
import { SANITIZE_SCHEMA } from '../safety.js';
import { tagLine } from '../syntax/tags.js';
import type { Topic, WikiLink } from '../types.js';

export interface RenderedBlock {
  /** Tag of the block's outer element: p, ul, ol, pre, table, … (layouts treat some specially). */
  kind: string;
  html: string;
}

/** A topic as the templates see it. */
export interface RenderedTopic {
  slug: string;
  title: string;
  titleHtml: string;
  depth: number;
  /** Titles from the top-level topic down to this one. */
  path: string[];
  source: Topic['source'];
  blocks: RenderedBlock[];
  /** Speaker notes, for the slides' notes view only. */
  notes: RenderedBlock[];
  children: RenderedTopic[];
  /** The note's front-matter tags as a line of chips, on the note's first topic only: shown under its title. */
  tagsHtml?: string;
}

/** What the rehype plugins of one render call know (in `file.data.render`). */
export interface RenderContext {
  options: HtmlOptions;
  /** The note the nodes come from: relative image paths are relative to it. */
  noteAbsPath: string;
}

declare module 'vfile' {
  interface DataMap {
    render: RenderContext;
  }
}

export interface HtmlOptions {
  images: ImageMap;
  /** Prefix that takes an output-root-relative asset path to the page's folder ("" or "../"). */
  assetPrefix: string;
  /** Rendered mermaid diagrams (src/render/mermaid.ts), in the theme of the output being rendered; a diagram not in it stays code. */
  diagrams?: DiagramMap;
  /** The href of a topic in this output (wiki links); null when the output does not have the topic. */
  topicHref?: (slug: string) => string | null;
}

/**
 * One processor per build: the highlighter is set up once and shared by all
 * outputs. Raw HTML is parsed and, unless `allowHtml`, sanitized (what is
 * removed was reported by the parser, at its position).
 */
export function createHtmlRenderer(
  options: { allowHtml?: boolean; /** KaTeX's HTML by formula, kept by a builder across rebuilds. */ mathCache?: Map<string, string> } = {},
) {
  const processor = unified()
    .use(remarkRehype, { allowDangerousHtml: true, handlers: markdownHandlers })
    .use(rehypeRaw)
    // Raw-HTML <img>: resolved like markdown images, before sanitizing (which keeps width/height).
    .use(rehypeRawImages)
    .use(options.allowHtml ? [] : [[rehypeSanitize, SANITIZE_SCHEMA]])
    // Our own markup from here on (KaTeX, diagrams): added after sanitizing, never from the notes' HTML.
    .use(rehypeMath, { cache: options.mathCache ?? new Map() })
    .use(rehypeDiagrams)
    .use(rehypeHighlight, { detect: false, plainText: ['text', 'txt', 'plain'] })
    .freeze();

  /** With `footnotes`, the footnotes the nodes cite follow them as one last block (src/render/footnotes.ts). */
  function toHast(nodes: RootContent[], options: HtmlOptions, noteAbsPath: string, footnotes?: FootnoteScope): HastRoot {
    const root: Root = { type: 'root', children: structuredClone(nodes) };
    visit(root, 'image', (node: Image) => resolveImage(node, options, node.data?.noteAbsPath ?? noteAbsPath));
    markLeadTerms(root);
    const cited = markFootnoteReferences(root, footnotes?.definitions ?? [], noteAbsPath);
    visit(root, 'wikiLink', (node: WikiLink) => pointWikiLink(node, options));
    const file = new VFile();
    const context: RenderContext = { options, noteAbsPath };
    file.data.render = context;
    const tree = processor.runSync(root, file) as HastRoot;
    // Each note is rendered (and sanitized) on its own; ids and links are added after, once.
    const notes = cited.map((d) => toHast(d.children, options, noteAbsPath).children.filter((n) => n.type !== 'doctype'));
    if (footnotes) linkFootnotes(tree, footnotes.id, notes);
    return tree;
  }

  function renderBlocks(nodes: RootContent[], options: HtmlOptions, noteAbsPath: string, footnotes?: FootnoteScope): RenderedBlock[] {
    const blocks: RenderedBlock[] = [];
    for (const child of toHast(nodes, options, noteAbsPath, footnotes).children) {
      if (child.type === 'text' && child.value.trim() === '') continue;
      blocks.push({ kind: child.type === 'element' ? child.tagName : child.type, html: toHtml(child, { allowDangerousHtml: true }) });
    }
    return blocks;
  }

  function renderInline(nodes: PhrasingContent[], options: HtmlOptions, noteAbsPath: string): string {
    return toHtml(toHast([{ type: 'paragraph', children: nodes }], options, noteAbsPath).children.flatMap(innerOf), {
      allowDangerousHtml: true,
    });
  }

  function renderTopic(topic: Topic, options: HtmlOptions): RenderedTopic {
    const definitions = topic.note.footnotes;
    const blocks = renderBlocks(topic.blocks, options, topic.note.absPath, { id: topic.slug, definitions });
    const notes = topic.notes.length
      ? renderBlocks(topic.notes, options, topic.note.absPath, { id: `${topic.slug}:notes`, definitions })
      : [];
    const tags = topic.firstOfNote ? (topic.note.frontMatter.tags ?? []) : [];
    const titleHtml = topic.heading ? renderInline(topic.heading.children, options, topic.note.absPath) : escapeHtml(topic.title);
    return {
      slug: topic.slug,
      title: topic.title,
      titleHtml,
      depth: topic.depth,
      path: topic.path,
      source: topic.source,
      blocks,
      notes,
      children: topic.children.map((child) => renderTopic(child, options)),
      tagsHtml: tags.length ? toHtml(tagLine(tags)) : undefined,
    };
  }

  return {
    renderTopics: (topics: Topic[], options: HtmlOptions) => topics.map((topic) => renderTopic(topic, options)),
    renderBlocks,
    /** Inline content (a heading's, a card's front) as HTML without a wrapping element. */
    renderInline,
  };
}
export type HtmlRenderer = ReturnType<typeof createHtmlRenderer>;

/** Every piece of HTML of rendered topics (titles, blocks, notes), depth first. */
export function* renderedHtml(topics: RenderedTopic[]): Generator<string> {
  for (const topic of topics) {
    yield topic.titleHtml;
    for (const block of [...topic.blocks, ...topic.notes]) yield block.html;
    yield* renderedHtml(topic.children);
  }
}

function innerOf(node: HastRoot['children'][number]): ElementContent[] {
  return node.type === 'element' ? node.children : [];
}

/** Point a markdown image at its copy in the output, or turn it into a compact placeholder. */
function resolveImage(node: Image, options: HtmlOptions, noteAbsPath: string): void {
  const view = imageView(options, noteAbsPath, node.url);
  if (view.tagName === 'img') {
    // Merged: a size given in the note (`![[x.png|300]]`) stays. Marked so the raw-HTML pass skips it.
    node.data = { ...node.data, hProperties: { ...node.data?.hProperties, ...view.properties, [RESOLVED_MARK]: '' } };
    return;
  }
  node.data = {
    ...node.data,
    hName: view.tagName,
    // Replaced: the img's own src and alt (set by mdast-util-to-hast) and size have no place on a placeholder.
    hProperties: { src: undefined, alt: undefined, ...view.properties },
    hChildren: [{ type: 'text', value: view.label }],
  };
}

/**
 * A wiki link becomes a link to its topic in this output, or plain text: a
 * note that is not in the build (`wikilink-missing`), or a topic this output
 * leaves out (a note with `cheatsheet: false`, `--topics`).
 */
function pointWikiLink(node: WikiLink, options: HtmlOptions): void {
  const slug = node.data?.slug;
  const href = slug ? (options.topicHref?.(slug) ?? null) : null;
  node.data = {
    ...node.data,
    hName: href ? 'a' : 'span',
    hProperties: { className: [href ? 'wikilink' : slug ? 'wikilink-elsewhere' : 'wikilink-missing'], href: href ?? undefined },
  };
}

/**
 * "**cfn-init** is a helper script…": a paragraph or list item that opens with
 * a bold term gets that term marked `lead`, so both outputs can make it stand out.
 */
function markLeadTerms(root: Root): void {
  visit(root, (node) => {
    if (node.type !== 'paragraph') return;
    const first = node.children[0];
    if (first?.type === 'strong') first.data = { ...first.data, hProperties: { className: ['lead'] } };
  });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
