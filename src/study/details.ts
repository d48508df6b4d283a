/**
 * `<details>`: the summary asks, the body answers. A summary such as "Answer" asks nothing: the
 * paragraph or list item before it is the question, else the topic's title. A details that answers
 * a question already carded (under a question heading or list item, or a multiple-choice question's
 * answer: `taken`) is not carded twice.
 */
import type { BlockContent, PhrasingContent, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import type { Details, Topic } from '../types.js';
import { text } from './inline.js';
import { QUESTION } from './patterns.js';
import { asksByHeading, headingAnswerEnd } from './question-heading.js';
import { position, spans } from './source.js';
import type { Card, Taken } from './types.js';

/** A details summary that only says "there is an answer here": the question is the text before it. */
const GENERIC_SUMMARY =
  /^((show |see )?(the )?((worked|full|model|suggested|sample|correct) )?(answers?|solutions?)|reveal|click (here )?to (expand|show|reveal)|details|hint|explanation|ans|spoiler)\b[\s.:!)]*$/i;

/** A summary that asks: a question, or a prompt ("Explain …", "Define …"). */
const ASKING_SUMMARY =
  /\?\s*$|^(explain|define|describe|name|list|compare|contrast|state|give|outline|derive|prove|show that|calculate|what|why|how|when|where|which|who)\b/i;

export function detailsAnswers(topic: Topic, taken: Taken): Card[] {
  const cards: Card[] = [];
  for (const block of topic.blocks) {
    visit(block, 'details', (node: Details, index, parent) => {
      const [summary, ...body] = node.children;
      if (body.length === 0 || taken.has(node)) return;
      const siblings: RootContent[] = parent ? (parent.children as RootContent[]) : topic.blocks;
      const at = parent ? (index ?? 0) : topic.blocks.indexOf(block);
      const before = at > 0 ? siblings[at - 1] : undefined;
      const inItem = parent?.type === 'listItem' ? parent.children[0] : undefined;
      if (inItem?.type === 'paragraph' && QUESTION.test(toString(inItem))) return; // carded by list-items.ts
      if (parent === undefined && asksByHeading(topic) && at < headingAnswerEnd(topic)) return; // part of the heading's answer
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
      cards.push({
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
  return cards;
}
