/** `Q: question` then `A: answer`, in one paragraph (two lines) or two. */
import type { Paragraph, PhrasingContent, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Topic } from '../types.js';
import { paragraph, sliceInline, text } from './inline.js';
import { position, trimmedRange, valueSpans } from './source.js';
import type { Card } from './types.js';

/** The card, and how many paragraphs it is written in (`next` is the answer's when two). */
export interface QuestionAnswer {
  card: Card;
  paragraphs: 1 | 2;
}

export function questionAnswer(topic: Topic, block: Paragraph, next: RootContent | undefined): QuestionAnswer | null {
  const value = toString(block);
  /** `part` of `block`'s text from `at` on, as inline content with its markup (else plain). */
  const inline = (of: Paragraph, part: string, at: number) =>
    sliceInline(of, ...trimmedRange(toString(of), part, at)) ?? [text(part.trim())];
  const card = (front: PhrasingContent[], answer: Paragraph, back: string, backAt: number, blockId?: string): Card => ({
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
    const front = inline(block, both[1]!, value.indexOf('Q:') + 2);
    return { card: card(front, block, both[2]!, value.indexOf('A:', answerAt) + 2, block.data?.blockId), paragraphs: 1 };
  }
  const q = /^\s*Q:\s*([\s\S]+)$/.exec(value);
  if (q && next?.type === 'paragraph') {
    const answer = toString(next);
    const a = /^\s*A:\s*([\s\S]+)$/.exec(answer);
    if (a) {
      const front = inline(block, q[1]!, value.indexOf('Q:') + 2);
      return { card: card(front, next, a[1]!, answer.indexOf('A:') + 2, block.data?.blockId ?? next.data?.blockId), paragraphs: 2 };
    }
  }
  return null;
}
