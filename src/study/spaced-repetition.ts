/**
 * The Obsidian Spaced Repetition plugin's cards, in one paragraph: question lines, a line with
 * only `?` (`??`: both ways), answer lines; or one card a line, `Question::Answer` (`:::`: both
 * ways). In a note tagged `#flashcards` (src/study/flashcard-tags.ts) every such line is a card,
 * as the plugin reads it. In other notes a separator touching a word on either side makes a card
 * only after a prompt: a question (`…?::Answer`) or at least three words, with no comma, not an
 * acronym's name (`What is the capital of France::Paris`; `the AWS::Serverless transform` and
 * `In C++, std::vector` are prose). Never a card, in any note: a line with more than one separator
 * (`AWS::CloudFormation::Init`, `Na⁺/K⁺ pump :: 3 Na⁺ out :: 2 K⁺ in`), a separator in code, math
 * or a link, an address (`fe80::1`, `2001:db8::/32`, `[::1]`), a name running on in a sentence
 * (`… in a std::vector, which …`; in a tagged note, a sentence of more than eight words).
 */
import type { Paragraph, PhrasingContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Topic } from '../types.js';
import { isFlashcardTag, type FlashcardTags } from './flashcard-tags.js';
import { overlapping, paragraph, sliceInline, text, trimInline } from './inline.js';
import { position, trimmedRange, valueSpans } from './source.js';
import type { Card } from './types.js';

/** An address around the separator: `fe80::1`, `2001:db8::/32`, `[::1]:8080`, `is ::1`. */
const isAddress = (front: string, back: string) =>
  /[\d[:(]$/.test(front) || /^[/\]:)]/.test(back) || (/(^|\s)$/.test(front) && /^[\da-f:/.]+(\s|$)/i.test(back));
/** `a std::vector, which …`: the answer's first word runs on into the sentence. */
const NAME_IN_SENTENCE = /^\S+[,;(<]\s*\S/;
/** More words than a prompt has: a sentence. */
const SENTENCE_WORDS = 8;
/** `AWS::Serverless`: an acronym's name. */
const ACRONYM_NAME = /(^|\s)[A-Z]{2,}$/;

/** Whether `front::back` (one line, one separator) is a card: see the module comment. */
function isCard(front: string, back: string, tagged: boolean): boolean {
  const touches = /\S$/.test(front) || /^\S/.test(back);
  if (!touches || /\?$/.test(front.trim())) return true;
  if (isAddress(front, back)) return false;
  const words = front.trim().split(/\s+/).length;
  // In a #flashcards note only a long sentence is read as prose (`hola::hello, hi` is a card).
  if (NAME_IN_SENTENCE.test(back.trim()) && (!tagged || words > SENTENCE_WORDS)) return false;
  if (tagged) return true;
  return words >= 3 && !/[,;]/.test(front) && !(ACRONYM_NAME.test(front) && /^[A-Z]/.test(back));
}

/** Text and the emphasis around it: where a separator is one (in code, math or a link it is their text). */
const PROSE = new Set(['text', 'strong', 'emphasis', 'delete', 'mark']);

/** Whether `toString(block).slice(from, to)` is prose (see `PROSE`). */
function inText(block: Paragraph, from: number, to: number): boolean {
  return [...overlapping(block, from, to)].every(({ child }) => PROSE.has(child.type));
}

/** The plugin writes its review schedule after a card (`<!--SR:!2024-03-18,4,250-->`): not part of the answer. */
const SCHEDULE = /<!--\s*SR:[^>]*-->/;
/** A deck tag written in a card's line, as plain text (when the card's text is cut as plain text). */
const DECK_TAG = /(^|\s)#flashcards(\/[^\s]*)?(?=\s|$)/gi;

export function spacedRepetition(topic: Topic, block: Paragraph, flashcards: FlashcardTags): Card[] {
  const cards: Card[] = [];
  const value = toString(block);
  // A card's own deck tag (`#flashcards/deck Question::Answer`) names its deck, it is not its text.
  const unscheduled = (nodes: PhrasingContent[]) =>
    trimInline(nodes.filter((n) => !(n.type === 'html' && SCHEDULE.test(n.value)) && !(n.type === 'tag' && isFlashcardTag(n.name))));
  const plain = (part: string) => [text(part.replace(new RegExp(SCHEDULE.source, 'g'), '').replace(DECK_TAG, '').trim())];
  const card = (front: string, frontAt: number, back: string, backAt: number, reversed: boolean, line: number) => {
    const [backFrom, backTo] = trimmedRange(value, back, backAt);
    const deck = flashcards.deckAt((block.position?.start.line ?? topic.source.line) + line);
    cards.push({
      kind: 'explicit',
      front: unscheduled(sliceInline(block, ...trimmedRange(value, front, frontAt)) ?? plain(front)),
      back: [paragraph(unscheduled(sliceInline(block, backFrom, backTo) ?? plain(back)))],
      topic,
      source: position(topic, block),
      ...(reversed ? { reversed } : {}),
      blockId: block.data?.blockId,
      blanks: valueSpans(block, backFrom, backTo),
      ...(deck.length > 0 ? { deck } : {}),
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
      card(front, 0, back, backAt, lines[mark]!.trim() === '??', 0);
      return cards;
    }
  }
  let lineAt = 0;
  for (const [i, line] of lines.entries()) {
    if (i > 0) lineAt += lines[i - 1]!.length + 1;
    const parts = line.split(/:{2,}/);
    const separator = /:{2,}/.exec(line)?.[0];
    if (parts.length !== 2 || (separator !== '::' && separator !== ':::')) continue;
    const [front, back] = parts as [string, string];
    if (!front.trim() || !back.trim()) continue;
    const at = lineAt + front.length;
    if (!inText(block, at, at + separator.length) || !isCard(front, back, flashcards.tagged)) continue;
    card(front, lineAt, back, at + separator.length, separator === ':::', i);
  }
  return cards;
}
