/**
 * Stage 3b: wiki links and embeds, once the whole guide is known (pure: no I/O).
 * `[[Page]]` finds a note by file name, path in the notes folder, front-matter
 * title or alias (case-insensitive, as Obsidian); `#Heading` a topic of that
 * note, `#^id` the topic holding that block. Embeds get a copy of the section,
 * block or note (cycle-safe, depth-limited).
 *
 * The parse of a note is cached across builds, so what this stage decides is
 * written onto the nodes on every build (`data.slug`, an embed's `children`),
 * never left over from the last one.
 */
import path from 'node:path';
import { slug as slugOf } from 'github-slugger';
import type { Heading, Parent, RootContent } from 'mdast';
import { visit } from 'unist-util-visit';
import { walkTopics } from './tree.js';
import type { Guide, Note, Topic, WikiEmbed, WikiLink, WikiTarget } from './types.js';

/** Embeds inside embeds: deeper than this is not followed (Obsidian stops too). */
const MAX_DEPTH = 4;

export interface LinkReport {
  /** Pages linked to that no note of the build has (each once, in reading order). */
  missing: string[];
  /** How many links point at them. */
  missingLinks: number;
}

interface Index {
  notes: Map<string, Note>;
  byPath: Map<string, Note>;
  topics: Map<Note, Topic[]>;
}

export function resolveLinks(guide: Guide, notesDir: string): LinkReport {
  const index = buildIndex(guide, notesDir);
  const report: LinkReport = { missing: [], missingLinks: 0 };
  const cycles = new Set<string>();
  for (const topic of walkTopics(guide.topics)) {
    for (const block of [...topic.blocks, ...topic.notes]) fillEmbeds(block, topic.note, index, [], 0, cycles);
  }
  for (const topic of walkTopics(guide.topics)) {
    for (const block of [...topic.blocks, ...topic.notes, ...(topic.heading ? [topic.heading] : [])]) {
      visit(block, 'wikiLink', (node: WikiLink) => {
        const from = noteOf(node, topic.note, index);
        const found = findTarget(node.target, from, index);
        node.data = { ...node.data, slug: found?.slug ?? null };
        if (found) return;
        if (node.target.page && !findNote(node.target.page, from, index)) {
          report.missingLinks++;
          if (!report.missing.includes(node.target.page)) report.missing.push(node.target.page);
        }
      });
    }
  }
  return report;
}

function buildIndex(guide: Guide, notesDir: string): Index {
  const notes = new Map<string, Note>();
  const topics = new Map<Note, Topic[]>();
  const add = (key: string | undefined, note: Note) => {
    const k = key?.trim().toLowerCase();
    if (k && !notes.has(k)) notes.set(k, note);
  };
  // Paths first (exact), then titles and aliases, then bare file names: the first note to claim a key keeps it.
  for (const note of guide.notes) add(relativeName(note, notesDir), note);
  for (const note of guide.notes) {
    add(note.frontMatter.title, note);
    for (const alias of note.frontMatter.aliases ?? []) add(alias, note);
  }
  for (const note of guide.notes) add(path.basename(note.absPath).replace(/\.md$/i, ''), note);
  for (const topic of walkTopics(guide.topics)) {
    const list = topics.get(topic.note) ?? [];
    list.push(topic);
    topics.set(topic.note, list);
  }
  return { notes, byPath: new Map(guide.notes.map((note) => [note.absPath, note])), topics };
}

const relativeName = (note: Note, notesDir: string) =>
  path.relative(notesDir, note.absPath).split(path.sep).join('/').replace(/\.md$/i, '');

/** The note a link is written in: copies carry their own (`data.noteAbsPath`). */
function noteOf(node: { data?: { noteAbsPath?: string } }, fallback: Note, index: Index): Note {
  const abs = node.data?.noteAbsPath;
  if (!abs || abs === fallback.absPath) return fallback;
  return index.byPath.get(abs) ?? fallback;
}

function findNote(page: string, from: Note, index: Index): Note | undefined {
  if (!page) return from;
  const key = page.trim().toLowerCase().replace(/\\/g, '/');
  return index.notes.get(key) ?? index.notes.get(key.replace(/^\.?\//, '')) ?? index.notes.get(key.split('/').pop() ?? key);
}

const sameTitle = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase() || slugOf(a) === slugOf(b);

/** The topic a target names: the note's first topic, its heading's topic, or the topic holding the block. */
function findTarget(target: WikiTarget, from: Note, index: Index): Topic | undefined {
  const note = findNote(target.page, from, index);
  const topics = note ? (index.topics.get(note) ?? []) : [];
  if (target.heading) return topics.find((t) => t.heading && sameTitle(t.title, target.heading!));
  if (target.blockId) return topics.find((t) => t.blocks.some((b) => findBlock(b, target.blockId!)));
  return topics[0];
}

function findBlock(root: RootContent, id: string): RootContent | undefined {
  let found: RootContent | undefined;
  visit(root, (node) => {
    if (found) return false;
    if ((node as RootContent).data?.blockId === id) found = node as RootContent;
    return undefined;
  });
  return found;
}

/**
 * Fill every embed under `root` with a copy of what it names. `stack` holds the embeds being
 * filled (cycles); `cycles`, the cycles warned about (each once, though every topic on it meets it).
 */
function fillEmbeds(root: RootContent, note: Note, index: Index, stack: string[], depth: number, cycles: Set<string>): void {
  visit(root, 'wikiEmbed', (embed: WikiEmbed) => {
    const from = noteOf(embed, note, index);
    const content = embedContent(embed.target, from, index);
    const key = content
      ? `${content.note.absPath}#${embed.target.blockId ? `^${embed.target.blockId}` : (embed.target.heading ?? '').toLowerCase()}`
      : '';
    let unresolved: string | undefined;
    if (!content) unresolved = findNote(embed.target.page, from, index) ? 'no such heading or block' : 'no such note';
    else if (stack.includes(key)) {
      unresolved = 'embeds itself (a cycle), not repeated';
      warnCycle(stack.slice(stack.indexOf(key)), embed, from, cycles);
    } else if (depth >= MAX_DEPTH) unresolved = `embeds nested more than ${MAX_DEPTH} deep, not followed`;
    if (unresolved || !content) {
      embed.children = [];
      embed.data = { ...embed.data, unresolved, source: undefined };
      return 'skip';
    }
    const copies = content.nodes.map((node) => copyFrom(node, content.note));
    for (const copy of copies) fillEmbeds(copy, content.note, index, [...stack, key], depth + 1, cycles);
    embed.children = copies as WikiEmbed['children'];
    embed.data = { ...embed.data, unresolved: undefined, source: content.source };
    return 'skip';
  });
}

/** One warning per embed cycle, at the embed that closes it, in the note it is written in. */
function warnCycle(members: string[], embed: WikiEmbed, from: Note, cycles: Set<string>): void {
  const id = [...members].sort().join('\n');
  if (cycles.has(id)) return;
  cycles.add(id);
  const name = (key: string) => {
    const [file, part] = key.split('#') as [string, string];
    return path.basename(file).replace(/\.md$/i, '') + (part ? `#${part}` : '');
  };
  const chain = [...members, members[0]!].map(name).join(' → ');
  from.file.message(`embed cycle (${chain}): the embed that closes it is shown as a note, not repeated`, {
    place: embed.position,
    ruleId: 'embed-cycle',
    source: 'studyguide',
  });
}

function embedContent(target: WikiTarget, from: Note, index: Index): { nodes: RootContent[]; note: Note; source: string } | null {
  const note = findNote(target.page, from, index);
  if (!note) return null;
  const topics = index.topics.get(note) ?? [];
  if (target.blockId) {
    for (const topic of topics) {
      for (const block of topic.blocks) {
        const found = findBlock(block, target.blockId);
        if (!found) continue;
        // A list item is shown in a list of its own.
        const node: RootContent = found.type === 'listItem' ? { type: 'list', ordered: false, spread: false, children: [found] } : found;
        return { nodes: [node], note, source: topic.path.join(' › ') };
      }
    }
    return null;
  }
  if (target.heading) {
    const topic = topics.find((t) => t.heading && sameTitle(t.title, target.heading!));
    return topic ? { nodes: sectionNodes(topic, false), note, source: topic.path.join(' › ') } : null;
  }
  const roots = topics.filter((t) => !topics.some((p) => p.children.includes(t)));
  if (roots.length === 0) return null;
  return { nodes: roots.flatMap((t) => sectionNodes(t, true)), note, source: note.frontMatter.title ?? roots[0]!.title };
}

/** A topic's content and its subtopics', headings as bold lines (a heading inside a block would nest topics). */
function sectionNodes(topic: Topic, withHeading: boolean): RootContent[] {
  const own: RootContent[] = withHeading && topic.heading ? [headingLine(topic.heading)] : [];
  return [...own, ...topic.blocks, ...topic.children.flatMap((child) => sectionNodes(child, true))];
}

function headingLine(heading: Heading): RootContent {
  return {
    type: 'paragraph',
    data: { hProperties: { className: ['sg-embed-heading'] } },
    children: [{ type: 'strong', children: heading.children }],
    position: heading.position,
  };
}

/** A deep copy that remembers its note, so relative images and `[[#Heading]]` links resolve against it. */
function copyFrom(node: RootContent, note: Note): RootContent {
  const copy = structuredClone(node);
  visit(copy, (n) => {
    if (n.type === 'image' || n.type === 'wikiLink' || n.type === 'wikiEmbed' || n.type === 'footnoteReference') {
      const child = n as Parent & { data?: { noteAbsPath?: string } };
      child.data = { ...child.data, noteAbsPath: child.data?.noteAbsPath ?? note.absPath };
    }
  });
  return copy;
}
