/**
 * The Obsidian Spaced Repetition plugin's cards, in one paragraph: question lines, a line with
 * only `?` (`??`: both ways), answer lines; or one card a line, `Question::Answer` (`:::`: both
 * ways). Precision first: a line with more than one separator (`AWS::CloudFormation::Init`) is
 * not a card, nor one whose separator touches a word on either side unless the question ends with
 * `?` (`the AWS::Serverless transform` is prose, `loopback is ::1` an address; write
 * `Question :: Answer` or `Question?::Answer`).
 */
import type { Paragraph, PhrasingContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Topic } from '../types.js';
import { paragraph, sliceInline, text, trimInline } from './inline.js';
import { position, trimmedRange, valueSpans } from './source.js';
import type { Card } from './types.js';

/** The plugin writes its review schedule after a card (`<!--SR:!2024-03-18,4,250-->`): not part of the answer. */
const SCHEDULE = /<!--\s*SR:[^>]*-->/;

export function spacedRepetition(topic: Topic, block: Paragraph): Card[] {
  const cards: Card[] = [];
  const value = toString(block);
  const unscheduled = (nodes: PhrasingContent[]) => trimInline(nodes.filter((n) => !(n.type === 'html' && SCHEDULE.test(n.value))));
  const plain = (part: string) => [text(part.replace(new RegExp(SCHEDULE.source, 'g'), '').trim())];
  const card = (front: string, frontAt: number, back: string, backAt: number, reversed: boolean) => {
    const [backFrom, backTo] = trimmedRange(value, back, backAt);
    cards.push({
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
    const touches = /\S$/.test(front) || /^\S/.test(back);
    if (touches && !/\?$/.test(front.trim())) continue;
    card(front, lineAt, back, lineAt + front.length + separator.length, separator === ':::');
  }
  return cards;
}
