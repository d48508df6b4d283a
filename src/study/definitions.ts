/**
 * Terms and their definitions: `**Term** – text`, `**Term**: text`, `**Term** is …`, and plain
 * `Term: text` with a short term. Each is a card whose self-test blank is the term (the definition
 * is the prompt), and a glossary entry (src/study/glossary.ts).
 */
import type { ListItem, Paragraph, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Topic } from '../types.js';
import { paragraph, text } from './inline.js';
import { position, spans, trimmedRange, valueSpans } from './source.js';
import type { Card, Span } from './types.js';

/** `**Term** – text`, `**Term** - text`, `**Term**: text` */
const TERM_SEPARATOR = /^\s*(?::|[–—-]\s)\s*/;
/** `**Term** is …`, `**Term** command can only …`: the text after the term reads as a statement about it. */
const TERM_STATEMENT =
  /^\s+(is|are|was|were|means|refers|provides|lets|allows|enables|stores|runs|returns|command|deployment|lifecycle|feature|service|option)\b/i;
/** Plain `Term: text` or `Term – text` at a list item's start: a short term, then the text. */
const PLAIN_TERM = /^([A-Za-z0-9][\w .@/+-]{0,40}?)\s*(?::|\s[–—-])\s+(\S[\s\S]*)$/;

/** `**Term** – text`, `**Term**: text`, `**Term** is …` at the start of a paragraph (`at`: where it is written). */
export function boldDefinition(topic: Topic, block: Paragraph, at: Paragraph | ListItem): Card | null {
  const [first, second, ...rest] = block.children;
  if (first?.type !== 'strong' || second?.type !== 'text') return null;
  const term = toString(first).trim();
  if (!term || term.length > 60 || /[.?!]$/.test(term)) return null;
  let definition: RootContent[];
  if (TERM_SEPARATOR.test(second.value)) {
    const after = second.value.replace(TERM_SEPARATOR, '');
    definition = [paragraph([...(after ? [text(after)] : []), ...rest])];
  } else if (TERM_STATEMENT.test(second.value)) {
    definition = [block];
  } else return null;
  if (!toString(definition[0]!).trim()) return null;
  return definitionCard(topic, term, definition, at, spans([first]));
}

/**
 * Plain `Term: text` or `Term – text` (no bold): in a list item (`more`: the blocks under it), or
 * opening a paragraph ("In-place deployment: The application…"), with a term of at most `maxWords`.
 */
export function plainDefinition(
  topic: Topic,
  lead: Paragraph,
  at: Paragraph | ListItem,
  more: RootContent[],
  maxWords: number,
): Card | null {
  if (lead.children.length !== 1 || lead.children[0]!.type !== 'text') return null;
  const match = PLAIN_TERM.exec(toString(lead).trim());
  if (!match) return null;
  const term = match[1]!.trim();
  const definition = match[2]!;
  // `Q:`/`A:` are the explicit form's markers, not terms.
  if (/^[QA]$/i.test(term) || /[.?!,;]/.test(term) || term.split(/\s+/).length > maxWords || !/\s/.test(definition)) return null;
  const written = toString(lead);
  const spansOfTerm = valueSpans(lead, ...trimmedRange(written, term, 0));
  return definitionCard(topic, term, [paragraph([text(definition)]), ...more], at, spansOfTerm);
}

function definitionCard(topic: Topic, term: string, definition: RootContent[], at: Paragraph | ListItem, termSpans: Span[]): Card {
  return {
    kind: 'definition',
    front: [text(term)],
    back: definition,
    topic,
    source: position(topic, at),
    blanks: termSpans,
    blockId: at.data?.blockId,
  };
}
