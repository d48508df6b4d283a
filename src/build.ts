/**
 * The pipeline, one way: resolved settings → load → parse → tree → study →
 * images → diagrams → HTML → the targets (in parallel, src/targets/) → one
 * emit step. Targets return their files; only `emit` writes (src/output.ts).
 * The builder (src/builder.ts) owns the browser and the caches across builds.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import type { VFileMessage } from 'vfile-message';
import { UserError } from './errors.js';
import { resolveImages } from './images.js';
import { resolveLinks } from './links.js';
import { loadNotes } from './load.js';
import { processRunning } from './lock.js';
import { ownership } from './foreign.js';
import {
  cannotWrite,
  emit,
  isFileSystemError,
  MANIFEST,
  pruneStale,
  readManifest,
  recordWritten,
  sweepTemporaries,
  type CopiedFiles,
  type FailedWrite,
  type OutputFile,
} from './output.js';
import { parseNotes, type ParseCache } from './parse.js';
import { imageFiles, katexFiles, DARK_THEMES } from './render/assets.js';
import { codePoints, EMOJI_CSS, fontFiles, type FontFaces } from './render/fonts.js';
import { glossaryTopic } from './render/glossary.js';
import { warnCutCode } from './render/code-cut.js';
import { createHtmlRenderer, renderedHtml, type HtmlOptions, type RenderedTopic } from './render/html.js';
import { usesMath } from './render/math.js';
import { buildDiagrams, type DiagramCache } from './render/mermaid.js';
import { selfTestTopics } from './render/self-test.js';
import { renderCards } from './render/study.js';
import { noteMessages } from './messages.js';
import { planSheet } from './priority.js';
import { buildWarning, formatMessage, infoMessage, stageTimer, type Reporter } from './report.js';
import { readResults, scoreCards, standings } from './results.js';
import { runTargets } from './targets/run.js';
import { shown, type OutputKind, type ResolvedSettings } from './settings.js';
import { extractStudySet } from './study/index.js';
import { cheatsheet, describeLeftOut, selfTestSheet, type SheetSummary } from './targets/cheatsheet.js';
import { decks, type DecksResult } from './targets/decks.js';
import { handouts } from './targets/handouts.js';
import { indexPage } from './targets/index-page.js';
import { flashcardsPdf, flashcardsTsvTarget } from './targets/study.js';
import type { Target, TargetInput, TargetResult } from './targets/target.js';
import { BUNDLED_TEMPLATES, retiredOverrides, templateTexts, type TemplateSource } from './templates.js';
import { buildGuide, selectTopics, walkTopics } from './tree.js';
import type { Guide, Topic } from './types.js';

/** Every output. `--only` and the other settings choose among them (`Target.enabled`). */
export const TARGETS: Target[] = [cheatsheet, selfTestSheet, decks, handouts, flashcardsTsvTarget, flashcardsPdf, indexPage];

export interface BuildResult {
  guide: Guide;
  topics: number;
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

/** What a builder keeps between builds; each target's own cache sits under its name. */
export interface PipelineCache {
  parsed: ParseCache;
  /** KaTeX's HTML by formula: a rebuild typesets only new formulas. */
  math: Map<string, string>;
  diagrams: DiagramCache;
  templates: NonNullable<TemplateSource['compiled']>;
  copied: CopiedFiles;
  fonts: FontFaces;
  targets: Map<string, unknown>;
}

export const createPipelineCache = (): PipelineCache => ({
  parsed: new Map(),
  math: new Map(),
  diagrams: new Map(),
  templates: new Map(),
  copied: new Map(),
  fonts: new Map(),
  targets: new Map(),
});

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
  const { out } = settings;
  const wants = (kind: OutputKind) => settings.only.includes(kind);

  await sweepTemporaries(out, processRunning);
  // Whose files are in the output folder, before anything is written there (src/foreign.ts).
  const manifest = await readManifest(out);
  const made = new Map<string, string>();
  let written = new Map<string, string>();
  const outNotices: VFileMessage[] = [];
  const guard = await ownership(
    out,
    shown(settings, out),
    manifest,
    settings.force,
    () => written,
    (line) => outNotices.push(infoMessage(line, 'foreign-files')),
  );
  const loaded = await loadNotes(settings.notes, settings.cwd);
  const results = readResults(settings.notes, (file) => shown(settings, file));
  // Chromium starts now and boots while the notes are parsed and the images resolved.
  browser().catch(() => undefined); // reported where it is awaited
  stage('load', `${loaded.length} notes`, 'parse');
  const notes = await parseNotes(loaded, cache.parsed, settings.allowHtml);
  stage('parse', `${notes.length} parsed`, 'tree');
  const fatal = notes.flatMap((note) => note.file.messages.filter((m) => m.fatal === true));
  if (fatal[0]) throw new UserError(formatMessage(fatal[0]) + (fatal.length > 1 ? ` (and ${fatal.length - 1} more)` : ''));
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
    cacheDir: path.join(out, '.cache', 'images'),
    offline: settings.offline,
  });
  stage('images', `${images.size} images`, 'diagrams');
  const templates: TemplateSource = {
    dirs: [path.join(settings.notes, '.studyguide', 'templates'), BUNDLED_TEMPLATES],
    compiled: cache.templates,
  };
  const blocked = new Set<string>();
  // Mermaid diagrams, in the build's browser: light for the sheet, index and flashcards, the deck theme's for the decks.
  const deckTheme = wants('slides') && DARK_THEMES.has(settings.theme) ? 'dark' : 'light';
  const diagrams = await buildDiagrams(browser, guide, {
    deckTheme,
    cache: cache.diagrams,
    dir: out,
    templates,
    onBlocked: (url) => blocked.add(url),
  });
  if (diagrams) stage('diagrams', `${diagrams.blocks} blocks, ${diagrams.rendered} rendered`);
  running('render');

  const sheetTopics = selectTopics(cheatsheetTopics(guide), settings.topics, settings.tags);
  if (wants('pdf') && sheetTopics.length === 0) {
    const asked = [
      settings.topics.length ? `--topics ${settings.topics.join(', ')}` : '',
      settings.tags.length ? `--tags ${settings.tags.join(', ')}` : '',
    ];
    throw new UserError(`${asked.filter(Boolean).join(' with ')} matched no topic of the cheat sheet`);
  }
  const inSheet = new Set([...walkTopics(sheetTopics)].map((t) => t.slug));
  const renderer = createHtmlRenderer({ allowHtml: settings.allowHtml, mathCache: cache.math, codeLines: settings.slideCodeLines });
  if (wants('slides')) warnCutCode(notes, settings.slideCodeLines);
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
  const { answers, warnings: resultWarnings } = await results;
  const scored = scoreCards(
    answers,
    study.cards,
    cards.map((card) => card.guid),
  );
  const plan = planSheet(sheetTopics, { cards: study.cards, standing: standings(scored.scores) });
  const sheet = wants('pdf') ? renderer.renderTopics(plan.topics, rootHtml) : [];
  if (wants('pdf') && settings.glossary && study.glossary.length > 0) sheet.push(glossaryTopic(study, renderer, rootHtml));
  const selfTest =
    wants('pdf') && settings.selfTest
      ? selfTestTopics(study, sheetTopics, plan.topics, cards, renderer, rootHtml, (card) => plan.cardUnits.get(card) ?? [])
      : [];
  const deckTopics = wants('slides') ? renderer.renderTopics(guide.topics, slidesHtml) : [];
  const deckCards = wants('slides') ? renderCards(study, renderer, slidesHtml, where) : [];
  stage('render', `${sheet.length + deckTopics.length} topics, ${cards.length + deckCards.length} cards`, 'assets');
  // KaTeX's stylesheet and fonts go along only when an output shows math; decks with callouts get the emoji font for their icons.
  const anyMath = [
    ...renderedHtml(sheet),
    ...renderedHtml(selfTest),
    ...renderedHtml(deckTopics),
    ...cards.flatMap((c) => [c.front, c.back]),
  ].some(usesMath);
  const deckCallouts = [...renderedHtml(deckTopics)].some((html) => html.includes('class="callout'));
  const needsFonts = wants('pdf') || wants('cards') || deckCallouts;
  const used = needsFonts ? codePoints(await shownTexts(settings, templates, [sheet, selfTest, deckTopics], cards)) : null;
  const [fonts, math] = await Promise.all([used ? fontFiles(used, cache.fonts) : null, anyMath ? katexFiles() : null]);

  const input: TargetInput = {
    settings,
    guide,
    study,
    images,
    templates,
    renderer,
    rootHtml,
    sheet,
    sheetPlan: plan,
    selfTest,
    deckTopics,
    cards,
    deckCards,
    styles: { fonts: fonts?.sheets ?? [], math: math?.css ?? null, emoji: deckCallouts ? EMOJI_CSS : null },
    shared: { fonts: fonts?.files ?? [], math: math?.files ?? [], images: imageFiles(images) },
    messages: withResults(
      noteMessages(
        loaded,
        notes,
        links,
        blocked,
        retiredOverrides(templates).map((file) => shown(settings, file)),
      ),
      resultWarnings,
      scored.unmatched,
    ),
  };
  input.messages.notices.push(...outNotices);
  for (const rel of manifest.refused)
    input.messages.warnings.push(
      buildWarning(`${MANIFEST}: "${rel}" is not a path inside the output folder; ignored (never removed)`, 'manifest'),
    );
  const targets = TARGETS.filter((target) => target.enabled(settings));
  // A file two targets list (the fonts, the images) is written once, recorded as the first one's.
  const owned = (target: Target, files: OutputFile[]) =>
    files.filter((file) => {
      if (made.has(file.path)) return false;
      made.set(file.path, target.name);
      return true;
    });
  // An output the file system refuses (a full disk) is reported once every other one is written.
  const failed: FailedWrite[] = [];
  // What the pages load while Chromium lays them out is on disk first.
  const assets = await Promise.all(targets.map(async (t) => owned(t, (await t.assets?.(input)) ?? [])));
  await emit(out, assets.flat(), cache.copied, failed, guard);
  written = new Map(made);
  await recordWritten(out, manifest, written);
  stage('assets', `${made.size} files`, 'browser');
  // Waited for only now: all of the above (but diagrams) goes on while Chromium starts.
  await browser();
  const pending = new Set(targets.map((t) => t.name));
  stage('browser', 'ready', [...pending].join(', '));

  const settled = await runTargets(
    targets,
    input,
    cache.targets,
    browser,
    (name, detail) => {
      pending.delete(name);
      stage(name, detail, pending.size ? [...pending].join(', ') : 'emit');
    },
    once,
  );
  // A target that could not write in the output folder (the page Chromium lays out, on a full disk) made nothing, and
  // the others' outputs are still written; any other failure (a bug, the browser) fails the build as it is.
  const inOut = (file: string | undefined) => {
    const rel = file === undefined ? '..' : path.relative(out, file);
    return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
  };
  const writeFailure = (reason: unknown) => isFileSystemError(reason) && inOut(reason.path);
  const other = settled.find((s) => s.status === 'rejected' && !writeFailure(s.reason));
  if (other?.status === 'rejected') throw other.reason;
  const empty: TargetResult = { files: [], messages: [], summary: undefined };
  const built = settled.map((s) => (s.status === 'fulfilled' ? s.value : empty));
  for (const s of settled) {
    const error = s.status === 'rejected' ? (s.reason as NodeJS.ErrnoException) : null;
    // Targets that waited for a failed one (the handouts print the decks) fail with its error: said once.
    if (error && !failed.some((f) => f.error === error)) failed.push({ path: path.relative(out, error.path!), error });
  }
  await emit(
    out,
    targets.flatMap((t, i) => owned(t, built[i]!.files)),
    cache.copied,
    failed,
    guard,
  );
  // A target that failed keeps its last outputs: it did not make them again.
  const fulfilled = new Set(targets.filter((_, i) => settled[i]!.status === 'fulfilled').map((t) => t.name));
  await pruneStale(out, made, fulfilled, manifest);
  stage('emit', `${made.size} files`, null);
  if (failed.length > 0) throw cannotWrite(failed, (file) => shown(settings, path.resolve(out, file)));

  const resultOf = <S>(name: string) => built[targets.findIndex((t) => t.name === name)] as TargetResult<S> | undefined;
  const pdf = resultOf<SheetSummary>('cheatsheet')?.summary;
  const deckList = resultOf<DecksResult>('decks')?.summary.decks;
  return {
    guide,
    topics: guide.topics.length,
    pdfPages: pdf?.pages ?? null,
    pdfFontPt: pdf?.fontPt ?? null,
    sheetLeftOut: pdf ? describeLeftOut(pdf.leftOut, settings.pages) : null,
    selfTestPages: resultOf<SheetSummary>('self-test')?.summary.pages ?? null,
    selfTestLeftOut: resultOf<SheetSummary>('self-test')?.summary.leftOut.chosen.length ?? 0,
    decks: deckList?.length ?? 0,
    slides: deckList?.find((d) => d.name === 'all')?.slides ?? 0,
    slidesFitted: resultOf<DecksResult>('decks')?.summary.fitted ?? 0,
    study: { cards: cards.length, openQuestions: study.openQuestions.length, toFill: study.toFill.length, glossary: study.glossary.length },
    warnings: [...input.messages.warnings, ...built.flatMap((r) => r.messages)],
    notices: input.messages.notices,
    seconds: (performance.now() - started) / 1000,
    timings,
    diagrams: { blocks: diagrams?.blocks ?? 0, rendered: diagrams?.rendered ?? 0 },
  };
}

/** The notes' messages and the study results': unreadable answers warn, answers to cards no longer in the notes inform. */
function withResults(messages: ReturnType<typeof noteMessages>, warnings: VFileMessage[], unmatched: number) {
  const notices = unmatched
    ? [infoMessage(`${unmatched} study result${unmatched === 1 ? '' : 's'} name cards no longer in the notes (not counted)`, 'results')]
    : [];
  return { warnings: [...messages.warnings, ...warnings], notices: [...messages.notices, ...notices] };
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
