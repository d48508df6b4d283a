/**
 * The self-test sheet (`--self-test`): the cheat sheet's topics with every card's answer blanked
 * (src/render/blanks.ts), each blank numbered, and the answer key as the last section.
 */
import { visit } from 'unist-util-visit';
import type { Card, StudySet } from '../study/index.js';
import type { Mark, Topic } from '../types.js';
import { planSelfTest, type NumberedCard } from './blanks.js';
import { addedSection, type HtmlOptions, type HtmlRenderer, type RenderedTopic } from './html.js';
import type { RenderedCard } from './study.js';

/**
 * The sheet's topics rendered with their blanks, then the key. The glossary is left out: it
 * lists the terms the sheet asks for.
 */
export function selfTestTopics(
  study: StudySet,
  sheetTopics: Topic[],
  /** The same topics as the sheet prints them (without what is marked skip): rendered. */
  printed: Topic[],
  /** The study set's cards as the root pages show them, in the same order. */
  cards: RenderedCard[],
  renderer: HtmlRenderer,
  html: HtmlOptions,
  /** The sheet's units each card is written in: its key entry goes when the sheet leaves them out. */
  unitsOf: (card: Card) => number[] = () => [],
): RenderedTopic[] {
  const plan = planSelfTest(study.cards, sheetTopics);
  const key = answerKeyTopic(plan.cards, cards, (card) => clozeAnswers(card, renderer, html), unitsOf);
  return [...renderer.renderTopics(printed, { ...html, blanks: plan.blanks }), key];
}

/** A paragraph's HTML without its `<p>`, to run on in a list item. */
const runOn = (html: string) => (/^<p>(?:(?!<p[\s>])[\s\S])*<\/p>$/.test(html) ? html.slice(3, -4) : null);

/** A cloze card's deletions (what its back marks), as HTML: the key needs no more, the number says where they go. */
function clozeAnswers(card: Card, renderer: HtmlRenderer, html: HtmlOptions): string | null {
  if (card.kind !== 'cloze') return null;
  const terms: string[] = [];
  for (const block of card.back) {
    visit(block, 'mark', (mark: Mark) => {
      terms.push(renderer.renderInline(mark.children, html, card.topic.note.absPath));
    });
  }
  return terms.length ? terms.join(' · ') : null;
}

/**
 * One numbered list: each card's front and its answer. A definition's answer is its term (the
 * definition is the prompt on the sheet), a cloze's its deletions (`cloze`, else the back).
 */
export function answerKeyTopic(
  numbered: NumberedCard[],
  cards: RenderedCard[],
  cloze: (card: Card) => string | null = () => null,
  unitsOf: (card: Card) => number[] = () => [],
): RenderedTopic {
  const items = numbered.map(({ card, index, number }) => {
    const rendered = cards[index]!;
    const entry = (() => {
      if (card.kind === 'definition') return `<strong class="lead">${rendered.front}</strong>`;
      const answer = runOn(rendered.back.trim());
      if (card.kind === 'cloze') return cloze(card) ?? answer ?? rendered.back;
      const front = `<span class="sg-key-q">${rendered.choices?.question ?? rendered.front}</span>`;
      return answer !== null ? `${front} — ${answer}` : `${front}\n${rendered.back}`;
    })();
    const units = unitsOf(card);
    return `<li value="${number}"${units.length ? ` data-k="${units.join(' ')}"` : ''}>${entry}</li>`;
  });
  return addedSection(
    'sg-answer-key',
    'Answer key',
    items.length ? { kind: 'ol', html: `<ol class="sg-key">${items.join('')}</ol>` } : null,
  );
}
