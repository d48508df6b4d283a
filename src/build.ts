/**
 * The pipeline: notes → topic tree → cheat sheet PDF and slide decks.
 * Data flows one way; I/O is at the edges. A `Builder` keeps what a rebuild
 * can reuse (the browser, each note's parse by content hash, each slide's fit
 * by content hash); `build()` is one builder used once and closed.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { VFile } from 'vfile';
import { VFileMessage } from 'vfile-message';
import { ensureBrowser, launchBrowser, openLocalPage } from './browser.js';
import { UserError } from './errors.js';
import { resolveImages, type ImageMap } from './images.js';
import { loadNotes, type LoadedNote } from './load.js';
import { lockOutputs, processRunning } from './lock.js';
import { copyAtomic, discardTemporary, writeAtomic } from './output.js';
import { createParser, parseNote } from './parse.js';
import { copyImages, copyKatex, copyReveal, DARK_THEMES, listThemes } from './render/assets.js';
import { buildDiagrams, type DiagramCache } from './render/mermaid.js';
import { usesMath } from './render/math.js';
import { parseLayout, printHandouts } from './render/handout.js';
import { copyFonts, EMOJI_CSS } from './render/fonts.js';
import { pdfPageCount, printCheatsheet, renderCheatsheetHtml, type CheatsheetOptions, type Paper } from './render/cheatsheet.js';
import { createHtmlRenderer, escapeHtml, renderedHtml, type HtmlOptions, type HtmlRenderer, type RenderedTopic } from './render/html.js';
import { flashcardsTsv, printFlashcards, quizSlides, renderCards, type RenderedCard } from './render/study.js';
import {
  allDeck,
  fitInBrowser,
  deckHomes,
  fitSlides,
  linkAcrossDecks,
  loadDeckTemplates,
  renderDeck,
  renderFitPage,
  topicDeck,
  type Deck,
  type DeckTemplates,
  type FitSlide,
  type FittedSlides,
  type SlidesOptions,
} from './render/slides.js';
import { renderIndex } from './render/index.js';
import { DEFAULTS } from './defaults.js';
import { formatMessage, infoMessage, silentReporter, type Reporter } from './report.js';
import { BUNDLED_TEMPLATES, templatePath, type TemplateSource } from './templates.js';
import { extractStudySet, shuffle, type StudySet } from './study.js';
import { dataviewInfo } from './syntax/dataview.js';
import { buildGuide, selectTopics, walkTopics } from './tree.js';
import { resolveLinks } from './links.js';
import type { Guide, Note, Topic } from './types.js';

export type OutputKind = 'pdf' | 'slides';

export interface BuildOptions {
  /** Folder of markdown notes (read only). */
  notes: string;
  /** Output folder. */
  out: string;
  only?: OutputKind[];
  title?: string;
  paper?: Paper;
  landscape?: boolean;
  columns?: number;
  /** Cheat sheet body size in points (the starting size when fitting to `pages`). */
  fontPt?: number;
  /** Fit the cheat sheet to at most this many pages, at the largest size that fits. */
  pages?: number;
  /** Legibility floor for fitting: body text never below this (points). */
  minFontPt?: number;
  /** Cheat sheet only these topics: slug or title globs. */
  topics?: string[];
  /** Cheat sheet only topics with one of these tags (`aws` takes `aws/s3` too), with their subtopics; with `topics`, both must hold. */
  tags?: string[];
  /** Show images in the cheat sheet (default true). */
  images?: boolean;
  /** reveal.js theme name. */
  theme?: string;
  /** The user's stylesheets for the decks (copied next to them). */
  css?: string[];
  /** Show list items one by one. */
  fragments?: boolean;
  /** Print each deck to `handouts/<deck>.pdf`. */
  handout?: boolean;
  /** Slides per handout page, "CxR" (default 1x1). */
  handoutLayout?: string;
  /** Print speaker notes under each slide in handouts. */
  handoutNotes?: boolean;
  /** Do not fetch remote images. */
  offline?: boolean;
  /** Trust the notes' raw HTML: no sanitizing (scripts still never run while printing). */
  allowHtml?: boolean;
  /** Warnings fail the build (exit code 4 on the command line). */
  strict?: boolean;
  /** Add the glossary as the cheat sheet's last section. */
  glossary?: boolean;
  /** Shuffle the quiz deck (with `seed`, the same order every time). */
  shuffle?: boolean;
  seed?: number;
  /** Working directory that message paths are relative to. */
  cwd?: string;
  reporter?: Reporter;
  /** A browser to use and leave open (the caller owns it); otherwise the builder launches one and closes it. */
  browser?: Browser | Promise<Browser>;
  /** A browser already starting for this builder, which takes it over (closes it, replaces it if it crashes). */
  startedBrowser?: Promise<Browser>;
}

export interface BuildResult {
  guide: Guide;
  topics: number;
  pdfPages: number | null;
  /** Body size of the cheat sheet in points (the fitted size with `pages`). */
  pdfFontPt: number | null;
  decks: number;
  slides: number;
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

export { DEFAULTS };

/** Title of the guide: `--title`, else the notes folder's name unless it is just "notes". */
export function defaultTitle(notesDir: string): string {
  const base = path.basename(path.resolve(notesDir));
  return base && base.toLowerCase() !== 'notes' ? base.replace(/[-_]+/g, ' ') : 'Study Guide';
}

/** A build that can run again: watch mode keeps one and rebuilds after each save. */
export interface Builder {
  build(): Promise<BuildResult>;
  /** Close the browser; the builder cannot build after this. */
  close(): Promise<void>;
}

/** What a builder keeps between builds. Owned by one builder, never shared. */
interface BuildCache {
  /** Parse results by absolute path, valid while the text hash matches; `messages` are the parser's own. */
  parsed: Map<string, { hash: string; note: Note; messages: VFileMessage[] }>;
  /** Fitted slides by a hash of the slide and everything that shapes its layout. */
  fitted: Map<string, string[]>;
  /** Rendered mermaid diagrams by theme and code (src/render/mermaid.ts). */
  diagrams: DiagramCache;
  /** KaTeX's HTML by formula: a rebuild typesets only new formulas. */
  math: Map<string, string>;
  /** Font stylesheets, once copied. */
  fonts?: string[];
  /** What flashcards.pdf was last printed from (printing is skipped when the cards did not change). */
  flashcards?: string;
  /** The cheat sheet's page, kept open; `shellKey` says what it shows (see renderCheatsheetHtml). */
  sheet?: { page: Page; shellKey: string; blocked: string[] };
}

export async function build(options: BuildOptions): Promise<BuildResult> {
  const builder = createBuilder(options);
  try {
    return await builder.build();
  } finally {
    await builder.close();
  }
}

export function createBuilder(options: BuildOptions): Builder {
  const cache: BuildCache = { parsed: new Map(), fitted: new Map(), diagrams: new Map(), math: new Map() };
  const reporter = options.reporter ?? silentReporter;
  const borrowed = options.browser !== undefined;
  // A borrowed browser is used as it is; an owned one (started by the CLI, or launched here) is closed and replaced when it crashes.
  let browserReady: Promise<Browser> | null = options.browser ? Promise.resolve(options.browser) : (options.startedBrowser ?? null);
  browserReady?.catch(() => undefined); // reported where it is awaited
  let closed = false;
  const launch = () => {
    browserReady ??= Promise.resolve().then(() => launchBrowser(ensureBrowser((line) => reporter.info(line))));
    browserReady.catch(() => {
      browserReady = null; // a failed launch is tried again on the next build
    });
    return browserReady;
  };
  const dropBrowser = async () => {
    await cache.sheet?.page.close().catch(() => undefined);
    cache.sheet = undefined;
    const old = browserReady;
    browserReady = null;
    if (!borrowed && old) await (await old.catch(() => null))?.close().catch(() => undefined);
  };
  return {
    async build() {
      if (closed) throw new Error('builder is closed');
      // One build at a time writes to a folder (src/lock.ts); in watch mode, the lock is held per build, not for the session.
      const lock = await lockOutputs(outputFolder(options), (line) => reporter.info(line)).catch((error) => {
        throw asUserError(error, options);
      });
      try {
        return await runBuild(options, cache, launch);
      } catch (error) {
        if (borrowed || !isBrowserFailure(error)) throw asUserError(error, options);
        // The browser crashed or hung: one more try with a fresh one.
        reporter.info(`the browser failed (${describe(error)}); retrying once with a new one`);
        await dropBrowser();
        try {
          return await runBuild(options, cache, launch);
        } catch (again) {
          if (isBrowserFailure(again)) {
            await dropBrowser();
            throw new UserError(`the browser failed twice (${describe(again)}); check that Chromium runs here, or try --only pdf / --only slides`, 3);
          }
          throw asUserError(again, options);
        }
      } finally {
        await lock.release();
      }
    },
    async close() {
      closed = true;
      await dropBrowser();
    },
  };
}

/** The output folder, resolved; never inside the notes folder, which is only read. */
function outputFolder(options: BuildOptions): string {
  const cwd = options.cwd ?? process.cwd();
  const outDir = path.resolve(cwd, options.out);
  const inside = path.relative(path.resolve(cwd, options.notes), outDir);
  if (!inside.startsWith('..') && !path.isAbsolute(inside)) {
    throw new UserError(`output folder ${options.out} is inside the notes folder; choose another --out (notes are never written to)`);
  }
  return outDir;
}

const describe = (error: unknown) => (error as Error)?.message?.split('\n')[0] ?? String(error);

/** A crash, a lost connection or a timeout of the browser, as opposed to a problem of the input. */
function isBrowserFailure(error: unknown): boolean {
  const e = error as Error;
  if (!e || e instanceof UserError) return false;
  return (
    ['TargetCloseError', 'ProtocolError', 'TimeoutError', 'ConnectionClosedError'].includes(e.name) ||
    /Target closed|Session closed|Connection closed|browser has disconnected|detached|Navigation failed because browser|crashed|Page crashed/i.test(e.message ?? '')
  );
}

/** File system errors on the outputs become one clear line; everything else passes unchanged. */
function asUserError(error: unknown, options: BuildOptions): unknown {
  const e = error as NodeJS.ErrnoException;
  if (e && ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'EISDIR', 'EEXIST', 'EDQUOT'].includes(e.code ?? '')) {
    return new UserError(`cannot write the outputs to ${options.out}: ${e.code}${e.path ? ` (${e.path})` : ''}`, 3);
  }
  return error;
}

async function runBuild(options: BuildOptions, cache: BuildCache, launch: () => Promise<Browser>): Promise<BuildResult> {
  const started = performance.now();
  const reporter = options.reporter ?? silentReporter;
  const cwd = options.cwd ?? process.cwd();
  const notesDir = path.resolve(cwd, options.notes);
  const outDir = outputFolder(options);
  const only = new Set<OutputKind>(options.only ?? ['pdf', 'slides']);
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const stage = (name: string, detail: string) => {
    const now = performance.now();
    timings[name] = now - mark;
    reporter.stage(name, detail, now - mark);
    mark = now;
  };

  await sweepTemporaries(outDir);
  const loaded = await loadNotes(options.notes, cwd);
  // Chromium starts now and boots while the notes are parsed and the images resolved.
  const browserReady = launch();
  stage('load', `${loaded.length} notes`);
  const notes = parseWithCache(loaded, cache.parsed, options.allowHtml ?? false);
  stage('parse', `${notes.length} parsed`);
  const guide = buildGuide(
    notes.filter((n) => n.mdast.children.length > 0),
    options.title ?? defaultTitle(notesDir),
  );
  if (guide.topics.length === 0) throw new UserError(`no content in the notes under ${options.notes}`);
  const links = resolveLinks(guide, notesDir);
  const study = extractStudySet(guide);
  stage('tree', `${guide.topics.length} topics, ${study.cards.length} cards`);

  const images = await resolveImages(guide, {
    notesDir,
    cacheDir: path.join(outDir, '.cache', 'images'),
    offline: options.offline ?? false,
  });
  await copyImages(images, outDir);
  stage('images', `${images.size} images`);

  const renderer = createHtmlRenderer({ allowHtml: options.allowHtml, mathCache: cache.math });
  const templates: TemplateSource = { dirs: [path.join(notesDir, '.studyguide', 'templates'), BUNDLED_TEMPLATES] };
  const browser = await browserReady;
  stage('browser', 'ready');

  const blocked: string[] = [];
  // Mermaid diagrams, in the build's browser: light for the sheet, index and flashcards, the deck theme's for the decks.
  const deckTheme = only.has('slides') && DARK_THEMES.has(options.theme ?? DEFAULTS.theme) ? 'dark' : 'light';
  const diagrams = await buildDiagrams(browser, guide, { deckTheme, cache: cache.diagrams, dir: outDir, templates, onBlocked: (url) => blocked.push(url) });
  if (diagrams) stage('diagrams', `${diagrams.blocks} blocks, ${diagrams.rendered} rendered`);
  const sheetTopics = selectTopics(cheatsheetTopics(guide), options.topics ?? [], options.tags ?? []);
  if (only.has('pdf') && sheetTopics.length === 0) {
    const asked = [options.topics?.length ? `--topics ${options.topics.join(', ')}` : '', options.tags?.length ? `--tags ${options.tags.join(', ')}` : ''];
    throw new UserError(`${asked.filter(Boolean).join(' with ')} matched no topic of the cheat sheet`);
  }
  const overflowing: string[] = [];
  const inSheet = new Set([...walkTopics(sheetTopics)].map((t) => t.slug));
  const rootHtml: HtmlOptions = { images, assetPrefix: '', diagrams: diagrams?.light, topicHref: (slug) => (inSheet.has(slug) ? `#${slug}` : null) };
  // Decks link within all.html; a topic deck's links to other decks are pointed there when it is written.
  const slidesHtml: HtmlOptions = { images, assetPrefix: '../', diagrams: diagrams?.deck, topicHref: (slug) => `#/${slug}` };
  if (only.has('pdf')) cache.fonts ??= await copyFonts(outDir);
  const cards = renderCards(study, renderer, rootHtml);
  await writeAtomic(path.join(outDir, 'flashcards.tsv'), flashcardsTsv(cards));
  const sheet = renderer.renderTopics(sheetTopics, rootHtml);
  if (options.glossary && study.glossary.length > 0) sheet.push(glossaryTopic(study, renderer, rootHtml));
  const deckTopics = only.has('slides') ? renderer.renderTopics(guide.topics, slidesHtml) : [];
  const deckCards = only.has('slides') ? renderCards(study, renderer, slidesHtml) : [];
  // KaTeX's stylesheet and fonts go along only when an output shows math.
  const anyMath = [...renderedHtml(sheet), ...renderedHtml(deckTopics), ...cards.flatMap((c) => [c.front, c.back])].some(usesMath);
  const mathCss = anyMath ? await copyKatex(outDir) : null;
  // Callout icons are emoji: decks with callouts get the bundled emoji font, as the sheet has.
  const deckCallouts = [...renderedHtml(deckTopics)].some((html) => html.includes('class="callout'));
  if (deckCallouts) cache.fonts ??= await copyFonts(outDir);
  const emojiCss = deckCallouts ? EMOJI_CSS : null;
  const ctx: StageContext = { guide, outDir, templates, options, blocked, overflowing, cache, imageStamp: await imageStamp(images), mathCss, emojiCss };
  // The PDF and the decks render concurrently, each in its own page of the one browser.
  const [pdf, decks, flashcardSheets] = await Promise.all([
    only.has('pdf') ? buildCheatsheet(browser, sheet, ctx) : null,
    only.has('slides') ? buildDecks(browser, deckTopics, deckCards, ctx) : null,
    only.has('pdf') && cards.length > 0
      ? printFlashcards(browser, cards, guide.title, pageStyles(ctx), outDir, templates, (url) => blocked.push(url), cache.flashcards).then((printed) => {
          cache.flashcards = printed.key;
          return printed.sheets;
        })
      : null,
  ]);
  if (pdf) stage('cheatsheet', `${pdf.pages} pages at ${pdf.fontPt} pt`);
  if (decks) stage('slides', `${decks.length} decks`);

  // Notes that could not be used (binary, too large, unreadable) have only their messages.
  const skipped = loaded.filter((n) => n.text === null);
  const messages = [...skipped, ...notes]
    .flatMap((n) => n.file.messages)
    .sort((a, b) => String(a.file).localeCompare(String(b.file)) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  // `file.info()` leaves `fatal` undefined (`file.message()` sets false): those inform, they are not warnings.
  const warnings: VFileMessage[] = messages.filter((m) => m.fatal !== undefined);
  const notices: VFileMessage[] = messages.filter((m) => m.fatal === undefined);
  const dataview = dataviewInfo(notes);
  if (dataview) notices.push(dataview);
  if (links.missing.length > 0) {
    const names = links.missing.slice(0, 5).join(', ') + (links.missing.length > 5 ? ', …' : '');
    const count = links.missingLinks === 1 ? '1 wiki link points' : `${links.missingLinks} wiki links point`;
    notices.push(infoMessage(`${count} at notes not in the build, shown as text: ${names}`, 'wiki-link'));
  }
  for (const url of new Set(blocked)) warnings.push(new VFileMessage(`the browser tried to load a non-local resource (blocked): ${url}`));
  for (const key of new Set(overflowing)) warnings.push(new VFileMessage(`slides: ${key} still overflows after fitting`));
  if (pdf?.warning) warnings.push(new VFileMessage(pdf.warning));
  if (pdf && pdf.stranded.length > 0) warnings.push(new VFileMessage(`cheat sheet: heading left at a column end: ${pdf.stranded.join(', ')}`));
  if (pdf && pdf.pages !== pdf.layoutPages) {
    warnings.push(new VFileMessage(`cheat sheet: laid out ${pdf.layoutPages} pages but the PDF has ${pdf.pages}`));
  }

  await writeAtomic(
    path.join(outDir, 'index.html'),
    await renderIndex(
      guide,
      { pdfPages: pdf?.pages ?? null, decks, warnings: warnings.map(formatMessage), notices: notices.map(formatMessage), study, cards: cards.length, flashcardSheets },
      templates,
      renderer,
      rootHtml,
    ),
  );
  await removeStale(
    outDir,
    [
      ...(decks ?? []).map((d) => `slides/${d.name}.html`),
      ...(flashcardSheets ? ['flashcards.pdf'] : []),
      ...(decks ?? []).filter((d) => d.handoutPages).map((d) => `handouts/${d.name}.pdf`),
    ],
    { slides: only.has('slides'), handouts: only.has('slides') && (options.handout ?? false), flashcards: only.has('pdf') },
  );
  stage('index', 'written');
  return {
    guide,
    topics: guide.topics.length,
    pdfPages: pdf?.pages ?? null,
    pdfFontPt: pdf?.fontPt ?? null,
    decks: decks?.length ?? 0,
    slides: decks?.find((d) => d.name === 'all')?.slides ?? 0,
    study: { cards: cards.length, openQuestions: study.openQuestions.length, toFill: study.toFill.length, glossary: study.glossary.length },
    warnings,
    notices,
    seconds: (performance.now() - started) / 1000,
    timings,
    diagrams: { blocks: diagrams?.blocks ?? 0, rendered: diagrams?.rendered ?? 0 },
  };
}

/**
 * Parse each note, reusing the last parse of a note whose text has not
 * changed. Each build gets fresh VFiles (with the parse's messages), so
 * messages of one build never leak into the next.
 */
function parseWithCache(loaded: LoadedNote[], parsed: BuildCache['parsed'], allowHtml: boolean): Note[] {
  const parser = createParser({ allowHtml });
  const seen = new Set<string>();
  const notes = loaded.flatMap((entry) => {
    if (entry.text === null) return [];
    seen.add(entry.absPath);
    const loadMessages = [...entry.file.messages];
    const hash = createHash('sha1').update(entry.text).digest('hex');
    let hit = parsed.get(entry.absPath);
    if (!hit || hit.hash !== hash) {
      const note = parseNote(parser, { ...entry, text: entry.text });
      if (note.mdast.children.length === 0) {
        note.file.message('empty note, skipped', { place: { line: 1, column: 1 }, ruleId: 'empty', source: 'studyguide' });
      }
      hit = { hash, note, messages: note.file.messages.slice(loadMessages.length) };
      parsed.set(entry.absPath, hit);
    }
    const file = new VFile({ path: entry.path, value: entry.text });
    file.messages.push(...loadMessages, ...hit.messages);
    return [{ ...hit.note, path: entry.path, file }];
  });
  for (const key of parsed.keys()) if (!seen.has(key)) parsed.delete(key);
  return notes;
}

/**
 * Temporary files of builds that were killed (SIGKILL leaves no time to clean
 * up): the outputs themselves were never touched (written by rename), but the
 * temporaries would pile up. Only files of processes no longer running go.
 */
async function sweepTemporaries(outDir: string): Promise<void> {
  const pattern = /^\.(?:.+\.(\d+)\.[0-9a-f]{8}\.tmp|fit-(\d+)-\d+\.html|.+\.(\d+)\.html)$/;
  for (const dir of [outDir, path.join(outDir, 'slides'), path.join(outDir, 'handouts')]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      names.map(async (name) => {
        const m = pattern.exec(name);
        const pid = Number(m?.[1] ?? m?.[2] ?? m?.[3]);
        if (!m || pid === process.pid || processRunning(pid)) return;
        await rm(path.join(dir, name), { force: true });
      }),
    );
  }
}

/** Size and time of every image file shown: a changed image re-fits the slides. */
async function imageStamp(images: ImageMap): Promise<string> {
  const files = [...new Set([...images.values()].flatMap((i) => (i.kind === 'file' ? [i.source] : [])))].sort();
  const stats = await Promise.all(files.map((f) => stat(f).then((s) => `${f}:${s.size}:${s.mtimeMs}`, () => f)));
  return stats.join('|');
}

const MANIFEST = '.studyguide-outputs.json';

type OutputGroup = 'slides' | 'handouts' | 'flashcards';

/** Which group of generated files a manifest entry belongs to. */
function groupOf(rel: string): OutputGroup | null {
  if (/^slides\/[^/]+\.html$/.test(rel)) return 'slides';
  if (/^handouts\/[^/]+\.pdf$/.test(rel)) return 'handouts';
  if (rel === 'flashcards.pdf') return 'flashcards';
  return null;
}

/**
 * Remove decks, handouts and flashcards a previous build wrote that this one
 * did not (a deleted or renamed topic). Only groups this build made are
 * pruned: `--only pdf` leaves the decks alone, a build without `--handout`
 * leaves the handouts.
 */
async function removeStale(outDir: string, current: string[], built: Record<OutputGroup, boolean>): Promise<void> {
  const file = path.join(outDir, MANIFEST);
  const previous = await readFile(file, 'utf8')
    .then((text) => JSON.parse(text) as string[])
    .catch(() => [] as string[]);
  const keep = new Set(current);
  const stale: string[] = [];
  for (const rel of previous) {
    const group = groupOf(rel);
    if (!group || keep.has(rel)) continue;
    if (built[group]) stale.push(rel);
    else keep.add(rel); // not made this time: still an output
  }
  await Promise.all(stale.map((rel) => rm(path.join(outDir, rel), { force: true })));
  await writeAtomic(file, JSON.stringify([...keep].sort(), null, 1));
}

/** The glossary as the cheat sheet's last section: one list, terms in alphabetical order. */
function glossaryTopic(study: StudySet, renderer: HtmlRenderer, html: HtmlOptions): RenderedTopic {
  const collator = new Intl.Collator('en', { sensitivity: 'base' });
  const items = [...study.glossary]
    .sort((a, b) => collator.compare(a.term, b.term))
    .map((entry) => {
      const definition = renderer.renderBlocks(entry.definition, html, entry.topic.note.absPath).map((b) => b.html.replace(/^<p>|<\/p>$/g, '')).join(' ');
      return `<li><strong class="lead">${escapeHtml(entry.term)}</strong> — ${definition}</li>`;
    });
  return {
    slug: 'glossary',
    title: 'Glossary',
    titleHtml: 'Glossary',
    depth: 1,
    path: ['Glossary'],
    source: { file: '', line: 0, column: 0 },
    blocks: [{ kind: 'ul', html: `<ul class="glossary">${items.join('')}</ul>` }],
    notes: [],
    children: [],
  };
}

/** Topics whose note does not opt out of the cheat sheet (`cheatsheet: false`). */
function cheatsheetTopics(guide: Guide): Topic[] {
  return guide.topics.filter((topic) => topic.note.frontMatter.cheatsheet !== false);
}

interface StageContext {
  guide: Guide;
  outDir: string;
  templates: TemplateSource;
  options: BuildOptions;
  blocked: string[];
  /** Slides the fitter could not bring within the slide (should be none). */
  overflowing: string[];
  cache: BuildCache;
  /** Changes when any image the outputs show changes: part of the fit cache's key. */
  imageStamp: string;
  /** KaTeX's stylesheet (relative to the output folder) when an output shows math. */
  mathCss: string | null;
  /** The emoji font's stylesheet (relative to the output folder) when a deck shows callouts. */
  emojiCss: string | null;
}

/** Stylesheets the decks' content needs, relative to the output folder. */
const deckStyles = (ctx: StageContext) => [...(ctx.mathCss ? [ctx.mathCss] : []), ...(ctx.emojiCss ? [ctx.emojiCss] : [])];

/** Stylesheets of the printed pages at the output root: the bundled fonts, and KaTeX's when there is math. */
const pageStyles = (ctx: StageContext) => [...(ctx.cache.fonts ?? []), ...(ctx.mathCss ? [ctx.mathCss] : [])];

async function buildCheatsheet(browser: Browser, topics: RenderedTopic[], ctx: StageContext) {
  const { options, outDir, cache } = ctx;
  cache.fonts ??= await copyFonts(outDir);
  const fontSheets = pageStyles(ctx);
  const settings = (fontPt: number): CheatsheetOptions => ({
    title: ctx.guide.title,
    paper: options.paper ?? DEFAULTS.paper,
    landscape: options.landscape ?? DEFAULTS.landscape,
    columns: options.columns ?? DEFAULTS.columns,
    fontPt,
    images: options.images ?? true,
  });
  const startPt = options.fontPt ?? DEFAULTS.fontPt;
  const htmlFile = path.join(outDir, 'cheatsheet.html');
  // Laid out from a page of its own: cheatsheet.html is replaced right after the PDF, so a build
  // killed mid-layout leaves the two as they were, matching.
  const layoutFile = path.join(outDir, `.cheatsheet.${process.pid}.html`);
  const sheet = await renderCheatsheetHtml(topics, settings(startPt), ctx.templates, fontSheets);
  await writeAtomic(layoutFile, sheet.html);
  const minPt = options.minFontPt ?? DEFAULTS.minFontPt;
  const fit = options.pages ? { pages: options.pages, minPt, maxPt: Math.max(DEFAULTS.maxFontPt, minPt), startPt } : undefined;

  // The page stays open between builds: a rebuild swaps the content in instead of reloading.
  const open = cache.sheet && !cache.sheet.page.isClosed() ? cache.sheet : null;
  const page = open?.page ?? (await openLocalPage(browser, (url) => cache.sheet?.blocked.push(url)));
  const inPlace = open && open.shellKey === sheet.shellKey ? sheet.html : undefined;
  cache.sheet = { page, shellKey: sheet.shellKey, blocked: ctx.blocked };
  try {
    const { pdf, layout } = await printCheatsheet(page, layoutFile, fit, inPlace, [...renderedHtml(topics)].length);
    await writeAtomic(path.join(outDir, 'cheatsheet.pdf'), pdf);
    // The web version shows the size the PDF was printed at.
    const html = layout.fontPt === startPt ? sheet.html : (await renderCheatsheetHtml(topics, settings(layout.fontPt), ctx.templates, fontSheets)).html;
    await writeAtomic(htmlFile, html);
    const pages = pdfPageCount(pdf);
    const warning =
      fit && !layout.fitted ? `cheat sheet needs ${pages} pages at ${minPt} pt; asked for ${fit.pages} (lower --min-font-size, add --columns, or choose --topics)` : null;
    return { pages, fontPt: layout.fontPt, layoutPages: layout.pages, stranded: layout.stranded, warning };
  } catch (error) {
    // A page in an unknown state is not reused.
    cache.sheet = undefined;
    await page.close().catch(() => undefined);
    throw error;
  } finally {
    await discardTemporary(layoutFile);
  }
}

export interface DeckSummary {
  name: string;
  title: string;
  slides: number;
  source?: string;
  /** Pages of `handouts/<name>.pdf`, when handouts were printed. */
  handoutPages?: number;
}

async function buildDecks(browser: Browser, topics: RenderedTopic[], cards: RenderedCard[], ctx: StageContext): Promise<DeckSummary[]> {
  const { options, outDir, guide } = ctx;
  const slidesDir = path.join(outDir, 'slides');
  const theme = options.theme ?? DEFAULTS.theme;
  const themes = await listThemes();
  if (!themes.includes(theme)) throw new UserError(`unknown theme "${theme}" (reveal.js themes: ${themes.join(', ')})`);
  const layout = parseLayout(options.handoutLayout ?? '1x1');
  if (!layout) throw new UserError(`--handout-layout ${options.handoutLayout} should be COLUMNSxROWS, e.g. 1x1 or 2x3`);
  const userCss = await copyUserCss(options.css ?? [], slidesDir, options.cwd ?? process.cwd());
  const slideOptions: SlidesOptions = {
    title: guide.title,
    theme,
    width: DEFAULTS.slideWidth,
    height: DEFAULTS.slideHeight,
    fragments: options.fragments ?? false,
    userCss,
    styles: deckStyles(ctx),
  };
  const [templates] = await Promise.all([
    loadDeckTemplates(ctx.templates),
    copyReveal(slidesDir, slideOptions.theme),
    copyAtomic(templatePath(ctx.templates, 'slides.css'), path.join(slidesDir, 'studyguide.css')),
  ]);
  const quizCards = options.shuffle ? shuffle(cards, options.seed ?? Date.now()) : cards;
  const quiz = quizSlides(quizCards, guide.title);
  const fitted = await fitWithCache(browser, [...fitSlides(guide.title, topics), ...quiz], slideOptions, templates, ctx, slidesDir);
  const decks: Deck[] = [allDeck(guide.title, topics, fitted), ...topics.map((t) => topicDeck(guide.title, t, fitted))];
  if (cards.length > 0) decks.push({ name: 'quiz', title: `Quiz — ${guide.title}`, stacks: quiz.map((slide) => fitted[slide.key] ?? []) });
  const deckOf = deckHomes(topics);
  await Promise.all(
    decks.map((deck) => writeAtomic(path.join(slidesDir, `${deck.name}.html`), renderDeck(linkAcrossDecks(deck, deckOf), slideOptions, templates))),
  );
  const handouts = options.handout
    ? await printHandouts(browser, decks, slideOptions, { ...layout, notes: options.handoutNotes ?? false }, outDir, ctx.templates, (url) =>
        ctx.blocked.push(url),
      )
    : [];
  const sources = new Map(guide.topics.map((t) => [t.slug, `${t.source.file}:${t.source.line}`]));
  return decks.map((deck) => ({
    name: deck.name,
    title: deck.name === 'all' ? 'All topics' : deck.name === 'quiz' ? 'Quiz' : deck.title.split(' — ')[0]!,
    slides: deck.stacks.reduce((sum, stack) => sum + stack.length, 0),
    source: sources.get(deck.name),
    handoutPages: handouts.find((h) => h.name === deck.name)?.pages,
  }));
}

/**
 * Fit only the slides whose content (or whose layout environment: templates,
 * theme, stylesheets, images) changed since the last build; the rest come
 * from the cache. An edit to one note fits that note's slides only.
 */
async function fitWithCache(
  browser: Browser,
  slides: FitSlide[],
  options: SlidesOptions,
  templates: DeckTemplates,
  ctx: StageContext,
  slidesDir: string,
): Promise<FittedSlides> {
  const env = createHash('sha1');
  env.update(JSON.stringify(options)).update(templates.fitScript).update(ctx.imageStamp);
  for (const file of ['slides.hbs', 'slides.css']) env.update(await readFile(templatePath(ctx.templates, file)));
  for (const css of options.userCss) env.update(await readFile(path.join(slidesDir, css)));
  const envHash = env.digest('hex');
  const keyOf = (slide: FitSlide) => createHash('sha1').update(envHash).update(JSON.stringify(slide)).digest('hex');

  const result: FittedSlides = {};
  const missing = slides.filter((slide) => {
    const hit = ctx.cache.fitted.get(keyOf(slide));
    if (hit) result[slide.key] = hit;
    return !hit;
  });
  if (missing.length === 0) return result;
  const fitFile = path.join(slidesDir, `.fit-${process.pid}-${Date.now()}.html`);
  await writeAtomic(fitFile, renderFitPage(missing, options, templates));
  const page = await openLocalPage(browser, (url) => ctx.blocked.push(url));
  try {
    const fresh = await fitInBrowser(page, fitFile, options, missing.length);
    ctx.overflowing.push(...fresh.overflowing);
    for (const slide of missing) {
      const sections = fresh.slides[slide.key] ?? [];
      result[slide.key] = sections;
      ctx.cache.fitted.set(keyOf(slide), sections);
    }
  } finally {
    await page.close().catch(() => undefined);
    await discardTemporary(fitFile);
  }
  return result;
}

/** Copy the user's deck stylesheets next to the decks; returns their paths relative to the slides folder. */
async function copyUserCss(files: string[], slidesDir: string, cwd: string): Promise<string[]> {
  return Promise.all(
    files.map(async (file, i) => {
      const source = path.resolve(cwd, file);
      const name = `user-${i + 1}-${path.basename(source).replace(/[^\w.-]+/g, '_')}`;
      try {
        await copyAtomic(source, path.join(slidesDir, name));
      } catch {
        throw new UserError(`--css ${file}: cannot read that file`);
      }
      return name;
    }),
  );
}

