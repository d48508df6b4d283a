/**
 * The shape every output has. A target says whether the settings ask for it, what it needs
 * rendered (`renders`), which other targets' results it uses (`after`), the files its pages load
 * (`assets`), and builds its files. Targets never write: they return their files and the pipeline
 * emits them (src/write.ts). Adding an output is one file here and one line in registry.ts.
 */
import type { Browser } from 'puppeteer-core';
import type { VFileMessage } from 'vfile-message';
import type { ImageMap } from '../images.js';
import type { OutputFile } from '../output.js';
import type { SheetPlan } from '../priority.js';
import type { HtmlOptions, HtmlRenderer } from '../render/html.js';
import type { RenderedCard } from '../render/study.js';
import type { Renders, RenderVariant } from '../render/variants.js';
import type { ResolvedSettings } from '../settings.js';
import type { CardScore } from '../results.js';
import type { Card, StudySet } from '../study/index.js';
import type { TemplateSource } from '../templates.js';
import type { Guide } from '../types.js';

/**
 * Each target's summary, by its name: every target file adds its own (declaration merging, as
 * mdast's node maps), so `resultOf('decks')` has the decks' summary type, with no cast.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by each target's module
export interface Summaries {}
export type TargetName = keyof Summaries;

/** What every target builds from: the guide, and what it asked to have rendered. */
export interface TargetInput<V extends RenderVariant = RenderVariant> {
  settings: ResolvedSettings;
  guide: Guide;
  study: StudySet;
  images: ImageMap;
  templates: TemplateSource;
  renderer: HtmlRenderer;
  /** How the pages at the output root render (the sheet, the index, flashcards). */
  rootHtml: HtmlOptions;
  /** The flashcards as the root pages show them: every target may list or count them. */
  cards: RenderedCard[];
  /** The sheet's units and their priorities (what it prints first when it must leave some out). */
  sheetPlan: SheetPlan;
  /** How the study results (src/results.ts) answered each card: the cards answered at all. */
  scores: Map<Card, CardScore>;
  renders: Pick<Renders, V>;
  /** Stylesheets relative to the output folder: the bundled fonts, KaTeX's (when there is math), the emoji font's (decks with callouts). */
  styles: { fonts: string[]; math: string | null; emoji: string | null };
  /** The files behind those stylesheets, and the images: each target lists those its pages load in `assets`. */
  shared: { fonts: OutputFile[]; math: OutputFile[]; images: OutputFile[] };
  /** The notes' messages (and the build's notices): the index lists them with the targets' own. */
  messages: { warnings: VFileMessage[]; notices: VFileMessage[] };
}

/** What a target needs while it builds: the build's browser, its own cache, the results of the targets it comes after. */
export interface TargetContext<C = unknown> {
  browser(): Promise<Browser>;
  /** This target's cache, kept by the builder across rebuilds. */
  cache: C;
  /** A page tried to load a non-local resource (blocked; reported as a warning). */
  onBlocked(url: string): void;
  /** The result of a target named in `after`, once it is built; null when that target is not enabled. */
  resultOf: <N extends TargetName>(name: N) => Promise<TargetResult<Summaries[N]> | null>;
}

export interface TargetResult<S = unknown> {
  files: OutputFile[];
  messages: VFileMessage[];
  /** What the index and the build result say about it. */
  summary: S;
}

export interface Target<N extends TargetName = TargetName, C = unknown, V extends RenderVariant = RenderVariant> {
  name: N;
  enabled(settings: ResolvedSettings): boolean;
  /** What it needs rendered: the render stage makes only what enabled targets ask for. */
  renders: readonly V[];
  /** Whether its pages set text in the bundled fonts (the fonts the notes' characters need are copied). */
  fonts?: boolean;
  /** Targets whose results it uses (`ctx.resultOf`): they are started before it. */
  after?: readonly TargetName[];
  /** The target's cache, made once per builder. */
  createCache?(): C;
  /** Files the target's pages load while Chromium lays them out: written before any target builds. */
  assets?(input: TargetInput<V>): Promise<OutputFile[]> | OutputFile[];
  /** Release what the cache holds (an open page) when the browser goes. */
  dispose?(cache: C): Promise<void>;
  build(input: TargetInput<V>, ctx: TargetContext<C>): Promise<TargetResult<Summaries[N]>>;
  /** What it made, in a few words, for the progress line (default: the number of files). */
  describe?(summary: Summaries[N]): string;
}

export type { Renders, RenderVariant };
