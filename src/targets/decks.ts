/**
 * `slides/*.html`: one reveal.js deck per top-level topic, one for
 * everything, one quiz. Every slide is fitted in Chromium; a rebuild fits only
 * the slides whose content or layout environment changed.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { browserTimeout, closeWarmPage, inWarmPage, type WarmPage } from '../browser.js';
import type { ImageMap } from '../images.js';
import { portableName } from '../names.js';
import type { OutputFile } from '../output.js';
import { revealFiles } from '../render/assets.js';
import {
  allDeck,
  deckHomes,
  fitPageShell,
  fitSlides,
  renderFitPage,
  linkAcrossDecks,
  loadDeckTemplates,
  renderDeck,
  topicDeck,
  type Deck,
  type DeckTemplates,
  type FitSlide,
  type FittedSlides,
  type SlidesOptions,
} from '../render/slides.js';
import { quizSlides } from '../render/study.js';
import { buildWarning } from '../report.js';
import { shuffle } from '../render/shuffle.js';
import { wantsDecks } from '../settings.js';
import { templatePath } from '../templates.js';
import type { Target, TargetContext, TargetInput } from './target.js';

/** What a build warns about a fitted slide. */
interface SlideWarning {
  reason: string;
  ruleId: 'slide-legibility' | 'slide-overflow';
}

/** A slide fitted: its sections, and its warnings (kept with it: every build says them again). */
interface Fitted {
  sections: string[];
  warnings: SlideWarning[];
}

/** Fitted slides by a hash of the slide and everything that shapes its layout, and the tab they are fitted in. */
interface FitCache {
  fits: Map<string, Fitted>;
  /** Kept for the next build: a new tab costs more than the fitting of an edit. */
  warm: WarmPage;
}

declare module './target.js' {
  interface Summaries {
    decks: DecksResult;
  }
}

type DeckVariant = 'deck' | 'deck-cards';

export interface DeckSummary {
  name: string;
  title: string;
  slides: number;
  source?: string;
}

export interface DecksResult {
  decks: DeckSummary[];
  /** Slides fitted in this build (the others came from the cache). */
  fitted: number;
  /** The decks as built, for the handouts. */
  built: Deck[];
  options: SlidesOptions;
}

/** `slides/user-1-mine.css`: the user's stylesheets, copied next to the decks (the end of a long name: it keeps `.css`). */
const userCssName = (file: string, i: number) =>
  `user-${i + 1}-${portableName(
    path
      .basename(file)
      .replace(/[^\w.-]+/g, '_')
      .slice(-60),
  )}`;

/** Stylesheets the decks' content needs, relative to the output folder. */
const deckStyles = (input: Pick<TargetInput, 'styles'>) => [
  ...(input.styles.math ? [input.styles.math] : []),
  ...(input.styles.emoji ? [input.styles.emoji] : []),
];

export function slidesOptions(input: TargetInput<DeckVariant>): SlidesOptions {
  const { settings } = input;
  return {
    title: input.guide.title,
    theme: settings.theme,
    ...settings.slideSize,
    fragments: settings.fragments,
    userCss: settings.css.map(userCssName),
    styles: deckStyles(input),
  };
}

export const decks: Target<'decks', FitCache, DeckVariant> = {
  name: 'decks',
  enabled: wantsDecks,
  renders: ['deck', 'deck-cards'],
  createCache: () => ({ fits: new Map(), warm: {} }),
  dispose: (cache) => closeWarmPage(cache.warm),
  async assets(input) {
    const { settings } = input;
    return [
      ...(await revealFiles(settings.theme)),
      { path: 'slides/studyguide.css', copyFrom: templatePath(input.templates, 'slides.css') },
      ...settings.css.map((file, i) => ({ path: `slides/${userCssName(file, i)}`, copyFrom: file })),
      ...input.shared.images,
      ...input.shared.math,
      ...(input.styles.emoji ? input.shared.fonts : []),
    ];
  },
  describe: (result) => `${result.decks.length} decks, ${result.fitted} slides fitted`,
  async build(input, ctx) {
    const { guide, settings } = input;
    const options = slidesOptions(input);
    const templates = await loadDeckTemplates(input.templates);
    const quizCards = settings.shuffle ? shuffle(input.renders['deck-cards'], settings.seed ?? Date.now()) : input.renders['deck-cards'];
    const quiz = quizSlides(quizCards, guide.title);
    const { fitted, warnings, fittedNow } = await fitWithCache(
      [...fitSlides(guide.title, input.renders.deck), ...quiz],
      options,
      templates,
      input,
      ctx,
    );
    const built: Deck[] = [
      allDeck(guide.title, input.renders.deck, fitted),
      ...input.renders.deck.map((t) => topicDeck(guide.title, t, fitted)),
    ];
    if (quizCards.length > 0)
      built.push({ name: 'quiz', title: `Quiz — ${guide.title}`, stacks: quiz.map((slide) => fitted[slide.key] ?? []) });
    const deckOf = deckHomes(input.renders.deck);
    const places = topicPlaces(input);
    const files: OutputFile[] = built.map((deck) => ({
      path: `slides/${deck.name}.html`,
      source: places.get(deck.name),
      data: renderDeck(linkAcrossDecks(deck, deckOf), options, templates),
    }));
    const sources = new Map(guide.topics.map((t) => [t.slug, `${t.source.file}:${t.source.line}`]));
    const summaries = built.map((deck) => ({
      name: deck.name,
      title: deck.name === 'all' ? 'All topics' : deck.name === 'quiz' ? 'Quiz' : deck.title.split(' — ')[0]!,
      slides: deck.stacks.reduce((sum, stack) => sum + stack.length, 0),
      source: sources.get(deck.name),
    }));
    const messages = warnings.map((w) => buildWarning(w.reason, w.ruleId));
    return { files, messages, summary: { decks: summaries, fitted: fittedNow, built, options } };
  },
};

/** `file:line:column` of the heading each topic deck is named after, by deck name (all.html and the quiz have none). */
export function topicPlaces(input: Pick<TargetInput, 'guide'>): Map<string, string> {
  return new Map(input.guide.topics.map((t) => [t.slug, `${t.source.file}:${t.source.line}:${t.source.column}`]));
}

/** Size and time of every image file shown: a changed image re-fits the slides. */
async function imageStamp(images: ImageMap): Promise<string> {
  const files = [...new Set([...images.values()].flatMap((i) => (i.kind === 'file' ? [i.source] : [])))].sort();
  const stats = await Promise.all(
    files.map((f) =>
      stat(f).then(
        (s) => `${f}:${s.size}:${s.mtimeMs}`,
        () => f,
      ),
    ),
  );
  return stats.join('|');
}

/**
 * Fit only the slides whose content (or whose layout environment: templates,
 * theme, stylesheets, images) changed since the last build; the rest come
 * from the cache. An edit to one note fits that note's slides only.
 */
async function fitWithCache(
  slides: FitSlide[],
  options: SlidesOptions,
  templates: DeckTemplates,
  input: TargetInput<DeckVariant>,
  ctx: TargetContext<FitCache>,
): Promise<{ fitted: FittedSlides; warnings: SlideWarning[]; fittedNow: number }> {
  const env = createHash('sha1');
  env
    .update(JSON.stringify(options))
    .update(templates.fitScript)
    .update(await imageStamp(input.images));
  for (const file of ['slides.hbs', 'slides.css']) env.update(await readFile(templatePath(input.templates, file)));
  for (const css of input.settings.css) env.update(await readFile(css));
  const envHash = env.digest('hex');
  // What a slide shows, not its key: the key (`quiz:12`) only finds the result again, and shifts
  // for every later card when a note gains a card, which made a one-note edit fit 840 slides again.
  const keyOf = (slide: FitSlide) =>
    createHash('sha1')
      .update(envHash)
      .update(JSON.stringify([slide.id ?? null, slide.classes, slide.html]))
      .digest('hex');

  const fitted: FittedSlides = {};
  const notes = new Map<string, SlideWarning[]>();
  const keys = new Map(slides.map((slide) => [slide, keyOf(slide)]));
  const missing = slides.filter((slide) => {
    const hit = ctx.cache.fits.get(keys.get(slide)!);
    if (hit) {
      fitted[slide.key] = hit.sections;
      notes.set(slide.key, hit.warnings);
    }
    return !hit;
  });
  // A slide in several decks is fitted once: its warnings are said once.
  const warnings = () => [...new Map([...notes.values()].flat().map((w) => [w.reason, w])).values()];
  if (missing.length === 0) return { fitted, warnings: warnings(), fittedNow: 0 };
  const shellKey = createHash('sha1').update(envHash).update(fitPageShell(options, templates)).digest('hex');
  const local = {
    dir: path.join(input.settings.out, 'slides'),
    name: 'fit',
    html: renderFitPage(missing, options, templates),
    program: 'slides-fit' as const,
    onBlocked: ctx.onBlocked,
    timeout: browserTimeout(missing.length, 100),
    viewport: { width: options.width, height: options.height },
  };
  const fresh = await inWarmPage(ctx.cache.warm, await ctx.browser(), shellKey, local, async (_page, result) => result);
  for (const slide of missing) {
    const sections = fresh.slides[slide.key] ?? [];
    const said: SlideWarning[] = fresh.belowFloor
      .filter((b) => b.key === slide.key)
      .map((b) => ({
        reason:
          `slides: ${b.key}: ${b.block} is scaled to ${Math.round(b.scale * 100)}% (smallest text ${b.px} px), ` +
          'below the legibility floor: it cannot be split',
        ruleId: 'slide-legibility',
      }));
    if (fresh.overflowing.includes(slide.key))
      said.push({ reason: `slides: ${slide.key} still overflows after fitting`, ruleId: 'slide-overflow' });
    fitted[slide.key] = sections;
    notes.set(slide.key, said);
    ctx.cache.fits.set(keys.get(slide)!, { sections, warnings: said });
  }
  return { fitted, warnings: warnings(), fittedNow: missing.length };
}
