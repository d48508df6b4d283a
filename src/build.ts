/**
 * The pipeline, one way, one stage a line: resolved settings → load → parse → tree → study → images
 * → diagrams → render → targets (in parallel, src/targets/) → write. Each stage is a module of its
 * own; this file names no output (the targets say what they need, src/targets/registry.ts lists
 * them). The builder (src/builder.ts) owns the browser and the caches across builds.
 */
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import type { VFileMessage } from 'vfile-message';
import { UserError } from './errors.js';
import { imageCacheDir, resolveImages } from './images.js';
import { resolveLinks } from './links.js';
import { loadNotes } from './load.js';
import { noteMessages } from './messages.js';
import type { PipelineCache } from './cache.js';
import { parseNotes } from './parse.js';
import { DARK_THEMES } from './render/assets.js';
import { buildDiagrams } from './render/mermaid.js';
import { renderVariants } from './render/variants.js';
import { stageTimer, type Reporter } from './report.js';
import { readResults } from './results.js';
import { shown, type ResolvedSettings } from './settings.js';
import { extractStudySet } from './study/index.js';
import { builtByName, enabledTargets, outputSummary, type OutputSummary } from './targets/registry.js';
import { runTargets } from './targets/run.js';
import type { TargetInput } from './targets/target.js';
import { BUNDLED_TEMPLATES, retiredOverrides, type TemplateSource } from './templates.js';
import { buildGuide } from './tree.js';
import type { Guide } from './types.js';
import { openOutputFolder } from './write.js';

export interface BuildResult extends OutputSummary {
  guide: Guide;
  topics: number;
  /** Flashcards, questions asked but not answered, topics with nothing to study yet. */
  study: { cards: number; openQuestions: number; toFill: number; glossary: number };
  warnings: VFileMessage[];
  /** Messages that only inform (vfile's `file.info()`: `fatal` undefined): printed, never counted as warnings, never fail --strict. */
  notices: VFileMessage[];
  seconds: number;
  /** Milliseconds per stage. */
  timings: Record<string, number>;
  /** Mermaid code blocks in the notes, and how many diagrams this build rendered (the rest came from the builder's cache). */
  diagrams: { blocks: number; rendered: number };
}

export async function runBuild(
  settings: ResolvedSettings,
  cache: PipelineCache,
  browser: () => Promise<Browser>,
  reporter: Reporter,
  /** No rebuild follows: targets close their pages when done (see `Runtime.once`). */
  once = false,
): Promise<BuildResult> {
  const started = performance.now();
  const { stage, timings, running } = stageTimer(reporter);
  running('load');
  const targets = enabledTargets(settings);
  const variants = new Set(targets.flatMap((t) => t.renders));
  const folder = await openOutputFolder(settings, cache.copied);
  const loaded = await loadNotes(settings.notes, settings.cwd);
  const results = readResults(settings.results, (file) => shown(settings, file));
  browser().catch(() => undefined); // Chromium boots while the notes are parsed; a failure is reported where it is awaited
  stage('load', `${loaded.length} notes`, 'parse');
  const notes = await parseNotes(loaded, cache.parsed, settings.allowHtml);
  stage('parse', `${notes.length} parsed`, 'tree');
  const guide = buildGuide(
    notes.filter((n) => n.mdast.children.length > 0),
    settings.title,
  );
  if (guide.topics.length === 0) throw new UserError(`no content in the notes under ${path.relative(settings.cwd, settings.notes) || '.'}`);
  const links = resolveLinks(guide, settings.notes);
  const study = extractStudySet(guide, { clozeHighlights: settings.clozeHighlights });
  stage('tree', `${guide.topics.length} topics, ${study.cards.length} cards`, 'images');
  const images = await resolveImages(guide, {
    notesDir: settings.notes,
    cacheDir: imageCacheDir(settings.out),
    offline: settings.offline,
  });
  stage('images', `${images.size} images`, 'diagrams');
  const templates: TemplateSource = {
    dirs: [path.join(settings.notes, '.studyguide', 'templates'), BUNDLED_TEMPLATES],
    compiled: cache.templates,
  };
  const blocked = new Set<string>();
  // Mermaid diagrams, in the build's browser: light, and in the slides' theme when a variant shows them on slides.
  const deckTheme = variants.has('deck') && DARK_THEMES.has(settings.theme) ? 'dark' : 'light';
  const diagrams = await buildDiagrams(browser, guide, {
    deckTheme,
    cache: cache.diagrams,
    dir: settings.out,
    templates,
    onBlocked: (url) => blocked.add(url),
  });
  if (diagrams) stage('diagrams', `${diagrams.blocks} blocks, ${diagrams.rendered} rendered`);
  running('render');
  const { answers, warnings: resultWarnings } = await results;
  const fonts = targets.some((t) => t.fonts);
  const rendered = await renderVariants({ settings, guide, notes, study, images, diagrams, templates, answers, variants, fonts, cache });
  stage('render', `${[...variants].join(', ') || 'cards'}`, 'assets');
  const retired = retiredOverrides(templates).map((file) => shown(settings, file));
  const more = [folder.messages, rendered.messages, { warnings: resultWarnings }];
  const input: TargetInput = {
    settings,
    guide,
    study,
    images,
    templates,
    ...rendered,
    messages: noteMessages(loaded, notes, links, blocked, retired, more),
  };
  // What the pages load while Chromium lays them out is on disk first; all of the above (but diagrams) goes on while Chromium starts.
  const assets = await folder.writeAssets(targets, await Promise.all(targets.map(async (t) => (await t.assets?.(input)) ?? [])));
  stage('assets', `${assets} files`, 'browser');
  await browser();
  stage('browser', 'ready', targets.map((t) => t.name).join(', '));
  const settled = await runTargets(
    targets,
    input,
    cache.targets,
    browser,
    (name, detail, left) => stage(name, detail, left.join(', ') || 'emit'),
    once,
  );
  const { built, files } = await folder.writeOutputs(targets, settled);
  stage('emit', `${files} files`, null);
  return {
    ...outputSummary(builtByName(targets, built), settings),
    guide,
    topics: guide.topics.length,
    study: {
      cards: rendered.cards.length,
      openQuestions: study.openQuestions.length,
      toFill: study.toFill.length,
      glossary: study.glossary.length,
    },
    warnings: [...input.messages.warnings, ...built.flatMap((r) => r.messages)],
    notices: input.messages.notices,
    seconds: (performance.now() - started) / 1000,
    timings,
    diagrams: { blocks: diagrams?.blocks ?? 0, rendered: diagrams?.rendered ?? 0 },
  };
}

export { createPipelineCache, type PipelineCache } from './cache.js';
