/**
 * Slide decks: rendered topics → reveal.js decks, one per top-level topic and
 * one for everything. Slides are fitted at build time in Chromium
 * (src/page/slides-fit.ts), so the decks on disk never overflow.
 */
import { pageScript } from '../browser.js';
import type { FittedSlides, SlidesFitConfig } from '../page/protocol.js';
import { scriptHashSource } from '../safety.js';
import type { TemplateSource } from '../templates.js';
import { loadTemplate } from '../templates.js';
import { escapeHtml, type RenderedTopic } from './html.js';

export interface SlidesOptions {
  title: string;
  theme: string;
  width: number;
  height: number;
  /** Show list items one by one. */
  fragments: boolean;
  /** The user's stylesheets, relative to the slides folder. */
  userCss: string[];
  /** Stylesheets the content needs (KaTeX's, the emoji font for callout icons), relative to the output folder. */
  styles: string[];
}

/** One slide before fitting, keyed so the fitted result can be found again. */
export interface FitSlide {
  key: string;
  id?: string;
  classes: string;
  html: string;
}

/** Fitted slides by key: each entry is one or more `<section>`s (continuations). */
export type { FittedSlides };

export interface Deck {
  /** File name without `.html`: a topic slug, or `all`. */
  name: string;
  title: string;
  /** Horizontal positions; a position with several slides is a vertical stack. */
  stacks: string[][];
}

const GUIDE_KEY = 'outline:';
const contentKey = (t: RenderedTopic) => `content:${t.slug}`;
const outlineKey = (t: RenderedTopic) => `outline:${t.slug}`;
/** A topic with content of its own (blocks or speaker notes) gets a slide of its own. */
const ownContent = (t: RenderedTopic) => t.blocks.length > 0 || t.notes.length > 0;
const hasContent = (t: RenderedTopic) => ownContent(t) || t.children.length === 0;
const hasOutline = (t: RenderedTopic) => t.depth <= 1 || (t.children.length > 0 && !ownContent(t));

function* walk(topics: RenderedTopic[]): Generator<RenderedTopic> {
  for (const topic of topics) {
    yield topic;
    yield* walk(topic.children);
  }
}

/**
 * A topic outline as nested lists; the outer one is a block of the slide
 * itself, so the fitter splits a long outline between items like any list.
 */
function outlineList(topics: RenderedTopic[], depthLeft: number, outer = true): string {
  if (topics.length === 0 || depthLeft === 0) return '';
  const items = topics
    .map((t) => `<li><a href="#/${t.slug}">${t.titleHtml}</a>${outlineList(t.children, depthLeft - 1, false)}</li>`)
    .join('');
  return outer ? `<ul class="sg-outline-list">${items}</ul>` : `<ul>${items}</ul>`;
}

/** Every distinct slide of the guide, for the fitting pass. */
export function fitSlides(guideTitle: string, topics: RenderedTopic[]): FitSlide[] {
  const slides: FitSlide[] = [
    {
      key: GUIDE_KEY,
      classes: 'sg-title-slide',
      html: `<h1 class="sg-title">${escapeHtml(guideTitle)}</h1>${outlineList(topics, 1)}`,
    },
  ];
  for (const topic of walk(topics)) {
    const crumbs = topic.path.length > 1 ? `<p class="sg-crumbs">${escapeHtml(topic.path.slice(0, -1).join(' › '))}</p>` : '';
    // The note's tags go under the title of the topic's first slide in all.html: its content, else its outline.
    const tags = topic.tagsHtml ?? '';
    const outlineTags = hasContent(topic) ? '' : tags;
    if (hasOutline(topic)) {
      const top = topic.depth <= 1;
      slides.push({
        key: outlineKey(topic),
        // The anchor of a topic with no content of its own (in its deck and in all.html).
        id: ownContent(topic) ? undefined : topic.slug,
        classes: top ? 'sg-title-slide' : 'sg-outline',
        html: top
          ? `<h1 class="sg-title">${topic.titleHtml}</h1>${outlineTags}<p class="sg-sub">${escapeHtml(guideTitle)}</p>` +
            outlineList(topic.children, 2)
          : `${crumbs}<h2 class="sg-title">${topic.titleHtml}</h2>${outlineTags}${outlineList(topic.children, 2)}`,
      });
    }
    if (hasContent(topic)) {
      slides.push({
        key: contentKey(topic),
        id: topic.slug,
        classes: 'sg-content',
        html:
          `${crumbs}<h2 class="sg-title">${topic.titleHtml}</h2>\n${tags}${topic.blocks.map((b) => b.html).join('\n')}` +
          (topic.notes.length ? `\n<aside class="notes">${topic.notes.map((b) => b.html).join('\n')}</aside>` : ''),
      });
    }
  }
  return slides;
}

/** The first slides of a topic: its content, or its outline when it has no content of its own. */
function lead(topic: RenderedTopic, fitted: FittedSlides): string[] {
  return fitted[hasContent(topic) ? contentKey(topic) : outlineKey(topic)] ?? [];
}

function below(topic: RenderedTopic, fitted: FittedSlides): string[] {
  return [...walk(topic.children)].flatMap((t) => lead(t, fitted));
}

/** `all.html`: the guide's title slide, then one vertical stack per top-level topic. */
export function allDeck(guideTitle: string, topics: RenderedTopic[], fitted: FittedSlides): Deck {
  return {
    name: 'all',
    title: guideTitle,
    stacks: [fitted[GUIDE_KEY] ?? [], ...topics.map((t) => [...lead(t, fitted), ...below(t, fitted)])],
  };
}

/** A topic's deck: its title slide with the outline, its own content, then a stack per section. */
export function topicDeck(guideTitle: string, topic: RenderedTopic, fitted: FittedSlides): Deck {
  const stacks: string[][] = [fitted[outlineKey(topic)] ?? []];
  if (ownContent(topic)) stacks.push(fitted[contentKey(topic)] ?? []);
  for (const child of topic.children) stacks.push([...lead(child, fitted), ...below(child, fitted)]);
  return { name: topic.slug, title: `${topic.title} — ${guideTitle}`, stacks };
}

/** The topic deck that holds each topic: its top-level topic's. */
export function deckHomes(topics: RenderedTopic[]): Map<string, string> {
  return new Map(topics.flatMap((top) => [...walk([top])].map((t) => [t.slug, top.slug] as const)));
}

/**
 * Links to topics are written for all.html (`#/slug`). In a topic deck (or the
 * quiz) a link to a topic of another deck goes to that deck instead.
 */
export function linkAcrossDecks(deck: Deck, deckOf: Map<string, string>): Deck {
  if (deck.name === 'all') return deck;
  const point = (html: string) =>
    html.replace(/href="#\/([^"]+)"/g, (whole, slug: string) => {
      const home = deckOf.get(slug);
      return home && home !== deck.name ? `href="${home}.html#/${slug}"` : whole;
    });
  return { ...deck, stacks: deck.stacks.map((stack) => stack.map(point)) };
}

export interface DeckTemplates {
  render: (context: unknown) => string;
  /** The fitter (dist/page/slides-fit.js): part of the fit cache's key, so new layout code fits again. */
  fitScript: string;
}

/** `slides.hbs` (a notes folder may override it) and the fitter's script (it may not). */
export async function loadDeckTemplates(templates: TemplateSource): Promise<DeckTemplates> {
  const [render, fitScript] = await Promise.all([loadTemplate(templates, 'slides.hbs'), pageScript('slides-fit')]);
  return { render, fitScript };
}

function common(options: SlidesOptions) {
  return {
    lang: 'en',
    base: '',
    theme: options.theme,
    userCss: options.userCss,
    styles: options.styles,
    width: options.width,
    height: options.height,
  };
}

export function renderFitPage(slides: FitSlide[], options: SlidesOptions, templates: DeckTemplates): string {
  return templates.render({
    ...common(options),
    title: 'fitting',
    fitting: true,
    slides,
    fitScript: templates.fitScript,
    // The fitting pass runs only its own script, whatever the notes hold (even with --allow-html).
    fitScriptHash: scriptHashSource(templates.fitScript),
    config: { width: options.width, height: options.height, safety: FIT_SAFETY_PX, fragments: options.fragments } satisfies SlidesFitConfig,
  });
}

export function renderDeck(deck: Deck, options: SlidesOptions, templates: DeckTemplates): string {
  return templates.render({
    ...common(options),
    title: deck.title,
    fitting: false,
    stacks: deck.stacks.filter((s) => s.length > 0).map((slides) => ({ vertical: slides.length > 1, slides })),
    reveal: {
      width: options.width,
      height: options.height,
      margin: DECK_MARGIN,
      hash: true,
      slideNumber: 'c/t',
      progress: true,
      controls: true,
      center: true,
      transition: 'slide',
      backgroundTransition: 'fade',
      // Fitting already guarantees every slide fits; no scaling up past 1.5× keeps text crisp.
      minScale: 0.2,
      maxScale: 1.5,
    },
  });
}

/** Room reveal.js leaves around a slide, as a share of its size: the slide images and the PowerPoint keep it too. */
export const DECK_MARGIN = 0.04;

/**
 * Pixels a fitted slide keeps free at its foot: a slide fitted to the pixel would not fit any more
 * once reveal.js scales it to a screen and text and borders round differently.
 */
const FIT_SAFETY_PX = 8;

/** The fitting page without slides: two fits with the same shell differ only in their slides. */
export const fitPageShell = (options: SlidesOptions, templates: DeckTemplates) => renderFitPage([], options, templates);
