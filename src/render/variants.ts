/**
 * The render stage: the guide rendered to HTML once for each variant the enabled targets ask for
 * (src/targets/target.ts `Renders`), the flashcards (every build lists them), the cheat sheet's
 * plan of what to print first, and the stylesheets and files the rendered HTML needs (fonts for the
 * characters it shows, KaTeX's when it shows math, the emoji font for callout icons on slides).
 */
import { readFile } from 'node:fs/promises';
import type { VFileMessage } from 'vfile-message';
import { UserError } from '../errors.js';
import type { ImageMap } from '../images.js';
import type { OutputFile } from '../output.js';
import { planSheet, type SheetPlan } from '../priority.js';
import { infoMessage } from '../report.js';
import { scoreCards, standings, type Answer, type CardScore } from '../results.js';
import type { ResolvedSettings } from '../settings.js';
import type { Card, StudySet } from '../study/index.js';
import { templateTexts, type TemplateSource } from '../templates.js';
import { selectTopics, walkTopics } from '../tree.js';
import type { Guide, Note, Topic } from '../types.js';
import { imageFiles, katexFiles } from './assets.js';
import { warnCutCode } from './code-cut.js';
import { codePoints, EMOJI_CSS, fontFiles, type FontFaces } from './fonts.js';
import { glossaryTopic } from './glossary.js';
import { createHtmlRenderer, renderedHtml, type HtmlOptions, type HtmlRenderer, type RenderedTopic } from './html.js';
import { usesMath } from './math.js';
import type { DiagramMap } from './mermaid.js';
import { selfTestTopics } from './self-test.js';
import { renderCards, type RenderedCard } from './study.js';

/** What the render stage can make, each only when an enabled target asks for it (`Target.renders`). */
export interface Renders {
  /** The cheat sheet's topics (selected by --topics/--tags, without what is marked skip, with the glossary). */
  sheet: RenderedTopic[];
  /** The sheet's topics with the cards' answers blanked, then the answer key. */
  'self-test': RenderedTopic[];
  /** Every topic, as the decks show it. */
  deck: RenderedTopic[];
  /** The flashcards as the decks show them (the quiz). */
  'deck-cards': RenderedCard[];
}
export type RenderVariant = keyof Renders;

export interface RenderRequest {
  settings: ResolvedSettings;
  guide: Guide;
  notes: Note[];
  study: StudySet;
  images: ImageMap;
  diagrams: { light: DiagramMap; deck: DiagramMap } | null;
  templates: TemplateSource;
  /** The study results' answers (src/results.ts): weak cards print first on a sheet that must choose. */
  answers: Answer[];
  /** What the enabled targets ask for. */
  variants: Set<RenderVariant>;
  /** Whether an enabled target sets text in the bundled fonts. */
  fonts: boolean;
  /** Kept by a builder across rebuilds: KaTeX's HTML by formula, the font faces by character set. */
  cache: { math: Map<string, string>; fonts: FontFaces };
}

export interface Rendered {
  /** How the study results answered each card (answered cards only). */
  scores: Map<Card, CardScore>;
  renderer: HtmlRenderer;
  rootHtml: HtmlOptions;
  cards: RenderedCard[];
  sheetPlan: SheetPlan;
  renders: Renders;
  styles: { fonts: string[]; math: string | null; emoji: string | null };
  shared: { fonts: OutputFile[]; math: OutputFile[]; images: OutputFile[] };
  messages: { warnings: VFileMessage[]; notices: VFileMessage[] };
}

export async function renderVariants(request: RenderRequest): Promise<Rendered> {
  const { settings, guide, study, images, diagrams, variants } = request;
  const wants = (variant: RenderVariant) => variants.has(variant);
  const sheetTopics = selectTopics(cheatsheetTopics(guide), settings.topics, settings.tags);
  if (wants('sheet') && sheetTopics.length === 0) {
    const asked = [
      settings.topics.length ? `--topics ${settings.topics.join(', ')}` : '',
      settings.tags.length ? `--tags ${settings.tags.join(', ')}` : '',
    ];
    throw new UserError(`${asked.filter(Boolean).join(' with ')} matched no topic of the cheat sheet`);
  }
  const inSheet = new Set([...walkTopics(sheetTopics)].map((t) => t.slug));
  const renderer = createHtmlRenderer({ allowHtml: settings.allowHtml, mathCache: request.cache.math, codeLines: settings.slideCodeLines });
  if (wants('deck')) warnCutCode(request.notes, settings.slideCodeLines);
  const rootHtml: HtmlOptions = {
    images,
    assetPrefix: '',
    diagrams: diagrams?.light,
    topicHref: (slug) => (inSheet.has(slug) ? `#${slug}` : null),
  };
  // Decks link within all.html; a topic deck's links to other decks are pointed there when it is written.
  const slidesHtml: HtmlOptions = {
    images,
    assetPrefix: '../',
    diagrams: diagrams?.deck,
    topicHref: (slug) => `#/${slug}`,
    codeLines: settings.slideCodeLines,
  };
  const where = { notesDir: settings.notes, title: guide.title };
  const cards = renderCards(study, renderer, rootHtml, where);
  // What the sheet prints first when it must leave blocks out (--pages): cards the student got wrong before the rest.
  const scored = scoreCards(
    request.answers,
    study.cards,
    cards.map((card) => card.id),
  );
  const plan = planSheet(sheetTopics, { cards: study.cards, standing: standings(scored.scores) });
  const sheet = wants('sheet') ? renderer.renderTopics(plan.topics, rootHtml) : [];
  if (wants('sheet') && settings.glossary && study.glossary.length > 0) sheet.push(glossaryTopic(study, renderer, rootHtml));
  const unitsOf = (card: Card) => plan.cardUnits.get(card) ?? [];
  const selfTest = wants('self-test') ? selfTestTopics(study, sheetTopics, plan.topics, cards, renderer, rootHtml, unitsOf) : [];
  const deck = wants('deck') ? renderer.renderTopics(guide.topics, slidesHtml) : [];
  const deckCards = wants('deck-cards') ? renderCards(study, renderer, slidesHtml, where) : [];

  // KaTeX's stylesheet and fonts go along only when an output shows math; decks with callouts get the emoji font for their icons.
  const anyMath = [
    ...renderedHtml(sheet),
    ...renderedHtml(selfTest),
    ...renderedHtml(deck),
    ...cards.flatMap((c) => [c.front, c.back]),
  ].some(usesMath);
  const deckCallouts = [...renderedHtml(deck)].some((html) => html.includes('class="callout'));
  const used =
    request.fonts || deckCallouts ? codePoints(await shownTexts(settings, request.templates, [sheet, selfTest, deck], cards)) : null;
  const [fonts, math] = await Promise.all([used ? fontFiles(used, request.cache.fonts) : null, anyMath ? katexFiles() : null]);
  const notices = scored.unmatched
    ? [
        infoMessage(
          `${scored.unmatched} study result${scored.unmatched === 1 ? '' : 's'} name cards no longer in the notes (not counted)`,
          'results',
        ),
      ]
    : [];
  return {
    scores: scored.scores,
    renderer,
    rootHtml,
    cards,
    sheetPlan: plan,
    renders: { sheet, 'self-test': selfTest, deck, 'deck-cards': deckCards },
    styles: { fonts: fonts?.sheets ?? [], math: math?.css ?? null, emoji: deckCallouts ? EMOJI_CSS : null },
    shared: { fonts: fonts?.files ?? [], math: math?.files ?? [], images: imageFiles(images) },
    messages: { warnings: [], notices },
  };
}

/** Topics whose note does not opt out of the cheat sheet (`cheatsheet: skip`, or `false`). */
function cheatsheetTopics(guide: Guide): Topic[] {
  return guide.topics.filter((topic) => topic.note.frontMatter.cheatsheet !== 'skip');
}

/** Everything the outputs show as text, and what templates and stylesheets add to it: the fonts they need come from it. */
async function shownTexts(
  settings: ResolvedSettings,
  templates: TemplateSource,
  topicLists: RenderedTopic[][],
  cards: { front: string; back: string }[],
): Promise<string[]> {
  const texts = [settings.title, ...(await templateTexts(templates))];
  // The stylesheets were checked when the settings were; one gone since adds no characters.
  texts.push(...(await Promise.all(settings.css.map((file) => readFile(file, 'utf8').catch(() => '')))));
  const visit = (topics: RenderedTopic[]) => {
    for (const topic of topics) {
      texts.push(topic.tagsHtml ?? '', ...topic.path);
      visit(topic.children);
    }
  };
  for (const topics of topicLists) {
    texts.push(...renderedHtml(topics));
    visit(topics);
  }
  for (const card of cards) texts.push(card.front, card.back);
  return texts;
}
