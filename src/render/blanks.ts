/**
 * The self-test sheet's blanks (`--self-test`): what the cards ask for, cut out of the rendered
 * HTML by where it is written in the note. mdast-util-to-hast copies each node's position onto
 * its HTML (rehype-raw and sanitizing keep them), so a text node is split at the blanks' offsets
 * and each covered stretch becomes a line of its width: the text stays in the layout but hidden,
 * so it is not painted and not in the PDF's text (text merely painted transparent would be).
 */
import type { Element, ElementContent, Root as HastRoot, RootContent as HastContent, Text } from 'hast';
import type { VFile } from 'vfile';
import type { Card, Span } from '../study/index.js';
import { walkTopics } from '../tree.js';
import { visit } from 'unist-util-visit';
import type { Topic, WikiEmbed } from '../types.js';

/** What to blank in one note. */
export interface NoteBlanks {
  /** Sorted, neither overlapping nor touching. */
  spans: Span[];
  /** Where each numbered card's first blank starts: its number is shown there. Sorted by offset. */
  marks: { at: number; number: number }[];
}

/** By note (its absolute path). */
export type BlankMap = ReadonlyMap<string, NoteBlanks>;

/** A card of the self-test, its number on the sheet and in the answer key. */
export interface NumberedCard {
  card: Card;
  /** Its place in the study set's cards (and so among the rendered cards). */
  index: number;
  number: number;
}

export interface SelfTestPlan {
  cards: NumberedCard[];
  blanks: BlankMap;
}

/** Spans sorted and merged where they overlap or touch. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const merged: Span[] = [];
  for (const span of [...spans].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/**
 * The cards of the sheet's topics, numbered in reading order (topic by topic, then by where their
 * first blank is; cards with nothing to blank last in their topic), and what to blank in each note.
 */
export function planSelfTest(cards: readonly Card[], sheetTopics: Topic[]): SelfTestPlan {
  const order = new Map([...walkTopics(sheetTopics)].map((topic, i) => [topic, i]));
  const embedded = embeddedNodes(order.keys());
  // A card found in an embed's copy has its blanks in the embedded note's offsets, not its topic's: it is not blanked.
  const blanksOf = (card: Card) => (madeOf(card).some((node) => embedded.has(node)) ? [] : card.blanks);
  const first = (card: Card) => Math.min(...blanksOf(card).map((b) => b.start)); // Infinity for none
  const chosen = cards
    .map((card, index) => ({ card, index }))
    .filter(({ card }) => order.has(card.topic))
    .sort((a, b) => order.get(a.card.topic)! - order.get(b.card.topic)! || first(a.card) - first(b.card) || a.index - b.index);
  const numbered = chosen.map((c, i) => ({ ...c, number: i + 1 }));
  const byNote = new Map<string, { spans: Span[]; marks: NoteBlanks['marks'] }>();
  for (const { card, number } of numbered) {
    const spans = blanksOf(card);
    if (spans.length === 0) continue;
    const note = card.topic.note.absPath;
    const entry = byNote.get(note) ?? { spans: [], marks: [] };
    entry.spans.push(...spans);
    entry.marks.push({ at: first(card), number });
    byNote.set(note, entry);
  }
  const blanks = new Map(
    [...byNote].map(([note, { spans, marks }]) => [note, { spans: mergeSpans(spans), marks: marks.sort((a, b) => a.at - b.at) }]),
  );
  return { cards: numbered, blanks };
}

/** Every node inside the embeds of `topics` (copies of other notes' nodes, made by src/links.ts). */
function embeddedNodes(topics: Iterable<Topic>): WeakSet<object> {
  const nodes = new WeakSet<object>();
  for (const topic of topics) {
    for (const block of topic.blocks) {
      visit(block, 'wikiEmbed', (embed: WikiEmbed) => {
        for (const child of embed.children) visit(child, (node) => void nodes.add(node));
      });
    }
  }
  return nodes;
}

/** The nodes a card's text is made of: cards found inside an embed keep some of its nodes. */
function madeOf(card: Card): object[] {
  const nodes: object[] = [];
  for (const root of [...card.front, ...card.back, ...(card.cloze?.text ?? [])]) visit(root, (node) => void nodes.push(node));
  return nodes;
}

/** How much of a stretch the blanks cover. */
type Cover = 'all' | 'some' | 'none';

/** Elements blanked whole, never entered: replaced content, formulas, diagrams. */
const ATOMIC_TAGS = new Set(['img', 'svg', 'input', 'video', 'audio', 'iframe', 'object', 'embed', 'canvas', 'picture', 'math']);
const ATOMIC_CLASSES = ['sg-math', 'sg-diagram', 'katex'];
/** Atomic elements that are blocks: their blank is a block too (a span cannot hold them). */
const BLOCK_TAGS = new Set(['div', 'figure']);
/** Where only elements belong: whitespace between them is never wrapped (a span in a table row would be moved out of the table). */
const STRUCTURAL = new Set(['table', 'thead', 'tbody', 'tfoot', 'tr', 'ul', 'ol']);

const classesOf = (node: Element) => (Array.isArray(node.properties.className) ? node.properties.className.map(String) : []);
const isAtomic = (node: Element) => ATOMIC_TAGS.has(node.tagName) || classesOf(node).some((c) => ATOMIC_CLASSES.includes(c));

function rangeOf(node: HastContent): [number, number] | undefined {
  const [start, end] = [node.position?.start.offset, node.position?.end.offset];
  return start !== undefined && end !== undefined && end >= start ? [start, end] : undefined;
}

/** The blank line: the outer element draws it, the inner one holds the content, hidden (templates/cheatsheet.css). */
function blank(content: ElementContent[], block: boolean, number: Element[] = []): Element {
  const tagName = block ? 'div' : 'span';
  const classes = block ? ['sg-blank', 'sg-blank-block'] : ['sg-blank'];
  return {
    type: 'element',
    tagName,
    properties: { className: classes },
    children: [...number, { type: 'element', tagName, properties: {}, children: content }],
  };
}

const numberMark = (number: number): Element => ({
  type: 'element',
  tagName: 'sup',
  properties: { className: ['sg-blank-no'] },
  children: [{ type: 'text', value: String(number) }],
});

/**
 * Blank what `blanks` covers in `tree`, the HTML of nodes of one note. A text node whose length in
 * the note is its length in the HTML maps offset for offset and is split; any other one the blanks
 * touch is blanked whole, as is an atomic element (an image, a formula). Nodes made after the
 * markdown (highlighted code, a formula's KaTeX) have no position: they are blanked with the
 * element they are in. Embeds are left as they are: their copies carry another note's positions.
 */
export function blankTree(tree: HastRoot, blanks: NoteBlanks): void {
  const { spans } = blanks;
  if (spans.length === 0) return;
  /** The first span ending after `at`. */
  const spanAfter = (at: number) => {
    let [lo, hi] = [0, spans.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid]!.end <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const coverOf = ([start, end]: [number, number]): Cover => {
    const span = spans[spanAfter(start)];
    if (!span || span.start >= end || end === start) return 'none';
    return span.start <= start && span.end >= end ? 'all' : 'some';
  };
  // Each card's number goes before the first blanked piece of its span that ends after where its blank starts.
  const marksBySpan = new Map<number, NoteBlanks['marks']>();
  for (const mark of blanks.marks) {
    const i = spanAfter(mark.at);
    marksBySpan.set(i, [...(marksBySpan.get(i) ?? []), mark]);
  }
  const numbersFor = ([start, end]: [number, number]): Element[] => {
    const due: Element[] = [];
    for (let i = spanAfter(start); i < spans.length && spans[i]!.start < Math.max(end, start + 1); i++) {
      const marks = marksBySpan.get(i);
      while (marks?.length && marks[0]!.at < end) due.push(numberMark(marks.shift()!.number));
    }
    return due;
  };

  const splitText = (node: Text, [start, end]: [number, number]): ElementContent[] => {
    const out: ElementContent[] = [];
    let at = start;
    for (let i = spanAfter(start); i < spans.length && spans[i]!.start < end; i++) {
      const [a, b] = [Math.max(start, spans[i]!.start), Math.min(end, spans[i]!.end)];
      if (a > at) out.push({ type: 'text', value: node.value.slice(at - start, a - start) });
      out.push(...numbersFor([a, b]), blank([{ type: 'text', value: node.value.slice(a - start, b - start) }], false));
      at = b;
    }
    if (at < end) out.push({ type: 'text', value: node.value.slice(at - start) });
    return out;
  };

  const walk = (parent: HastRoot | Element, inherited: Cover, around: [number, number] | undefined) => {
    const structural = parent.type === 'root' || STRUCTURAL.has(parent.tagName);
    const out: HastContent[] = [];
    for (const child of parent.children) {
      const range = rangeOf(child);
      const cover = range ? coverOf(range) : inherited === 'all' ? 'all' : 'none';
      const at = range ?? around ?? [0, 0];
      if (child.type === 'text') {
        const blankable = child.value !== '' && !(/^\s*$/.test(child.value) && (structural || !range));
        if (cover === 'none' || !blankable) out.push(child);
        else if (cover === 'some' && range && range[1] - range[0] === child.value.length) out.push(...splitText(child, range));
        else out.push(...numbersFor(at), blank([child], false));
      } else if (child.type === 'element') {
        if (classesOf(child).includes('sg-embed') || (range && cover === 'none')) out.push(child);
        else if (isAtomic(child) && cover !== 'none') {
          const block = BLOCK_TAGS.has(child.tagName);
          out.push(...(block ? [blank([child], true, numbersFor(at))] : [...numbersFor(at), blank([child], false)]));
        } else {
          walk(child, cover, range ?? around);
          out.push(child);
        }
      } else if (child.type === 'raw' && cover === 'all') {
        out.push(...numbersFor(at), blank([child as unknown as ElementContent], false));
      } else out.push(child);
    }
    parent.children = out as typeof parent.children;
  };
  walk(tree, 'none', undefined);
}

/** The rehype step: blanks the render's note when the render asks for blanks (`HtmlOptions.blanks`). */
export function rehypeBlanks() {
  return (tree: HastRoot, file: VFile) => {
    const render = file.data.render;
    const blanks = render?.options.blanks?.get(render.noteAbsPath);
    if (blanks) blankTree(tree, blanks);
  };
}
