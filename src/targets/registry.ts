/**
 * Every output the build can make, in the order they start (a target after those whose results
 * it uses), and what the build result says about them. Adding an output: its file in this folder,
 * and one line here.
 */
import type { ResolvedSettings } from '../settings.js';
import { flashcardsApkg } from './apkg.js';
import { cheatsheet, describeLeftOut, selfTestSheet } from './cheatsheet.js';
import { decks } from './decks.js';
import { handouts } from './handouts.js';
import { indexPage } from './index-page.js';
import { pptx } from './pptx.js';
import { slideImages } from './slide-images.js';
import { flashcardsPdf, flashcardsTsvTarget } from './study.js';
import type { Summaries, Target, TargetName, TargetResult } from './target.js';

export const TARGETS: readonly Target[] = [
  cheatsheet,
  selfTestSheet,
  decks,
  handouts,
  pptx,
  slideImages,
  flashcardsTsvTarget,
  flashcardsApkg,
  flashcardsPdf,
  indexPage,
];

/** The targets the settings ask for. */
export const enabledTargets = (settings: ResolvedSettings): Target[] => TARGETS.filter((target) => target.enabled(settings));

/** The results of a build's targets, by name. */
export interface Built {
  get<N extends TargetName>(name: N): TargetResult<Summaries[N]> | undefined;
}

/** What a build made, as the build result and the summary line tell it. */
export interface OutputSummary {
  pdfPages: number | null;
  /** Body size of the cheat sheet in points (the fitted size with `pages`). */
  pdfFontPt: number | null;
  /** What the cheat sheet left out (to fit `pages`, or marked skip), in a few words; null when nothing. */
  sheetLeftOut: string | null;
  /** Pages of the self-test sheet (`selfTest`), else null. */
  selfTestPages: number | null;
  /** Blocks the self-test left out beyond the sheet's (room for its answer key). */
  selfTestLeftOut: number;
  decks: number;
  slides: number;
  /** Slides this build laid out (and split where needed): the others came from the builder's cache. */
  slidesFitted: number;
}

/** A build's results by target name, from the targets and their results in the same order. */
export function builtByName(targets: readonly Target[], results: TargetResult[]): Built {
  const byName = new Map<string, TargetResult>(targets.map((t, i) => [t.name, results[i]!]));
  return { get: <N extends TargetName>(name: N) => byName.get(name) as TargetResult<Summaries[N]> | undefined };
}

export function outputSummary(built: Built, settings: ResolvedSettings): OutputSummary {
  const pdf = built.get('cheatsheet')?.summary;
  const selfTest = built.get('self-test')?.summary;
  const deckList = built.get('decks')?.summary;
  return {
    pdfPages: pdf?.pages ?? null,
    pdfFontPt: pdf?.fontPt ?? null,
    sheetLeftOut: pdf ? describeLeftOut(pdf.leftOut, settings.pages) : null,
    selfTestPages: selfTest?.pages ?? null,
    selfTestLeftOut: selfTest?.leftOut.chosen.length ?? 0,
    decks: deckList?.decks.length ?? 0,
    slides: deckList?.decks.find((d) => d.name === 'all')?.slides ?? 0,
    slidesFitted: deckList?.fitted ?? 0,
  };
}
