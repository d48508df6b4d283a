/**
 * mdast → HTML fragments, shared by every output. Code is highlighted here, at
 * build time, so the PDF and the decks need no highlighter in the browser.
 */
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { toHtml } from 'hast-util-to-html';
import type { FootnoteDefinition, Image, Nodes, Paragraph, Parent, PhrasingContent, Root, RootContent } from 'mdast';
import rehypeHighlight, { type Options as HighlightOptions } from 'rehype-highlight';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize from 'rehype-sanitize';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { VFile } from 'vfile';
import type { ImageMap } from '../images.js';
import { cutCode, cutOnSlides, longerThan } from './code-cut.js';
import { footnoteCiter, linkFootnotes, type FootnoteScope } from './footnotes.js';
import { markdownHandlers } from './handlers.js';
import { rehypeBlanks, type BlankMap } from './blanks.js';
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
  /** Where the block starts in its note (offset), when it comes from one: the sheet finds its units by it. */
  at?: number;
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
  /** What the content has: a pass finds nothing to change in content without it and is skipped. */
  has: ContentKinds;
}

/** Node kinds in the content of one render call, from its mdast (`prepare`), raw HTML's included. */
export interface ContentKinds {
  /** Raw HTML, to parse. */
  html: boolean;
  /** `<img>`s: markdown images (their mark is removed by the raw-image pass), image references. */
  images: boolean;
  /** Formulas, typeset after sanitizing. */
  math: boolean;
  /** Code blocks, for the highlighter. */
  code: boolean;
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
  /**
   * The self-test sheet's blanks, by note (src/render/blanks.ts). A render with blanks is made
   * every time, never shared: the other outputs must not get its blanks, nor it their text.
   */
  blanks?: BlankMap;
  /** The slides: a code block longer than this many lines is cut there, with a mark saying how many more (src/render/code-cut.ts). */
  codeLines?: number;
}

/**
 * One processor per build: the highlighter is set up once and shared by all
 * outputs. Raw HTML is parsed and, unless `allowHtml`, sanitized (what is
 * removed was reported by the parser, at its position). A renderer remembers
 * what it rendered by the nodes' identity: the topic tree must not change
 * while it is in use.
 */
export function createHtmlRenderer(
  options: {
    allowHtml?: boolean;
    /** KaTeX's HTML by formula, kept by a builder across rebuilds. */
    mathCache?: Map<string, string>;
    /** The slides' cut of long code blocks (`HtmlOptions.codeLines`): a render of a longer one is made per output. */
    codeLines?: number;
  } = {},
) {
  const processor = unified()
    .use(remarkRehype, { allowDangerousHtml: true, handlers: markdownHandlers })
    .use(rehypeRawWhenNeeded)
    // Raw-HTML <img>: resolved like markdown images, before sanitizing (which keeps width/height).
    .use(rehypeRawImages)
    .use(options.allowHtml ? [] : [[rehypeSanitize, SANITIZE_SCHEMA]])
    // Our own markup from here on (KaTeX, diagrams): added after sanitizing, never from the notes' HTML.
    .use(rehypeMath, { cache: options.mathCache ?? new Map() })
    .use(rehypeDiagrams)
    .use(rehypeHighlightCode, { detect: false, plainText: ['text', 'txt', 'plain'] })
    // Last: what it blanks is the HTML as shown, highlighted code and formulas included.
    .use(rehypeBlanks)
    .freeze();

  /** With `footnotes`, the footnotes the nodes cite follow them as one last block (src/render/footnotes.ts). */
  function toHast(nodes: RootContent[], options: HtmlOptions, noteAbsPath: string, footnotes?: FootnoteScope): HastRoot {
    const { root, cited, has } = prepare(nodes, options, noteAbsPath, footnotes?.definitions ?? NO_DEFINITIONS);
    const file = new VFile();
    const context: RenderContext = { options, noteAbsPath, has };
    file.data.render = context;
    const tree = processor.runSync(root, file) as HastRoot;
    // Each note is rendered (and sanitized) on its own; ids and links are added after, once.
    const notes = cited.map((d) => toHast(d.children, options, noteAbsPath).children.filter((n) => n.type !== 'doctype'));
    if (footnotes) linkFootnotes(tree, footnotes.id, notes);
    return tree;
  }

  // The sheet and the decks (and the flashcards of each) render the same nodes: what does not depend on the output is rendered once.
  const memo = sharedRenders(options.codeLines ?? Infinity);
  const shared = <T>(options: HtmlOptions, nodes: Nodes[], key: string, definitions: FootnoteDefinition[], render: () => T): T =>
    options.blanks ? render() : memo(nodes, key, definitions, render);

  function renderBlocks(nodes: RootContent[], options: HtmlOptions, noteAbsPath: string, footnotes?: FootnoteScope): RenderedBlock[] {
    const key = `blocks\n${noteAbsPath}\n${footnotes?.id ?? ''}`;
    const blocks = shared(options, nodes, key, footnotes?.definitions ?? NO_DEFINITIONS, () => {
      const made: RenderedBlock[] = [];
      for (const child of toHast(nodes, options, noteAbsPath, footnotes).children) {
        if (child.type === 'text' && child.value.trim() === '') continue;
        made.push({
          kind: child.type === 'element' ? child.tagName : child.type,
          html: toHtml(child, { allowDangerousHtml: true }),
          at: child.position?.start.offset,
        });
      }
      return made;
    });
    return blocks.map((block) => ({ ...block })); // the caller's own objects
  }

  function renderInline(nodes: PhrasingContent[], options: HtmlOptions, noteAbsPath: string): string {
    return shared(options, nodes, `inline\n${noteAbsPath}`, NO_DEFINITIONS, () =>
      toHtml(toHast([{ type: 'paragraph', children: nodes }], options, noteAbsPath).children.flatMap(innerOf), {
        allowDangerousHtml: true,
      }),
    );
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

/** A section the build adds after the notes' topics (the glossary, the answer key): one block of our own HTML, or none. */
export function addedSection(slug: string, title: string, block: RenderedBlock | null): RenderedTopic {
  return {
    slug,
    title,
    titleHtml: escapeHtml(title),
    depth: 1,
    path: [title],
    source: { file: '', line: 0, column: 0 },
    blocks: block ? [block] : [],
    notes: [],
    children: [],
  };
}

/** Every piece of HTML of rendered topics (titles, blocks, notes), depth first. */
export function* renderedHtml(topics: RenderedTopic[]): Generator<string> {
  for (const topic of topics) {
    yield topic.titleHtml;
    for (const block of [...topic.blocks, ...topic.notes]) yield block.html;
    yield* renderedHtml(topic.children);
  }
}

const NO_DEFINITIONS: FootnoteDefinition[] = [];

/**
 * Node types whose HTML depends on the output's `HtmlOptions`: images (their
 * copies' paths, placeholders), wiki links (the output's topics). Mermaid code
 * blocks and raw HTML are checked apart.
 */
const OUTPUT_TYPES = new Set(['image', 'imageReference', 'wikiLink']);
/** Raw HTML with an image (`<image>` is parsed as one), or code that may be a mermaid diagram. */
const RAW_IMAGE = /<im(?:g|age)\b/i;
const RAW_CODE = /<code\b/i;

/**
 * Whether rendering `node` reads the output's options; embeds are checked through their copies
 * (children). `codeLines`: the slides' cut, which a longer code block depends on.
 */
function dependsOnOutput(node: Nodes, codeLines: number): boolean {
  if (OUTPUT_TYPES.has(node.type)) return true;
  if (node.type === 'code') return /mermaid/i.test(node.lang ?? '') || longerThan(node.value, codeLines);
  if (node.type === 'html') return RAW_IMAGE.test(node.value) || RAW_CODE.test(node.value);
  return 'children' in node && (node.children as Nodes[]).some((child) => dependsOnOutput(child, codeLines));
}

/**
 * A memo of renders that do not depend on the output, by the nodes rendered
 * (their identity: the topic tree does not change while a build renders it)
 * and a key for the rest of the call. A render that depends on the output, or
 * whose footnotes do, is made every time.
 */
function sharedRenders(codeLines: number) {
  const renders = new WeakMap<object, Map<string, { definitions: FootnoteDefinition[]; value: unknown }>>();
  const definitionsDepend = new WeakMap<FootnoteDefinition[], boolean>();
  const depends = (node: Nodes) => dependsOnOutput(node, codeLines);
  const independent = (nodes: Nodes[], definitions: FootnoteDefinition[]) => {
    let known = definitionsDepend.get(definitions);
    if (known === undefined) definitionsDepend.set(definitions, (known = definitions.some(depends)));
    return !known && !nodes.some(depends);
  };
  return <T>(nodes: Nodes[], key: string, definitions: FootnoteDefinition[], render: () => T): T => {
    const byKey = renders.get(nodes);
    const hit = byKey?.get(key);
    if (hit && hit.definitions === definitions) return hit.value as T;
    const value = render();
    if (independent(nodes, definitions)) {
      if (byKey) byKey.set(key, { definitions, value });
      else renders.set(nodes, new Map([[key, { definitions, value }]]));
    }
    return value;
  };
}

function innerOf(node: HastRoot['children'][number]): ElementContent[] {
  return node.type === 'element' ? node.children : [];
}

/**
 * The nodes as this output renders them, in one walk that leaves the topic
 * tree as it is (every output renders it): images pointed at their copies,
 * wiki links at their topics, lead terms marked, footnote references numbered
 * in reading order (`cited`). Only nodes that change, and their ancestors, are copied.
 */
function prepare(nodes: RootContent[], options: HtmlOptions, noteAbsPath: string, definitions: FootnoteDefinition[]) {
  const citer = footnoteCiter(definitions, noteAbsPath);
  const has: ContentKinds = { html: false, images: false, math: false, code: false };
  const walk = (node: Nodes): Nodes | null => {
    switch (node.type) {
      case 'image':
        has.images = true;
        return resolveImage(node, options, node.data?.noteAbsPath ?? noteAbsPath);
      case 'imageReference':
        has.images = true;
        return node;
      case 'html':
        // Tags cannot be written with entities: an <img> or a <code> in raw HTML shows in its text. A class can (`sg&#45;math`).
        has.html = has.math = true;
        has.images ||= RAW_IMAGE.test(node.value);
        has.code ||= RAW_CODE.test(node.value);
        return node;
      case 'inlineMath':
      case 'math':
        has.math = true;
        return node;
      case 'code':
        has.code = true;
        return options.codeLines && cutOnSlides(node, options.codeLines) ? cutCode(node, options.codeLines) : node;
      case 'footnoteReference':
        return citer.mark(node);
      case 'wikiLink':
        return withChildren(pointWikiLink(node, options), walk);
      case 'paragraph':
        return markLeadTerm(node, withChildren(node, walk));
      default:
        return 'children' in node ? withChildren(node, walk) : node;
    }
  };
  const root = withChildren<Root>({ type: 'root', children: nodes }, walk);
  return { root, cited: citer.cited, has };
}

/** `node` with each child replaced by `walk`'s result (null drops it); `node` itself when nothing changed. */
function withChildren<T extends Parent>(node: T, walk: (child: Nodes) => Nodes | null): T {
  let children: Nodes[] | null = null;
  node.children.forEach((child, i) => {
    const result = walk(child);
    if (result !== child && !children) children = node.children.slice(0, i);
    if (children && result) children.push(result);
  });
  return children ? { ...node, children } : node;
}

/** Point a markdown image at its copy in the output, or turn it into a compact placeholder. */
function resolveImage(node: Image, options: HtmlOptions, noteAbsPath: string): Image {
  const view = imageView(options, noteAbsPath, node.url);
  if (view.tagName === 'img') {
    // Merged: a size given in the note (`![[x.png|300]]`) stays. Marked so the raw-HTML pass skips it.
    return { ...node, data: { ...node.data, hProperties: { ...node.data?.hProperties, ...view.properties, [RESOLVED_MARK]: '' } } };
  }
  const data = {
    ...node.data,
    hName: view.tagName,
    // Replaced: the img's own src and alt (set by mdast-util-to-hast) and size have no place on a placeholder.
    hProperties: { src: undefined, alt: undefined, ...view.properties },
    hChildren: [{ type: 'text' as const, value: view.label }],
  };
  return { ...node, data };
}

/**
 * A wiki link becomes a link to its topic in this output, or plain text: a
 * note that is not in the build (`wikilink-missing`), or a topic this output
 * leaves out (a note with `cheatsheet: false`, `--topics`).
 */
function pointWikiLink(node: WikiLink, options: HtmlOptions): WikiLink {
  const slug = node.data?.slug;
  const href = slug ? (options.topicHref?.(slug) ?? null) : null;
  const data = {
    ...node.data,
    hName: href ? 'a' : 'span',
    hProperties: { className: [href ? 'wikilink' : slug ? 'wikilink-elsewhere' : 'wikilink-missing'], href: href ?? undefined },
  };
  return { ...node, data };
}

/**
 * "**cfn-init** is a helper script…": a paragraph or list item that opens with
 * a bold term gets that term marked `lead`, so both outputs can make it stand out.
 * Whether it opens with one is read from `original`, before references are dropped.
 */
function markLeadTerm(original: Paragraph, node: Paragraph): Paragraph {
  const first = node.children[0]; // the original's first child, as a strong is never dropped
  if (original.children[0]?.type !== 'strong' || first?.type !== 'strong') return node;
  return { ...node, children: [{ ...first, data: { ...first.data, hProperties: { className: ['lead'] } } }, ...node.children.slice(1)] };
}

/**
 * rehype-raw parses the notes' raw HTML and, on the way, runs everything else
 * through the HTML parser too, which changes what no parser keeps (a link in a
 * link, a block in a paragraph). Content without raw HTML whose nesting the
 * parser keeps as it is would come out of it unchanged: it skips the pass, the
 * costliest of a render.
 */
function rehypeRawWhenNeeded() {
  const parse = rehypeRaw();
  return (tree: HastRoot, file: VFile) => (file.data.render?.has.html === false && parserKeeps(tree) ? tree : parse(tree, file));
}

/** Elements of text and phrasing only, which the HTML parser inserts as they come. */
const PHRASING = new Set('a abbr b br code del em i img input kbd mark s small span strong sub sup u'.split(' '));
/** Blocks the parser keeps where markdown puts them: outside paragraphs and headings, table parts and list items in their parents. */
const BLOCKS = new Set('blockquote div h1 h2 h3 h4 h5 h6 hr li ol p pre ul table thead tbody tfoot tr td th'.split(' '));
/** Where phrasing only may follow: a block start inside closes them. */
const PHRASING_BLOCKS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const VOID = new Set(['br', 'hr', 'img', 'input']);
/** The parents table parts and list items need: elsewhere the parser moves them ("foster parenting") or closes what is open. */
const REQUIRED_PARENT: Record<string, string[]> = {
  thead: ['table'],
  tbody: ['table'],
  tfoot: ['table'],
  tr: ['thead', 'tbody', 'tfoot'],
  td: ['tr'],
  th: ['tr'],
  li: ['ul', 'ol'],
};
/** Elements that hold table parts only, and the parser's whitespace between them. */
const TABLE_CONTAINERS = new Set(['table', 'thead', 'tbody', 'tfoot', 'tr']);
const PARSER_WHITESPACE = /^[\t\n\f\r ]*$/;

/**
 * Whether the HTML parser (parse5, through rehype-raw) would build this tree
 * again as it is. The parsing rules that change a tree: a block start closes
 * an open paragraph or heading, a link start closes an open link, table parts
 * and list items need their parents, a void element takes no children, the
 * first newline in a `pre` is dropped, NUL characters are dropped. Any element
 * not listed here counts as changed: in doubt, the tree is parsed.
 */
export function parserKeeps(tree: HastRoot): boolean {
  const keeps = (node: ElementContent, parent: string, inPhrasing: boolean, inLink: boolean): boolean => {
    if (node.type === 'text') return !node.value.includes('\0') && (!TABLE_CONTAINERS.has(parent) || PARSER_WHITESPACE.test(node.value));
    if (node.type !== 'element') return false;
    const tag = node.tagName;
    const required = REQUIRED_PARENT[tag];
    if (PHRASING.has(tag) ? tag === 'a' && inLink : inPhrasing || !BLOCKS.has(tag)) return false;
    if (required ? !required.includes(parent) : TABLE_CONTAINERS.has(parent)) return false;
    if ((VOID.has(tag) && node.children.length > 0) || (tag === 'pre' && !keepsFirstNewline(node))) return false;
    return node.children.every((child) => keeps(child, tag, inPhrasing || PHRASING_BLOCKS.has(tag), inLink || tag === 'a'));
  };
  return tree.children.every((child) => child.type !== 'doctype' && keeps(child, '', false, false));
}

/** A `pre` drops a newline that opens its text, even inside its `code` (the parser skips the first newline after the start tags). */
function keepsFirstNewline(pre: Element): boolean {
  let node: ElementContent = pre;
  while (node.type === 'element') {
    const first: ElementContent | undefined = node.children[0];
    if (!first) return true;
    node = first;
  }
  return node.type === 'text' && node.value !== '' && !node.value.startsWith('\n');
}

/** rehype-highlight, on content with code only (it would look at every element). */
function rehypeHighlightCode(options: HighlightOptions) {
  const highlight = rehypeHighlight(options);
  return (tree: HastRoot, file: VFile) => (file.data.render?.has.code === false ? undefined : highlight(tree, file));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
