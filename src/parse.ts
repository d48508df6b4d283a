/** Stage 2: markdown text → mdast (+ front matter), with the remark plugins of the project. */
import path from 'node:path';
import type { Break, Root, Text } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified, type Processor } from 'unified';
import { visit, SKIP } from 'unist-util-visit';
import { createHash } from 'node:crypto';
import { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { chunksOf, joinChunks } from './chunks.js';
import { firstLine, UserError } from './errors.js';
import { formatMessage } from './report.js';
import type { LoadedNote } from './load.js';
import { loadedMathJax, loadMathJax, type MathJax } from './render/mathjax.js';
import { remarkReportUnsafeHtml } from './safety.js';
import { remarkCallouts } from './syntax/callouts.js';
import { remarkDetails } from './syntax/details.js';
import { remarkObsidianMath } from './syntax/math-syntax.js';
import { remarkDisplayMath } from './syntax/display-math.js';
import { latexDelimitersToDollars, remarkCheckMath, remarkMoneyIsNotMath } from './syntax/math.js';
import { remarkCloze } from './syntax/cloze.js';
import { remarkBlockIds, remarkHighlight, remarkObsidianComments } from './syntax/obsidian.js';
import { takeFootnoteDefinitions } from './syntax/footnotes.js';
import { remarkSheetMarkers } from './syntax/sheet-markers.js';
import { remarkTags } from './syntax/tags.js';
import { replaceAt } from './syntax/nodes.js';
import { remarkWikiLinks } from './syntax/wiki.js';
import type { FrontMatter, Note } from './types.js';

/**
 * A line that starts with an en or em dash ("– A token-based authorizer …")
 * is not a list item in markdown, so it would run into the line before it.
 * People write such lines as a list: keep each on its own line with a hard
 * break. The newline stays in the text so no content is lost.
 */
export function remarkDashLines() {
  return (tree: Root) => {
    visit(tree, 'text', (node: Text, index, parent) => {
      if (!parent || index === undefined || !/\n[–—]\s/.test(node.value)) return;
      const pieces = node.value.split(/(?=\n[–—]\s)/);
      const replacement: (Text | Break)[] = [];
      pieces.forEach((value, i) => {
        if (i > 0) replacement.push({ type: 'break' });
        replacement.push({ type: 'text', value });
      });
      replaceAt(parent.children as (Text | Break)[], index, replacement);
      return [SKIP, index + replacement.length];
    });
  };
}

const NOTE_COMMENT = /^<!--\s*notes?:\s*([\s\S]*?)\s*-->$/i;
const NOTE_LEAD = /^\s*notes?:\s*/i;

/**
 * Speaker notes, in the two forms people use: reveal-md's `Note:` paragraph
 * (it and everything after it, up to the next heading) and an HTML comment
 * `<!-- notes: ... -->` (its text is markdown). The blocks are marked
 * `data.speakerNote`; the tree keeps them apart from a topic's content.
 */
export function remarkSpeakerNotes(this: Processor) {
  // The processor parses the comment's markdown the same way as the note itself.
  const self = this as unknown as { parse(text: string): Root };
  return (tree: Root) => {
    const children: Root['children'] = [];
    let inNotes = false;
    for (const node of tree.children) {
      if (node.type === 'heading') inNotes = false;
      const comment = node.type === 'html' ? NOTE_COMMENT.exec(node.value.trim()) : null;
      if (comment) {
        for (const block of self.parse(comment[1]!).children) {
          if (node.position) block.position = node.position; // messages point at the comment
          block.data = { ...block.data, speakerNote: true };
          children.push(block);
        }
        continue;
      }
      const first = node.type === 'paragraph' ? node.children[0] : undefined;
      if (!inNotes && first?.type === 'text' && NOTE_LEAD.test(first.value)) {
        inNotes = true;
        first.value = first.value.replace(NOTE_LEAD, '');
      }
      if (inNotes) node.data = { ...node.data, speakerNote: true };
      children.push(node);
    }
    tree.children = children;
  };
}

/** Texts up to this length are "short": `<details>` summaries, one-line answers. */
const SHORT_TEXT = 1000;
/** Short parses kept per parser (one parser per build). */
const MAX_SHORT_PARSES = 10_000;

/**
 * Parse each short text once: every `<details>` of an exam-prep note parses
 * its summary ("Answer") on its own, and a parse has a fixed cost (micromark
 * and mdast-util-from-markdown set up their extensions on every call) far
 * above what a short text takes. Each use gets its own copy of the tree, as
 * the plugins change the trees they get.
 */
function remarkReuseShortParses(this: Processor) {
  const parse = this.parser!;
  const trees = new Map<string, Root>();
  this.parser = (text, file) => {
    if (text.length > SHORT_TEXT) return parse(text, file);
    const known = trees.get(text);
    if (known) return structuredClone(known);
    const tree = parse(text, file) as Root;
    if (trees.size >= MAX_SHORT_PARSES) trees.clear();
    trees.set(text, structuredClone(tree));
    return tree;
  };
}

export function createParser(options: { allowHtml?: boolean; mathjax?: MathJax | null } = {}) {
  return (
    unified()
      .use(remarkParse)
      .use(remarkReuseShortParses)
      .use(remarkFrontmatter, ['yaml'])
      .use(remarkGfm)
      .use(remarkObsidianMath)
      // Notes as people write them (Obsidian, GitHub): first the raw-HTML details, while they are still HTML.
      .use(remarkDetails)
      .use(remarkObsidianComments)
      .use(remarkCallouts)
      .use(remarkWikiLinks)
      .use(remarkCloze)
      .use(remarkHighlight)
      .use(remarkBlockIds)
      .use(remarkTags)
      .use(remarkSheetMarkers)
      .use(remarkMoneyIsNotMath)
      .use(remarkDisplayMath)
      .use(remarkCheckMath, { mathjax: options.mathjax ?? null })
      .use(remarkDashLines)
      .use(remarkSpeakerNotes)
      .use(remarkReportUnsafeHtml, options)
      .freeze()
  );
}
export type Parser = ReturnType<typeof createParser>;

/** "03-vpc-peering.md" → "vpc peering": the numeric prefix only orders files. */
export function titleFromFileName(absPath: string): string {
  const base = path.basename(absPath).replace(/\.md$/i, '');
  const stripped = base.replace(/^\d+[\s._-]*/, '');
  return (stripped || base).replace(/[-_]+/g, ' ').trim() || base;
}

/** The trees of a note's parts (src/chunks.ts) by their text, as the parser gave them. */
export type ChunkTrees = Map<string, Root>;

/**
 * Parse a loaded note; only called for notes whose text could be read. The note is parsed in
 * parts (src/chunks.ts) and the plugins run on the whole tree. With `parts`, a part found in
 * `known` is not parsed again, and the trees of every part are put in `kept`.
 */
export function parseNote(parser: Parser, loaded: LoadedNote & { text: string }, parts?: { known: ChunkTrees; kept: ChunkTrees }): Note {
  const markdown = latexDelimitersToDollars(loaded.text);
  loaded.file.data.markdown = markdown;
  const tree = joinChunks(chunksOf(markdown), ({ text }) => {
    if (!parts) return parser.parse(text);
    const known = parts.known.get(text);
    const parsed = known ? structuredClone(known) : parser.parse(text);
    // The plugins change the tree they get: what is kept is a copy.
    parts.kept.set(text, known ?? structuredClone(parsed));
    return parsed;
  });
  const mdast = parser.runSync(tree, loaded.file) as Root;
  const frontMatter = readFrontMatter(mdast, loaded.file);
  return {
    path: loaded.path,
    absPath: loaded.absPath,
    frontMatter,
    fallbackTitle: frontMatter.title ?? titleFromFileName(loaded.absPath),
    mdast,
    footnotes: takeFootnoteDefinitions(mdast),
    file: loaded.file,
  };
}

/** Read and check the YAML front matter; a bad key is reported and ignored, never fatal. */
function readFrontMatter(tree: Root, file: VFile): FrontMatter {
  const node = tree.children[0];
  if (!node || node.type !== 'yaml') return {};
  tree.children.shift(); // front matter is metadata, not content
  const place = node.position?.start;
  let data: unknown;
  try {
    data = parseYaml(node.value);
  } catch (error) {
    const line = error instanceof YAMLParseError && error.linePos ? error.linePos[0].line + 1 : 0;
    const at = place ? { line: place.line + line, column: 1 } : undefined;
    file.message(`invalid front matter, ignored: ${firstLine(error)}`, {
      place: at,
      ruleId: 'frontmatter',
      source: 'studyguide',
      cause: error as Error,
    });
    return {};
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    file.message('front matter is not a key: value mapping, ignored', { place, ruleId: 'frontmatter', source: 'studyguide' });
    return {};
  }
  const raw = data as Record<string, unknown>;
  const out: FrontMatter = {};
  const bad = (key: string, want: string) =>
    file.message(`front matter \`${key}\` should be ${want}, ignored`, { place, ruleId: 'frontmatter', source: 'studyguide' });
  if ('title' in raw) {
    if (typeof raw.title === 'string' || typeof raw.title === 'number') out.title = String(raw.title).trim();
    else bad('title', 'text');
  }
  if ('order' in raw) {
    if (typeof raw.order === 'number' && Number.isFinite(raw.order)) out.order = raw.order;
    else bad('order', 'a number');
  }
  if ('tags' in raw && raw.tags !== null) {
    // Written with or without `#` (`"#aws"` must be quoted in YAML); Obsidian shows them without.
    if (typeof raw.tags === 'string')
      out.tags = names(raw.tags.split(/[,\s]+/))
        .map((t) => t.replace(/^#/, ''))
        .filter(Boolean);
    else if (Array.isArray(raw.tags))
      out.tags = names(raw.tags)
        .map((t) => t.replace(/^#/, ''))
        .filter(Boolean);
    else bad('tags', 'a list');
  }
  if ('aliases' in raw && raw.aliases !== null) {
    // A string is one alias or several separated by commas (aliases may contain spaces).
    if (typeof raw.aliases === 'string') out.aliases = names(raw.aliases.split(','));
    else if (Array.isArray(raw.aliases)) out.aliases = names(raw.aliases);
    else bad('aliases', 'a list');
  }
  if ('cheatsheet' in raw) {
    const value = raw.cheatsheet;
    if (value === false || value === 'skip' || value === 'false') out.cheatsheet = 'skip';
    else if (value === 'core') out.cheatsheet = 'core';
    else if (value !== true && value !== 'true' && value !== null) {
      // Not ignored: a sheet fitted without the note's say would print, or leave out, the wrong blocks.
      const message = file.message(`front matter \`cheatsheet\` should be core, skip, true or false, not ${JSON.stringify(value)}`, {
        place,
        ruleId: 'frontmatter-cheatsheet',
        source: 'studyguide',
      });
      message.fatal = true;
    }
  }
  return out;
}

/** The texts of a YAML list (numbers too: `2024`), trimmed, empty ones dropped. */
function names(list: unknown[]): string[] {
  return list.flatMap((x) => (typeof x === 'string' || typeof x === 'number' ? [String(x).trim()] : [])).filter(Boolean);
}

/**
 * Parse results by absolute path, valid while the text's hash matches; `messages` are the
 * parser's own. A note parsed again (edited while watching) keeps the trees of its `parts`: the
 * next edit parses only the part it changes. `wantsMathJax`: parsed without MathJax, with a
 * formula KaTeX rejects. Kept by a builder across rebuilds.
 */
export type ParseCache = Map<string, { hash: string; note: Note; messages: VFileMessage[]; parts?: ChunkTrees; wantsMathJax?: boolean }>;

/**
 * Parse each note, reusing the last parse of a note whose text has not
 * changed (nor MathJax, given now, been wanted by it). Each build gets fresh
 * VFiles (with the parse's messages), so messages of one build never leak into
 * the next.
 */
export function parseWithCache(loaded: LoadedNote[], cache: ParseCache, allowHtml: boolean, mathjax: MathJax | null = null): Note[] {
  const parser = createParser({ allowHtml, mathjax });
  const seen = new Set<string>();
  const notes = loaded.flatMap((entry) => {
    if (entry.text === null) return [];
    seen.add(entry.absPath);
    const loadMessages = [...entry.file.messages];
    const hash = createHash('sha1').update(entry.text).digest('hex');
    let hit = cache.get(entry.absPath);
    if (!hit || hit.hash !== hash || (mathjax && hit.wantsMathJax)) {
      // Only edited notes keep their parts: copies of every tree would cost a first build time and memory.
      const edited = hit && hit.hash !== hash;
      const parts = edited ? { known: hit!.parts ?? new Map<string, Root>(), kept: new Map<string, Root>() } : undefined;
      // A file of its own: its messages are this parse's only, even when the note is parsed again (with MathJax).
      const file = new VFile({ path: entry.path, value: entry.text });
      const note = parseNote(parser, { ...entry, text: entry.text, file }, parts);
      if (note.mdast.children.length === 0) {
        note.file.message('empty note, skipped', { place: { line: 1, column: 1 }, ruleId: 'empty', source: 'studyguide' });
      }
      hit = { hash, note, messages: file.messages, parts: edited ? parts?.kept : hit?.parts, wantsMathJax: file.data.mathJaxWanted };
      cache.set(entry.absPath, hit);
    }
    const file = new VFile({ path: entry.path, value: entry.text });
    file.messages.push(...loadMessages, ...hit.messages);
    return [{ ...hit.note, path: entry.path, file }];
  });
  for (const key of cache.keys()) if (!seen.has(key)) cache.delete(key);
  return notes;
}

/**
 * The parse stage: `parseWithCache`, and when a note has a formula KaTeX rejects, MathJax loaded
 * (once) and that note parsed again with it. Notes whose formulas KaTeX typesets never load it.
 * A front matter value the build cannot go on without stops it, at its place.
 */
export async function parseNotes(loaded: LoadedNote[], cache: ParseCache, allowHtml: boolean): Promise<Note[]> {
  let notes = parseWithCache(loaded, cache, allowHtml, loadedMathJax());
  if (!loadedMathJax() && loaded.some((entry) => cache.get(entry.absPath)?.wantsMathJax)) {
    notes = parseWithCache(loaded, cache, allowHtml, await loadMathJax());
  }
  const fatal = notes.flatMap((note) => note.file.messages.filter((m) => m.fatal === true));
  if (fatal[0]) throw new UserError(formatMessage(fatal[0]) + (fatal.length > 1 ? ` (and ${fatal.length - 1} more)` : ''));
  return notes;
}
