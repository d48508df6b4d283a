/**
 * Study features: turn the topic tree into active recall. Pure functions over
 * the tree: flashcards (questions, scenarios, definitions, explicit Q:/A:),
 * open questions (asked but not answered), a glossary, and topics to fill in.
 * Precision matters more than count: a pattern that could pair a front with a
 * back that does not answer it is not used.
 */
import type { BlockContent, List, ListItem, Paragraph, PhrasingContent, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { hasOptions, multipleChoice, type Choice, type MultipleChoice } from './choices.js';
import { walkTopics } from './tree.js';
import type { Details, Guide, SourcePosition, Topic } from './types.js';

export type CardKind = 'question' | 'scenario' | 'definition' | 'explicit' | 'cloze' | 'multiple-choice';

export interface Card {
  kind: CardKind;
  /** The prompt, as inline content (a term, a question). */
  front: PhrasingContent[];
  /** The answer, as blocks. */
  back: RootContent[];
  topic: Topic;
  source: SourcePosition;
  /** Written to be learnt both ways (`:::`, `??`): Anki's "Basic (and reversed card)". */
  reversed?: boolean;
  /**
   * Where the note says what the card asks for, as offsets in its note's text: what the self-test
   * sheet blanks (the answer; a definition's term; a cloze's deletions). Empty when the answer is
   * not written in the note as such (it cannot be blanked, only listed in the key).
   */
  blanks: Span[];
  /** Written with an Obsidian block id (`^id`): the card's Anki id comes from it, so it survives moving the note. */
  blockId?: string;
  /**
   * A cloze card: which deletions it asks for, and the paragraph as Anki's Cloze note type reads
   * it (`{{c1::term::hint}}`), the same array for every card of the paragraph (one Anki note).
   */
  cloze?: { number: number; text: PhrasingContent[] };
  /** A multiple-choice card's options, shown under the front (the back holds the right ones). */
  choices?: Choice[];
}

export interface StudyOptions {
  /** `==term==` highlights are cloze deletions too (`--cloze-highlights`): highlights are not always meant as questions. */
  clozeHighlights?: boolean;
}

/** A stretch of a note's text: `start` to `end` offsets, as in mdast positions. */
export interface Span {
  start: number;
  end: number;
}

export interface OpenQuestion {
  question: string;
  topic: Topic;
  source: SourcePosition;
}

export interface GlossaryEntry {
  term: string;
  /** The definition, as blocks (a paragraph). */
  definition: RootContent[];
  topic: Topic;
  source: SourcePosition;
}

export interface EmptyTopic {
  topic: Topic;
  reason: 'only images' | 'no content';
}

export interface StudySet {
  cards: Card[];
  openQuestions: OpenQuestion[];
  glossary: GlossaryEntry[];
  toFill: EmptyTopic[];
}

const QUESTION = /\?\s*$/;
const SCENARIO_TITLE = /^(scenario|case study|exercise|practice question|exam question)s?\b/i;
/** `**Term** – text`, `**Term** - text`, `**Term**: text` */
const TERM_SEPARATOR = /^\s*(?::|[–—-]\s)\s*/;
/** `**Term** is …`, `**Term** command can only …`: the text after the term reads as a statement about it. */
const TERM_STATEMENT =
  /^\s+(is|are|was|were|means|refers|provides|lets|allows|enables|stores|runs|returns|command|deployment|lifecycle|feature|service|option)\b/i;
/** Plain `Term: text` or `Term – text` at a list item's start: a short term, then the text. */
const PLAIN_TERM = /^([A-Za-z0-9][\w .@/+-]{0,40}?)\s*(?::|\s[–—-])\s+(\S[\s\S]*)$/;

const position = (topic: Topic, node: { position?: { start: { line: number; column: number } } } | null): SourcePosition =>
  node?.position ? { file: topic.source.file, line: node.position.start.line, column: node.position.start.column } : topic.source;

/** The spans of nodes as written in the note (nodes made up by extraction have none). */
const spans = (nodes: readonly { position?: { start: { offset?: number }; end: { offset?: number } } }[]): Span[] =>
  nodes.flatMap((n) =>
    n.position?.start.offset !== undefined && n.position.end.offset !== undefined
      ? [{ start: n.position.start.offset, end: n.position.end.offset }]
      : [],
  );

/**
 * The spans of `toString(block).slice(from, to)` in the note. A text node written as it reads (no
 * escapes or entities) maps offset for offset; any other node overlapping the range counts whole.
 */
function valueSpans(block: Paragraph, from: number, to: number): Span[] {
  const out: Span[] = [];
  for (const { child, a, b, length } of overlapping(block, from, to)) {
    const [start, end] = [child.position?.start.offset, child.position?.end.offset];
    if (start === undefined || end === undefined) continue;
    // A block id (`text ^id`) was cut from the end of the last text: its start still maps.
    const cut = child === block.children.at(-1) && block.data?.blockId !== undefined && end - start > length;
    const exact = child.type === 'text' && (end - start === child.value.length || cut);
    out.push(exact ? { start: start + a, end: start + b } : { start, end });
  }
  return out;
}

/**
 * `toString(block).slice(from, to)` as inline content, its markup kept (emphasis, code, math,
 * links), or null when a node other than text straddles an end (`**Q :: A**`): then plain text.
 */
function sliceInline(block: Paragraph, from: number, to: number): PhrasingContent[] | null {
  const out: PhrasingContent[] = [];
  for (const { child, a, b, length } of overlapping(block, from, to)) {
    if (child.type === 'text') {
      const sliced = child.value.slice(a, b);
      if (sliced.trim() || out.length > 0) out.push({ type: 'text', value: sliced });
    } else if (a === 0 && b === length) out.push(child);
    else return null;
  }
  return trimInline(out);
}

/**
 * The children of `block` that `toString(block).slice(from, to)` overlaps, each with the part of its
 * own text overlapped (`a` to `b`) and that text's length.
 */
function* overlapping(block: Paragraph, from: number, to: number) {
  let at = 0;
  for (const child of block.children) {
    const length = toString(child).length;
    const [a, b] = [Math.max(from, at) - at, Math.min(to, at + length) - at];
    if (a < b) yield { child, a, b, length };
    at += length;
  }
}

/** Without the spaces and line breaks at either end (the separator's, not the card's); the end texts are copies. */
function trimInline(nodes: PhrasingContent[]): PhrasingContent[] {
  const out = [...nodes];
  const trim = (i: number, how: (value: string) => string) => {
    const node = out[i];
    if (node?.type === 'text') out[i] = { ...node, value: how(node.value) };
  };
  trim(0, (v) => v.trimStart());
  trim(out.length - 1, (v) => v.trimEnd());
  return out.filter((n) => n.type !== 'text' || n.value !== '');
}

/** The span of `part` found in `value` from `from` on, trimmed, as `[start, end]` in `value`. */
function trimmedRange(value: string, part: string, from: number): [number, number] {
  const at = value.indexOf(part, from);
  const lead = part.length - part.trimStart().length;
  return [at + lead, at + lead + part.trim().length];
}

const text = (value: string): PhrasingContent => ({ type: 'text', value });
const paragraph = (children: PhrasingContent[]): Paragraph => ({ type: 'paragraph', children });

export function extractStudySet(guide: Guide, options: StudyOptions = {}): StudySet {
  const set: StudySet = { cards: [], openQuestions: [], glossary: [], toFill: [] };
  // Nodes a multiple-choice question is made of: no other pattern makes cards of them.
  const taken = new WeakSet<object>();
  for (const topic of walkTopics(guide.topics)) {
    if (!headingChoice(topic, set, taken)) headingQuestion(topic, set);
    scenario(topic, set);
    blocks(topic, set, taken);
    detailsAnswers(topic, set, taken);
    clozes(topic, set, options);
    emptyTopic(topic, set);
  }
  return set;
}

/** A heading (or the paragraph under it) asking a multiple-choice question of the topic's blocks. */
function headingChoice(topic: Topic, set: StudySet, taken: WeakSet<object>): boolean {
  if (!topic.heading) return false;
  const first = topic.blocks[0];
  const question = first?.type === 'paragraph' ? first : null;
  const found = multipleChoice(question, question ? topic.blocks.slice(1) : topic.blocks);
  if (!found) return false;
  const front = found.question ?? question?.children ?? topic.heading.children;
  if (!choiceCard(topic, front, found, question ?? topic.heading, set)) return false;
  for (const node of [...found.used, ...(question ? [question] : [])]) taken.add(node);
  return true;
}

/**
 * A multiple-choice card: the question with its options on the front, the right options and the
 * explanation on the back. A task list's checked items are not an answer to just anything (a
 * to-do list is not a quiz): its question must ask.
 */
function choiceCard(topic: Topic, front: PhrasingContent[], found: MultipleChoice, at: RootContent, set: StudySet): boolean {
  const asks = /\?|\b(choose|select|which|what|pick)\b/i.test(toString({ type: 'paragraph', children: front }));
  const byTicks = found.choices.some((c) => c.node?.checked === true);
  if (byTicks && !asks) return false;
  const right = found.choices.filter((c) => c.correct);
  const list: List = {
    type: 'list',
    ordered: false,
    spread: false,
    children: right.map((c) => ({ type: 'listItem', spread: false, children: [paragraph(c.content)] })),
  };
  set.cards.push({
    kind: 'multiple-choice',
    front,
    back: [list, ...found.explanation],
    topic,
    source: position(topic, at),
    blanks: spans(found.answerNodes),
    blockId: at.data?.blockId,
    choices: found.choices,
  });
  return true;
}

/** Inline content with some nodes replaced (`swap` returns the nodes to put instead, or null to keep and go inside). */
function mapInline(nodes: PhrasingContent[], swap: (node: PhrasingContent) => PhrasingContent[] | null): PhrasingContent[] {
  return nodes.flatMap((node) => {
    const instead = swap(node);
    if (instead) return instead;
    return 'children' in node ? [{ ...node, children: mapInline(node.children as PhrasingContent[], swap) } as PhrasingContent] : [node];
  });
}

/**
 * Cloze deletions: a paragraph with `{{cN::term}}` (or, with `clozeHighlights`, `==term==`, each
 * its own number) gives a card per number, its deletions shown as `[...]` (or `[hint]`) on the
 * front and highlighted on the back, the others shown as written.
 */
function clozes(topic: Topic, set: StudySet, options: StudyOptions): void {
  for (const block of topic.blocks) {
    visit(block, 'paragraph', (paragraphNode: Paragraph) => {
      const numbers = new Map<PhrasingContent, { number: number; hint?: string }>();
      visit(paragraphNode, 'cloze', (node) => {
        numbers.set(node, { number: node.number, hint: node.hint });
      });
      if (numbers.size === 0 && options.clozeHighlights) {
        visit(paragraphNode, 'mark', (node) => {
          numbers.set(node, { number: numbers.size + 1 });
        });
      }
      if (numbers.size === 0) return;
      const children = (node: PhrasingContent) => ('children' in node ? (node.children as PhrasingContent[]) : []);
      const ankiText = mapInline(paragraphNode.children, (node) => {
        const deletion = numbers.get(node);
        return deletion ? [text(`{{c${deletion.number}::`), ...children(node), text(deletion.hint ? `::${deletion.hint}}}` : '}}')] : null;
      });
      for (const number of [...new Set([...numbers.values()].map((d) => d.number))].sort((a, b) => a - b)) {
        const asked = (node: PhrasingContent) => numbers.get(node)?.number === number;
        const front = mapInline(paragraphNode.children, (node) => {
          const deletion = numbers.get(node);
          if (!deletion) return null;
          return deletion.number === number ? [text(deletion.hint ? `[${deletion.hint}]` : '[...]')] : children(node);
        });
        const back = mapInline(paragraphNode.children, (node) => {
          if (!numbers.has(node)) return null;
          return asked(node) ? [{ type: 'mark', children: children(node) }] : children(node);
        });
        set.cards.push({
          kind: 'cloze',
          front,
          back: [paragraph(back)],
          topic,
          source: position(topic, paragraphNode),
          blanks: spans([...numbers.keys()].filter(asked)),
          blockId: paragraphNode.data?.blockId,
          cloze: { number, text: ankiText },
        });
      }
    });
  }
}

/** A heading that asks: its content answers. With no content, it is an open question. */
/** Where a question heading's answer ends: at the first block that asks something itself (its index; the block count if none). */
function headingAnswerEnd(topic: Topic): number {
  const asks = (b: RootContent) =>
    (b.type === 'paragraph' && (/^\s*Q:/.test(toString(b)) || QUESTION.test(toString(b)))) ||
    (b.type === 'list' && b.children.some((item) => QUESTION.test(toString(item.children[0] ?? { type: 'text', value: '' }))));
  const end = topic.blocks.findIndex(asks);
  return end < 0 ? topic.blocks.length : end;
}

function headingQuestion(topic: Topic, set: StudySet): void {
  if (!topic.heading || !QUESTION.test(topic.title) || SCENARIO_TITLE.test(topic.title)) return;
  if (hasOptions(null, topic.blocks)) {
    // Options with no answer (or one naming no option): the options do not answer it.
    set.openQuestions.push({ question: topic.title, topic, source: topic.source });
    return;
  }
  const answer = topic.blocks.slice(0, headingAnswerEnd(topic));
  if (answer.length > 0) {
    set.cards.push({ kind: 'question', front: topic.heading.children, back: answer, topic, source: topic.source, blanks: spans(answer) });
  } else if (topic.children.length === 0) {
    set.openQuestions.push({ question: topic.title, topic, source: topic.source });
  }
}

/** A "Scenario" section: the paragraph that poses the problem, then its answer. */
function scenario(topic: Topic, set: StudySet): void {
  // "Practice questions" over subsections that each ask: a list of questions, not one scenario.
  if (!SCENARIO_TITLE.test(topic.title) || (/s$/i.test(topic.title.trim()) && topic.children.length > 0)) return;
  const [problem, ...answer] = topic.blocks;
  if (problem?.type !== 'paragraph') return;
  if (answer.length === 0) {
    set.openQuestions.push({ question: toString(problem), topic, source: position(topic, problem) });
    return;
  }
  set.cards.push({
    kind: 'scenario',
    front: problem.children,
    back: answer,
    topic,
    source: position(topic, problem),
    blanks: spans(answer),
    blockId: problem.data?.blockId,
  });
}

/** Patterns inside a topic's own blocks: Q:/A:, bold-term definitions, questions left open. */
function blocks(topic: Topic, set: StudySet, taken: WeakSet<object>): void {
  const scenarioTopic = SCENARIO_TITLE.test(topic.title);
  let consumed = -1; // the `A:` paragraph of a two-paragraph Q:/A: pair
  topic.blocks.forEach((block, i) => {
    if (i === consumed || taken.has(block)) return;
    if (block.type === 'paragraph') {
      const pair = explicit(topic, block, topic.blocks[i + 1], set);
      if (pair === 'two') consumed = i + 1;
      if (pair) return;
      boldDefinition(topic, block, block, set);
      plainDefinition(topic, block, block, [], 4, set);
      // A question on its own at the end of a topic: asked, not answered.
      if (!scenarioTopic && i === topic.blocks.length - 1 && QUESTION.test(toString(block)) && topic.children.length === 0) {
        set.openQuestions.push({ question: toString(block).trim(), topic, source: position(topic, block) });
      }
    }
    if (block.type === 'list') listItems(topic, block, set, taken);
  });
}

/**
 * The Obsidian Spaced Repetition plugin's cards, in one paragraph: question lines, a line with
 * only `?` (`??`: both ways), answer lines; or one card a line, `Question::Answer` (`:::`: both
 * ways). Precision first: a line with more than one separator (`AWS::CloudFormation::Init`) is
 * not a card, nor one whose separator touches a word on either side unless the question ends with
 * `?` (`the AWS::Serverless transform` is prose, `loopback is ::1` an address; write
 * `Question :: Answer` or `Question?::Answer`).
 */
const SCHEDULE = /<!--\s*SR:[^>]*-->/;

function spacedRepetition(topic: Topic, block: Paragraph, set: StudySet): boolean {
  const value = toString(block);
  // The plugin writes its review schedule after a card (`<!--SR:!2024-03-18,4,250-->`): not part of the answer.
  const unscheduled = (nodes: PhrasingContent[]) => trimInline(nodes.filter((n) => !(n.type === 'html' && SCHEDULE.test(n.value))));
  const plain = (part: string) => [text(part.replace(new RegExp(SCHEDULE.source, 'g'), '').trim())];
  const card = (front: string, frontAt: number, back: string, backAt: number, reversed: boolean) => {
    const [backFrom, backTo] = trimmedRange(value, back, backAt);
    set.cards.push({
      kind: 'explicit',
      front: unscheduled(sliceInline(block, ...trimmedRange(value, front, frontAt)) ?? plain(front)),
      back: [paragraph(unscheduled(sliceInline(block, backFrom, backTo) ?? plain(back)))],
      topic,
      source: position(topic, block),
      ...(reversed ? { reversed } : {}),
      blockId: block.data?.blockId,
      blanks: valueSpans(block, backFrom, backTo),
    });
  };
  const lines = value.split('\n');
  // A line of its own between question and answer lines (found line by line: a regular expression
  // over a paragraph of a megabyte would take the square of it).
  const mark = lines.findIndex((line, i) => i > 0 && i < lines.length - 1 && /^\s*\?\??\s*$/.test(line));
  if (mark > 0) {
    const [front, back] = [lines.slice(0, mark).join('\n'), lines.slice(mark + 1).join('\n')];
    if (front.trim() && back.trim()) {
      const backAt = lines.slice(0, mark + 1).join('\n').length + 1;
      card(front, 0, back, backAt, lines[mark]!.trim() === '??');
      return true;
    }
  }
  let found = false;
  let lineAt = 0;
  for (const [i, line] of lines.entries()) {
    if (i > 0) lineAt += lines[i - 1]!.length + 1;
    const parts = line.split(/:{2,}/);
    const separator = /:{2,}/.exec(line)?.[0];
    if (parts.length !== 2 || (separator !== '::' && separator !== ':::')) continue;
    const [front, back] = parts as [string, string];
    if (!front.trim() || !back.trim()) continue;
    const touches = /\S$/.test(front) || /^\S/.test(back);
    if (touches && !/\?$/.test(front.trim())) continue;
    card(front, lineAt, back, lineAt + front.length + separator.length, separator === ':::');
    found = true;
  }
  return found;
}

/** `Q: question` then `A: answer`, in one paragraph (two lines) or two; says which. */
function explicit(topic: Topic, block: Paragraph, next: RootContent | undefined, set: StudySet): 'one' | 'two' | null {
  if (spacedRepetition(topic, block, set)) return 'one';
  const value = toString(block);
  /** `part` of `block`'s text from `at` on, as inline content with its markup (else plain). */
  const inline = (of: Paragraph, part: string, at: number) =>
    sliceInline(of, ...trimmedRange(toString(of), part, at)) ?? [text(part.trim())];
  const push = (front: PhrasingContent[], answer: Paragraph, back: string, backAt: number, blockId?: string) =>
    set.cards.push({
      kind: 'explicit',
      front,
      back: [paragraph(inline(answer, back, backAt))],
      topic,
      source: position(topic, block),
      blockId,
      blanks: valueSpans(answer, ...trimmedRange(toString(answer), back, backAt)),
    });
  const both = /^\s*Q:\s*([\s\S]+?)\n\s*A:\s*([\s\S]+)$/.exec(value);
  if (both) {
    const answerAt = value.search(/\n\s*A:/) + 1;
    push(inline(block, both[1]!, value.indexOf('Q:') + 2), block, both[2]!, value.indexOf('A:', answerAt) + 2, block.data?.blockId);
    return 'one';
  }
  const q = /^\s*Q:\s*([\s\S]+)$/.exec(value);
  if (q && next?.type === 'paragraph') {
    const answer = toString(next);
    const a = /^\s*A:\s*([\s\S]+)$/.exec(answer);
    if (a) {
      push(inline(block, q[1]!, value.indexOf('Q:') + 2), next, a[1]!, answer.indexOf('A:') + 2, block.data?.blockId ?? next.data?.blockId);
      return 'two';
    }
  }
  return null;
}

/** `**Term** – text`, `**Term**: text`, `**Term** is …` at the start of a paragraph. */
function boldDefinition(topic: Topic, block: Paragraph, at: Paragraph | ListItem, set: StudySet): void {
  const [first, second, ...rest] = block.children;
  if (first?.type !== 'strong' || second?.type !== 'text') return;
  const term = toString(first).trim();
  if (!term || term.length > 60 || /[.?!]$/.test(term)) return;
  let definition: RootContent[];
  if (TERM_SEPARATOR.test(second.value)) {
    const after = second.value.replace(TERM_SEPARATOR, '');
    definition = [paragraph([...(after ? [text(after)] : []), ...rest])];
  } else if (TERM_STATEMENT.test(second.value)) {
    definition = [block];
  } else return;
  if (!toString(definition[0]!).trim()) return;
  addDefinition(topic, term, definition, at, spans([first]), set);
}

/** A term and its definition: a glossary entry, and a card whose self-test blank is the term (the definition is the prompt). */
function addDefinition(
  topic: Topic,
  term: string,
  definition: RootContent[],
  at: Paragraph | ListItem,
  termSpans: Span[],
  set: StudySet,
): void {
  const source = position(topic, at);
  set.glossary.push({ term, definition, topic, source });
  set.cards.push({
    kind: 'definition',
    front: [text(term)],
    back: definition,
    topic,
    source,
    blanks: termSpans,
    blockId: at.data?.blockId,
  });
}

function listItems(topic: Topic, list: List, set: StudySet, taken: WeakSet<object>): void {
  for (const item of list.children) {
    const [lead, ...more] = item.children;
    if (lead?.type !== 'paragraph') continue;
    const found = multipleChoice(lead, more);
    if (found && choiceCard(topic, found.question ?? lead.children, found, item, set)) {
      for (const node of found.used) taken.add(node);
      continue;
    }
    const value = toString(lead).trim();
    if (QUESTION.test(value) && hasOptions(lead, more)) {
      // Options with no answer (or one naming no option): the options do not answer it.
      set.openQuestions.push({ question: value, topic, source: position(topic, item) });
      continue;
    }
    if (QUESTION.test(value)) {
      // A list item that asks, with its answer nested under it (or hidden in a details under it).
      const answer = more.length === 1 && more[0]!.type === 'details' ? more[0].children.slice(1) : more;
      if (answer.length > 0)
        set.cards.push({
          kind: 'question',
          front: lead.children,
          back: answer as BlockContent[],
          topic,
          source: position(topic, item),
          blanks: spans(answer),
          blockId: item.data?.blockId,
        });
      else set.openQuestions.push({ question: value, topic, source: position(topic, item) });
      continue;
    }
    if (lead.children[0]?.type === 'strong') {
      boldDefinition(topic, lead, item, set);
      continue;
    }
    plainDefinition(topic, lead, item, more, 6, set);
  }
}

/**
 * Plain `Term: text` or `Term – text` (no bold): in a list item, or opening a
 * paragraph ("In-place deployment: The application…"), with a short term.
 */
function plainDefinition(
  topic: Topic,
  lead: Paragraph,
  at: Paragraph | ListItem,
  more: RootContent[],
  maxWords: number,
  set: StudySet,
): void {
  if (lead.children.length !== 1 || lead.children[0]!.type !== 'text') return;
  const match = PLAIN_TERM.exec(toString(lead).trim());
  if (!match) return;
  const term = match[1]!.trim();
  const definition = match[2]!;
  // `Q:`/`A:` are the explicit form's markers, not terms.
  if (/^[QA]$/i.test(term) || /[.?!,;]/.test(term) || term.split(/\s+/).length > maxWords || !/\s/.test(definition)) return;
  const written = toString(lead);
  const spansOfTerm = valueSpans(lead, ...trimmedRange(written, term, 0));
  addDefinition(topic, term, [paragraph([text(definition)]), ...more], at, spansOfTerm, set);
}

/** A details summary that only says "there is an answer here": the question is the text before it. */
const GENERIC_SUMMARY =
  /^((show |see )?(the )?((worked|full|model|suggested|sample|correct) )?(answers?|solutions?)|reveal|click (here )?to (expand|show|reveal)|details|hint|explanation|ans|spoiler)\b[\s.:!)]*$/i;

/** A summary that asks: a question, or a prompt ("Explain …", "Define …"). */
const ASKING_SUMMARY =
  /\?\s*$|^(explain|define|describe|name|list|compare|contrast|state|give|outline|derive|prove|show that|calculate|what|why|how|when|where|which|who)\b/i;

/**
 * `<details>`: the summary asks, the body answers. A summary such as "Answer"
 * asks nothing: the paragraph or list item before it is the question, else the
 * topic's title. A details that answers a question already carded (under a
 * question heading or list item) is not carded twice.
 */
function detailsAnswers(topic: Topic, set: StudySet, taken: WeakSet<object>): void {
  for (const block of topic.blocks) {
    visit(block, 'details', (node: Details, index, parent) => {
      const [summary, ...body] = node.children;
      if (body.length === 0 || taken.has(node)) return;
      const siblings: RootContent[] = parent ? (parent.children as RootContent[]) : topic.blocks;
      const at = parent ? (index ?? 0) : topic.blocks.indexOf(block);
      const before = at > 0 ? siblings[at - 1] : undefined;
      const inItem = parent?.type === 'listItem' ? parent.children[0] : undefined;
      if (inItem?.type === 'paragraph' && QUESTION.test(toString(inItem))) return; // carded by listItems
      const underQuestion = parent === undefined && topic.heading && QUESTION.test(topic.title) && !SCENARIO_TITLE.test(topic.title);
      if (underQuestion && at < headingAnswerEnd(topic)) return; // part of the heading's answer
      const said = toString(summary).trim();
      // A summary that is a label ("Wireshark capture", "Full config") hides content, not an answer.
      if (!GENERIC_SUMMARY.test(said) && !ASKING_SUMMARY.test(said)) return;
      let front: PhrasingContent[] = summary.children;
      if (GENERIC_SUMMARY.test(said)) {
        if (before?.type === 'paragraph') front = before.children;
        else if (inItem?.type === 'paragraph') front = inItem.children;
        else if (topic.heading) front = topic.heading.children;
        else front = [text(topic.title)];
      }
      set.cards.push({
        kind: 'question',
        front,
        back: body as BlockContent[],
        topic,
        source: position(topic, node),
        blanks: spans(body),
        blockId: node.data?.blockId,
      });
    });
  }
}

/** Topics the student still has to write: no content, or only images. */
function emptyTopic(topic: Topic, set: StudySet): void {
  if (topic.children.length > 0) return;
  if (topic.blocks.length === 0) {
    set.toFill.push({ topic, reason: 'no content' });
    return;
  }
  const onlyImages = topic.blocks.every(
    (b) => b.type === 'paragraph' && b.children.every((c) => c.type === 'image' || (c.type === 'text' && !c.value.trim())),
  );
  if (onlyImages) set.toFill.push({ topic, reason: 'only images' });
}

/** A seeded shuffle (mulberry32), so `--shuffle --seed N` gives the same quiz every time. */
export function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
