/** A "Scenario" section: the paragraph that poses the problem, then its answer. */
import { toString } from 'mdast-util-to-string';
import type { Topic } from '../types.js';
import { SCENARIO_TITLE } from './patterns.js';
import { position, spans } from './source.js';
import type { Found } from './types.js';

export function scenario(topic: Topic): Found {
  const found: Found = { cards: [], openQuestions: [] };
  // "Practice questions" over subsections that each ask: a list of questions, not one scenario.
  if (!SCENARIO_TITLE.test(topic.title) || (/s$/i.test(topic.title.trim()) && topic.children.length > 0)) return found;
  const [problem, ...answer] = topic.blocks;
  if (problem?.type !== 'paragraph') return found;
  if (answer.length === 0) {
    found.openQuestions.push({ question: toString(problem), topic, source: position(topic, problem) });
    return found;
  }
  found.cards.push({
    kind: 'scenario',
    front: problem.children,
    back: answer,
    topic,
    source: position(topic, problem),
    blanks: spans(answer),
    blockId: problem.data?.blockId,
  });
  return found;
}
