/**
 * The shape every output has: a target says whether the settings ask for it
 * and builds its files from the rendered guide. Targets never write: they
 * return their files and the pipeline emits them (src/output.ts `emit`).
 */
import type { Browser } from 'puppeteer-core';
import type { VFileMessage } from 'vfile-message';
import type { ImageMap } from '../images.js';
import type { OutputFile } from '../output.js';
import type { HtmlOptions, HtmlRenderer, RenderedTopic } from '../render/html.js';
import type { RenderedCard } from '../render/study.js';
import type { SheetPlan } from '../priority.js';
import type { ResolvedSettings } from '../settings.js';
import type { StudySet } from '../study/index.js';
import type { TemplateSource } from '../templates.js';
import type { Guide } from '../types.js';

/** What every target builds from: the guide, rendered to HTML once for the outputs asked for. */
export interface TargetInput {
  settings: ResolvedSettings;
  guide: Guide;
  study: StudySet;
  images: ImageMap;
  templates: TemplateSource;
  renderer: HtmlRenderer;
  /** How the pages at the output root render (the sheet, the index, flashcards). */
  rootHtml: HtmlOptions;
  /** The cheat sheet's topics (selected by --topics/--tags, with the glossary), rendered; empty without the PDF. */
  sheet: RenderedTopic[];
  /** The sheet's units and their priorities (what it prints first when it must leave some out). */
  sheetPlan: SheetPlan;
  /** With `--self-test`: the sheet's topics with the cards' answers blanked, then the answer key; else empty. */
  selfTest: RenderedTopic[];
  /** Every topic, rendered for the decks; empty without slides. */
  deckTopics: RenderedTopic[];
  /** The flashcards, for the root pages and for the quiz deck. */
  cards: RenderedCard[];
  deckCards: RenderedCard[];
  /** Stylesheets relative to the output folder: the bundled fonts, KaTeX's (when there is math), the emoji font's (decks with callouts). */
  styles: { fonts: string[]; math: string | null; emoji: string | null };
  /** The files behind those stylesheets, and the images: each target lists those its pages load in `assets`. */
  shared: { fonts: OutputFile[]; math: OutputFile[]; images: OutputFile[] };
  /** The notes' messages (and the build's notices): the index lists them with the targets' own. */
  messages: { warnings: VFileMessage[]; notices: VFileMessage[] };
}

/** What a target needs while it builds: the build's browser, its own cache, the other targets' results. */
export interface TargetContext<C = unknown> {
  browser(): Promise<Browser>;
  /** This target's cache, kept by the builder across rebuilds. */
  cache: C;
  /** A page tried to load a non-local resource (blocked; reported as a warning). */
  onBlocked(url: string): void;
  /** Another target's result, once it is built; null when that target is not enabled. The handouts print the decks; the index links everything. */
  resultOf<S>(name: string): Promise<TargetResult<S> | null>;
}

export interface TargetResult<S = unknown> {
  files: OutputFile[];
  messages: VFileMessage[];
  /** What the index and the build result say about it. */
  summary: S;
}

export interface Target<S = unknown, C = unknown> {
  name: string;
  enabled(settings: ResolvedSettings): boolean;
  /** The target's cache, made once per builder. */
  createCache?(): C;
  /** Files the target's pages load while Chromium lays them out: written before any target builds. */
  assets?(input: TargetInput): Promise<OutputFile[]> | OutputFile[];
  /** Release what the cache holds (an open page) when the browser goes. */
  dispose?(cache: C): Promise<void>;
  build(input: TargetInput, ctx: TargetContext<C>): Promise<TargetResult<S>>;
  /** What it made, in a few words, for the progress line (default: the number of files). */
  describe?(summary: S): string;
}
