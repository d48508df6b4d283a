/**
 * What the cheat sheet prints first when the notes do not fit `--pages` (pure: no I/O). The
 * sheet's topics are cut into units — a block, or each item of a top-level list — and each
 * unit gets a priority:
 *   core  marked `#cheatsheet/core` (block or section) or `cheatsheet: core` (note): always printed
 *   1     definitions, theorems, display formulas; callouts that state (important, definition,
 *         theorem, formula, summary, tip, warning)
 *   2     tables, flashcard answers, steps (numbered list items), bullets with a lead term
 *   3     other prose
 *   4     examples, proofs, worked solutions (by heading or callout), long code, images, diagrams
 *   skip  marked `#cheatsheet/skip`: never printed (the slides keep it)
 * Cards the student got wrong (study results) go up one priority, cards always answered right
 * down one. Units are then ranked: by priority, then by their place in their section (every
 * section's first blocks before any section's later ones), then in reading order.
 */
import type { List, ListItem, Nodes, Parent, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Card } from './study/index.js';
import type { SheetMark, Topic } from './types.js';

export type Priority = 'core' | 1 | 2 | 3 | 4 | 'skip';

/** What a unit is, as the left-out list names it. */
export type UnitKind =
  | 'paragraph'
  | 'list item'
  | 'table'
  | 'code'
  | 'formula'
  | 'callout'
  | 'image'
  | 'diagram'
  | 'details'
  | 'quote'
  | 'embed'
  | 'html'
  | 'rule'
  | 'block';

/** One unit the sheet may print or leave out. */
export interface SheetUnit {
  /** Display path of the note, as in messages. */
  file: string;
  line: number;
  kind: UnitKind;
  priority: Priority;
  /** The unit as plain text, whitespace collapsed, at most 80 characters. */
  text: string;
  /** Characters of its plain text: what "share of the text" counts. */
  chars: number;
  /** The order the selection takes units in (core first): 0, 1, 2, … */
  rank: number;
  /** Path of titles of the topic it is in. */
  topic: string[];
}

/** How a student did on a card (study results): more wrong than never, or always right. */
export type CardStanding = 'weak' | 'strong';

export interface SheetPlan {
  /** Every unit of the sheet's topics, skipped ones included, in reading order. */
  units: SheetUnit[];
  /** The units of each top-level block, by `notePath:offset`: one, or one per item of a list. */
  blocks: Map<string, number[]>;
  /** The topics without the skipped blocks and list items: what the sheet renders. */
  topics: Topic[];
  /** The units each card is written in (front and answer): the self-test's key leaves a card out with them. */
  cardUnits: Map<Card, number[]>;
}

const TEXT_LENGTH = 80;
/** Code longer than this is "long code" (priority 4). */
const LONG_CODE_LINES = 15;
/** Headings of sections that show rather than state. */
const SHOWING_TITLE =
  /^(examples?|e\.\s?g\.|for example|sample|illustrations?|proofs?|derivations?|worked(\s+(examples?|solutions?|problems?))?|solutions?|walkthroughs?)\b/i;
/** Callout families that state what to know, and those that show it. */
const STATING_FAMILIES = new Set(['important', 'definition', 'theorem', 'abstract', 'tip', 'warning', 'caution', 'danger']);
const STATING_TYPES = new Set(['formula', 'formulas', 'equation', 'law', 'rule', 'key']);
const SHOWING_FAMILIES = new Set(['example', 'proof']);
/** A paragraph or item that opens with one of these words in bold states a definition or result. */
const STATING_LEAD = /^(definitions?|def|theorem|lemma|corollary|proposition|law|formula|rule|axiom|identity|key (idea|fact|point))\b/i;
/** `Term: text` or `Term – text` at the start of a list item (a lead term without bold). */
const PLAIN_TERM = /^[\p{L}\p{N}][\p{L}\p{N} .@/+()'-]{0,40}?\s*(?::|\s[–—-])\s+\S/u;

export interface PlanOptions {
  /** The study set's cards, and how the student did on each (study results); none without results. */
  cards: Card[];
  standing?: Map<Card, CardStanding>;
}

/** The sheet's units, their priorities and ranks, and the topics without what is skipped. */
export function planSheet(topics: Topic[], options: PlanOptions): SheetPlan {
  const carded = cardSpans(options.cards, options.standing);
  const units: SheetUnit[] = [];
  const blocks = new Map<string, number[]>();
  const cardUnits = new Map<Card, number[]>();
  /** Per unit, its place in its section (for ranking). */
  const places: number[] = [];

  const visit = (topic: Topic, inherited: SheetMark | undefined, showing: boolean): Topic => {
    const mark = topic.heading?.data?.sheet ?? inherited;
    const shows = showing || SHOWING_TITLE.test(topic.title);
    let place = 0;
    const kept: RootContent[] = [];
    for (const block of topic.blocks) {
      const add = (node: Nodes, kind: UnitKind, auto: Priority): number => {
        const text = plainText(node);
        const priority =
          mark === 'skip' || node.data?.sheet === 'skip' ? 'skip' : mark === 'core' || node.data?.sheet === 'core' ? 'core' : auto;
        units.push({
          file: topic.note.path,
          line: node.position?.start.line ?? topic.source.line,
          kind,
          priority,
          text: text.slice(0, TEXT_LENGTH),
          chars: text.length,
          rank: 0,
          topic: topic.path,
        });
        places.push(place++);
        const id = units.length - 1;
        for (const card of carded.all(node, topic.note.path)) cardUnits.set(card, [...(cardUnits.get(card) ?? []), id]);
        return id;
      };
      const key = blockKey(topic.source.file, block.position?.start.offset);
      if (block.type === 'list') {
        const ids: number[] = [];
        const items: ListItem[] = [];
        for (const item of block.children) {
          const id = add(item, 'list item', adjust(itemPriority(block, item, shows), item, topic.note.path, carded));
          // A mark on the list (a marker alone after it) marks each item.
          if (block.data?.sheet && units[id]!.priority !== 'core') units[id]!.priority = block.data.sheet;
          if (units[id]!.priority === 'skip') continue;
          ids.push(id);
          items.push(withoutSkipped(item));
        }
        if (items.length === 0) continue;
        if (key) blocks.set(key, ids);
        kept.push(
          items.length === block.children.length && items.every((item, i) => item === block.children[i])
            ? block
            : { ...block, children: items },
        );
        continue;
      }
      const kind = kindOf(block);
      const id = add(block, kind, adjust(blockPriority(block, kind, shows), block, topic.note.path, carded));
      if (units[id]!.priority === 'skip') continue;
      if (key) blocks.set(key, [id]);
      kept.push(withoutSkipped(block));
    }
    const children = topic.children.map((child) => visit(child, mark, shows));
    const same = kept.length === topic.blocks.length && kept.every((b, i) => b === topic.blocks[i]);
    const unchanged = same && children.every((c, i) => c === topic.children[i]);
    return unchanged ? topic : { ...topic, blocks: same ? topic.blocks : kept, children };
  };
  const noteMark = (topic: Topic) => (topic.note.frontMatter.cheatsheet === 'core' ? 'core' : undefined);
  const planned = topics.map((topic) => visit(topic, noteMark(topic), false));

  // Core first, then by priority, by place in the section, in reading order.
  const weight = (p: Priority) => (p === 'core' ? 0 : p === 'skip' ? 9 : p);
  const order = units.map((_, i) => i);
  order.sort((a, b) => weight(units[a]!.priority) - weight(units[b]!.priority) || places[a]! - places[b]! || a - b);
  order.forEach((unit, rank) => (units[unit]!.rank = rank));
  return { units, blocks, topics: planned, cardUnits };
}

/** The key that finds a top-level block's units again from its rendered HTML (`RenderedBlock.at`). */
export function blockKey(file: string, offset: number | undefined): string | null {
  return offset === undefined ? null : `${file}:${offset}`;
}

function kindOf(node: RootContent): UnitKind {
  switch (node.type) {
    case 'paragraph':
      return onlyImages(node) ? 'image' : 'paragraph';
    case 'table':
      return 'table';
    case 'code':
      return /^mermaid$/i.test(node.lang ?? '') ? 'diagram' : 'code';
    case 'math':
      return 'formula';
    case 'callout':
      return 'callout';
    case 'details':
      return 'details';
    case 'blockquote':
      return 'quote';
    case 'wikiEmbed':
      return 'embed';
    case 'html':
      return /<im(?:g|age)\b/i.test(node.value) ? 'image' : 'html';
    case 'thematicBreak':
      return 'rule';
    default:
      return 'block';
  }
}

function blockPriority(node: RootContent, kind: UnitKind, showing: boolean): 1 | 2 | 3 | 4 {
  if (kind === 'callout' && node.type === 'callout') {
    if (SHOWING_FAMILIES.has(node.family)) return 4;
    if (STATING_FAMILIES.has(node.family) || STATING_TYPES.has(node.calloutType)) return 1;
  }
  if (kind === 'image' || kind === 'diagram') return 4;
  if (showing) return 4;
  switch (kind) {
    case 'formula':
      return 1;
    case 'table':
      return 2;
    case 'code':
      return node.type === 'code' && node.value.split('\n').length > LONG_CODE_LINES ? 4 : 3;
    case 'paragraph':
      return node.type === 'paragraph' && (onlyMath(node) || statesLead(node)) ? 1 : 3;
    default:
      return 3;
  }
}

function itemPriority(list: List, item: ListItem, showing: boolean): 1 | 2 | 3 | 4 {
  if (showing) return 4;
  const first = item.children[0];
  if (first?.type === 'paragraph') {
    if (statesLead(first)) return 1;
    if (first.children[0]?.type === 'strong' || PLAIN_TERM.test(toString(first))) return 2;
  }
  return list.ordered ? 2 : 3;
}

/** A flashcard's blocks (front and answer) print before other prose; weak cards one higher, mastered ones one lower. */
function adjust(auto: 1 | 2 | 3 | 4, node: Nodes, file: string, carded: CardSpans): 1 | 2 | 3 | 4 {
  const card = carded.find(node, file);
  if (!card) return auto;
  // A definition is what the sheet is for; any other card's answer comes right after. What only
  // shows (an example, a proof, long code, an image) stays last, whatever card it holds.
  const base = auto === 4 ? 4 : card.definition ? 1 : Math.min(auto, 2);
  const moved = card.standing === 'weak' ? base - 1 : card.standing === 'strong' ? base + 1 : base;
  return Math.min(4, Math.max(1, moved)) as 1 | 2 | 3 | 4;
}

interface CardSpan {
  card: Card;
  start: number;
  end: number;
  definition: boolean;
  standing?: CardStanding;
}
interface CardSpans {
  /** The card written in `node` of note `file` (a weak one first), if any. */
  find(node: Nodes, file: string): CardSpan | null;
  /** Every card written (in part) in `node`. */
  all(node: Nodes, file: string): Card[];
}

/** Where each card is written (front and answer), as offsets per note, to find the units that hold a card. */
function cardSpans(cards: Card[], standing?: Map<Card, CardStanding>): CardSpans {
  const byNote = new Map<string, CardSpan[]>();
  for (const card of cards) {
    const spans = byNote.get(card.topic.note.path) ?? [];
    byNote.set(card.topic.note.path, spans);
    const own = { card, definition: card.kind === 'definition', standing: standing?.get(card) };
    for (const node of [...card.front, ...card.back]) {
      const start = node.position?.start.offset;
      const end = node.position?.end.offset;
      if (start !== undefined && end !== undefined) spans.push({ start, end, ...own });
    }
    for (const span of card.blanks) spans.push({ ...span, ...own });
  }
  const overlapping = (node: Nodes, file: string): CardSpan[] => {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) return [];
    return (byNote.get(file) ?? []).filter((span) => span.start < end && span.end > start);
  };
  return {
    find(node, file) {
      let found: CardSpan | null = null;
      for (const span of overlapping(node, file)) {
        if (span.standing === 'weak') return span;
        if (!found || (!found.standing && span.standing) || (!found.definition && span.definition)) found = span;
      }
      return found;
    },
    all: (node, file) => [...new Set(overlapping(node, file).map((span) => span.card))],
  };
}

function withoutSkipped<T extends RootContent>(node: T): T {
  if (!('children' in node) || !containsMark(node, 'skip')) return node;
  const children = (node.children as RootContent[]).filter((c) => c.data?.sheet !== 'skip').map(withoutSkipped);
  return { ...node, children } as T;
}

function containsMark(node: Nodes, mark: SheetMark): boolean {
  if (node.data?.sheet === mark) return true;
  return 'children' in node && (node.children as Nodes[]).some((child) => containsMark(child, mark));
}

/** The unit as text: what it says, or for an image what it shows and where from. */
function plainText(node: Nodes): string {
  const images: string[] = [];
  if (node.type === 'paragraph' && onlyImages(node)) {
    for (const child of node.children) if (child.type === 'image') images.push(`${child.alt ? `${child.alt}: ` : ''}${child.url}`);
  }
  return (images.length ? images.join(' ') : toString(node)).replace(/\s+/g, ' ').trim();
}

function onlyImages(node: Parent): boolean {
  const content = node.children.filter((c) => !(c.type === 'text' && c.value.trim() === '') && c.type !== 'break');
  return content.length > 0 && content.every((c) => c.type === 'image' || c.type === 'imageReference');
}

function onlyMath(node: Parent): boolean {
  const content = node.children.filter((c) => !(c.type === 'text' && c.value.trim() === ''));
  return content.length > 0 && content.every((c) => c.type === 'inlineMath');
}

/** Opens with a bold "Definition", "Theorem", "Law" …: states something to know. */
function statesLead(node: Parent): boolean {
  const first = node.children[0];
  return first?.type === 'strong' && STATING_LEAD.test(toString(first).trim());
}
