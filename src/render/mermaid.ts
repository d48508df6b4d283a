/**
 * Mermaid diagrams, rendered at build time to inline SVG in the build's own
 * browser (the `mermaid` package on disk; no network, no second browser).
 *
 * The build collects the guide's mermaid code blocks, renders the (code, theme)
 * pairs its cache does not hold in one local page, and hands each output the
 * map of its theme; `rehypeDiagrams` then swaps `pre > code.language-mermaid`
 * for the SVG. A diagram that does not render stays code, with a warning.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import type { Nodes as MdastNodes } from 'mdast';
import type { Raw } from 'mdast-util-to-hast';
import type { Browser } from 'puppeteer-core';
import type { Position } from 'unist';
import { SKIP, visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { pageScript, withLocalPage } from '../browser.js';
import type { DiagramResult, DiagramTheme, MermaidJob, PageWindow } from '../page/protocol.js';
import { loadTemplate, type TemplateSource } from '../templates.js';
import { walkTopics } from '../tree.js';
import type { Guide, Note } from '../types.js';

/** A diagram's theme, and a rendered diagram (its natural size in CSS px, from its viewBox) or why it could not be rendered. */
export type { DiagramResult, DiagramTheme };
/** The diagrams of one theme, as an output shows them: keyed by `diagramCode(code)`. */
export type DiagramMap = Map<string, DiagramResult>;
/** What a builder keeps between builds: results keyed by `diagramKey(theme, code)`. */
export type DiagramCache = Map<string, DiagramResult>;

/** A mermaid code block of the guide, with where to report a problem with it. */
export interface DiagramBlock {
  code: string;
  note: Note;
  position?: Position;
  /** Inside an embed (`![[Note#Heading]]`): a copy of a block that is reported where it is written. */
  copy: boolean;
}

/** The label size mermaid lays out with (its default `fontSize`); outputs scale diagrams relative to it. */
const LABEL_PX = 16;
/** The page's layout width: some diagrams (gantt) take the width of their container. */
const VIEWPORT = { width: 1200, height: 800 };

export const isMermaid = (lang: string | null | undefined) => (lang ?? '').trim().toLowerCase() === 'mermaid';

/** The code as a key: trailing whitespace does not change a diagram (and the HTML side has a final newline more). */
export const diagramCode = (code: string) => code.replace(/\s+$/, '');

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

export const diagramKey = (theme: DiagramTheme, code: string) => `${theme}:${sha1(diagramCode(code))}`;

/** The id of the diagram's SVG: from its content, so the same input gives the same bytes and two diagrams never share ids. */
export const diagramId = (theme: DiagramTheme, code: string) => `mermaid-${sha1(`${theme}\u0000${diagramCode(code)}`).slice(0, 12)}`;

/**
 * Every mermaid code block of the guide, in reading order, nested ones too (in
 * list items, callouts, embeds, speaker notes, footnotes).
 */
export function collectDiagrams(guide: Pick<Guide, 'notes' | 'topics'>): DiagramBlock[] {
  const byPath = new Map(guide.notes.map((note) => [note.absPath, note]));
  const blocks: DiagramBlock[] = [];
  const walk = (node: MdastNodes, note: Note, copy: boolean) => {
    const own = node.data?.noteAbsPath ? (byPath.get(node.data.noteAbsPath) ?? note) : note;
    if (node.type === 'code' && isMermaid(node.lang))
      blocks.push({ code: diagramCode(node.value), note: own, position: node.position, copy });
    if ('children' in node) for (const child of node.children as MdastNodes[]) walk(child, own, copy || node.type === 'wikiEmbed');
  };
  for (const topic of walkTopics(guide.topics)) for (const node of [...topic.blocks, ...topic.notes]) walk(node, topic.note, false);
  for (const note of guide.notes) for (const definition of note.footnotes ?? []) walk(definition, note, false);
  return blocks;
}

/** One warning per failing code block, at the block, on its note. */
export function reportDiagramErrors(blocks: DiagramBlock[], results: DiagramMap[]): void {
  const reported = new Set<string>();
  for (const block of blocks) {
    if (block.copy) continue;
    const error = results.map((map) => map.get(block.code)).find((r): r is { error: string } => r !== undefined && 'error' in r);
    const where = `${block.note.absPath}:${block.position?.start.line}:${block.position?.start.column}`;
    if (!error || reported.has(where)) continue;
    reported.add(where);
    block.note.file.message(`mermaid diagram not rendered (shown as code): ${errorSummary(error.error)}`, {
      place: block.position,
      ruleId: 'mermaid',
      source: 'studyguide',
    });
  }
}

/** mermaid's parse errors span lines (an excerpt with a caret): keep the line and what was expected, on one line. */
export function errorSummary(message: string): string {
  const lines = message.split(/\r?\n/).map((line) => line.trim());
  const kept = lines.filter((line, i) => line && (i === 0 || /^Expecting\b/.test(line)));
  const text = (kept.length ? kept : lines.filter(Boolean))
    .join(' ')
    .replace(/^Parse error on line (\d+):/, 'parse error on line $1 of the diagram:');
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

/** The diagrams one output shows, from the cache: its theme, keyed by code. */
export function diagramMap(cache: DiagramCache, theme: DiagramTheme, codes: Iterable<string>): DiagramMap {
  const map: DiagramMap = new Map();
  for (const code of codes) {
    const hit = cache.get(diagramKey(theme, code));
    if (hit) map.set(code, hit);
  }
  return map;
}

/** Where the render page is written (the output folder) and where its template (mermaid.hbs) comes from. */
export interface RenderOptions {
  dir: string;
  templates: TemplateSource;
  onBlocked?: (url: string) => void;
}

export interface DiagramJob {
  theme: DiagramTheme;
  code: string;
}

/**
 * Render what the cache lacks (in one page, none when nothing is missing) and
 * drop what this build no longer needs, so a long watch session does not grow
 * the cache. Returns how many diagrams were rendered.
 */
export async function updateDiagramCache(
  /** The build's browser, asked for only when a diagram is missing. */
  browser: () => Promise<Browser>,
  cache: DiagramCache,
  wanted: DiagramJob[],
  options: RenderOptions,
): Promise<number> {
  const jobs = new Map(wanted.map((job) => [diagramKey(job.theme, job.code), { theme: job.theme, code: diagramCode(job.code) }]));
  for (const key of cache.keys()) if (!jobs.has(key)) cache.delete(key);
  const missing = [...jobs].filter(([key]) => !cache.has(key));
  if (missing.length === 0) return 0;
  const results = await renderDiagrams(
    await browser(),
    missing.map(([, job]) => job),
    options,
  );
  missing.forEach(([key], i) => cache.set(key, results[i]!));
  return missing.length;
}

/** The diagrams of a build, for the light outputs and the decks' theme; null when the notes have none. */
export async function buildDiagrams(
  browser: () => Promise<Browser>,
  guide: Pick<Guide, 'notes' | 'topics'>,
  options: RenderOptions & { deckTheme: DiagramTheme; cache: DiagramCache },
): Promise<{ light: DiagramMap; deck: DiagramMap; blocks: number; rendered: number } | null> {
  const blocks = collectDiagrams(guide);
  if (blocks.length === 0) {
    options.cache.clear();
    return null;
  }
  const themes: DiagramTheme[] = options.deckTheme === 'light' ? ['light'] : ['light', options.deckTheme];
  const codes = blocks.map((block) => block.code);
  const wanted = themes.flatMap((theme) => codes.map((code) => ({ theme, code })));
  const rendered = await updateDiagramCache(browser, options.cache, wanted, options);
  const light = diagramMap(options.cache, 'light', codes);
  const deck = options.deckTheme === 'light' ? light : diagramMap(options.cache, options.deckTheme, codes);
  reportDiagramErrors(blocks, [light, deck]);
  return { light, deck, blocks: blocks.length, rendered };
}

/** mermaid's settings per theme: light ones print well in greys; labels are SVG text, not HTML. */
export function mermaidConfig(theme: DiagramTheme) {
  return {
    startOnLoad: false,
    securityLevel: 'strict',
    theme: theme === 'dark' ? 'dark' : 'neutral',
    // A generic family: the decks do not load the sheet's fonts, and the page that measures the labels
    // must use the font the outputs show them in (a viewer's sans-serif is rarely wider than DejaVu Sans).
    fontFamily: 'sans-serif',
    fontSize: LABEL_PX,
    // SVG text: page styles (reveal's `p` line height, the sheet's hyphenation) cannot reflow it, and it prints as text.
    htmlLabels: false,
    flowchart: { htmlLabels: false },
    // A marker at today's date would change the output every day.
    gantt: { todayMarker: 'off' },
    deterministicIds: true,
    suppressErrorRendering: true,
    // What a diagram's own `%%{init}%%` may not change: our measuring and our no-network promise.
    secure: [
      'secure',
      'securityLevel',
      'startOnLoad',
      'maxTextSize',
      'suppressErrorRendering',
      'maxEdges',
      'themeCSS',
      'fontFamily',
      'fontSize',
      'htmlLabels',
    ],
  };
}

const require = createRequire(import.meta.url);

/** Render each job in one page of `browser` (src/page/mermaid.ts); a failure of one diagram is its `{ error }`. */
export async function renderDiagrams(browser: Browser, jobs: DiagramJob[], options: RenderOptions): Promise<DiagramResult[]> {
  if (jobs.length === 0) return [];
  const [pageHtml, script] = await Promise.all([loadTemplate(options.templates, 'mermaid.hbs'), pageScript('mermaid')]);
  const html = pageHtml({ mermaidUrl: pathToFileURL(require.resolve('mermaid/dist/mermaid.min.js')).href, script, width: VIEWPORT.width });
  const configs = { light: mermaidConfig('light'), dark: mermaidConfig('dark') };
  const inPage: MermaidJob[] = jobs.map((job) => {
    const id = diagramId(job.theme, job.code);
    return { ...job, id, seed: parseInt(id.slice(-8), 16) };
  });
  const page = { dir: options.dir, name: 'mermaid', html, program: 'mermaid' as const, onBlocked: options.onBlocked, viewport: VIEWPORT };
  return withLocalPage(browser, page, async (tab) => {
    const results = await tab.evaluate(
      (list, settings) => (window as unknown as PageWindow<'mermaid'>).studyguide.render(list, settings),
      inPage,
      configs,
    );
    // No newline inside: the flashcards TSV turns newlines into <br>, which has no place in an SVG.
    return results.map((result) => ('svg' in result ? { ...result, svg: result.svg.replace(/\r?\n/g, ' ') } : result));
  });
}

/** Post-sanitize rehype plugin: `pre > code.language-mermaid` → the diagram's SVG (when rendered). */
export function rehypeDiagrams() {
  return (tree: HastRoot, file: VFile) => {
    const diagrams = file.data.render?.options.diagrams;
    if (!diagrams || diagrams.size === 0) return;
    visit(tree, 'element', (node, index, parent) => {
      if (node.tagName !== 'pre' || !parent || index === undefined) return;
      const code = mermaidCodeOf(node);
      if (code === null) return;
      const result = diagrams.get(diagramCode(code));
      // The figure stands where the code was written (the self-test sheet blanks by position).
      if (result && 'svg' in result) parent.children[index] = { ...diagramFigure(result), position: node.position };
      return SKIP;
    });
  };
}

/** The text of `pre > code.language-mermaid`, or null for any other `pre`. */
function mermaidCodeOf(pre: Element): string | null {
  const code = pre.children.find((child): child is Element => child.type === 'element');
  if (!code || code.tagName !== 'code') return null;
  const classes = Array.isArray(code.properties.className) ? code.properties.className : [];
  return classes.some((c) => String(c).toLowerCase() === 'language-mermaid') ? textOf(code) : null;
}

function textOf(node: ElementContent): string {
  if (node.type === 'text') return node.value;
  return node.type === 'element' ? node.children.map(textOf).join('') : '';
}

/**
 * `<figure class="sg-diagram">` around the SVG (a raw node: our own markup, kept
 * exact). `--sg-diagram-ems` is the width at which the labels are 1em: the
 * stylesheets size diagrams to the text around them.
 */
function diagramFigure(result: { svg: string; width: number }): Element {
  const raw: Raw = { type: 'raw', value: result.svg };
  const ems = Math.round((result.width / LABEL_PX) * 1000) / 1000;
  return {
    type: 'element',
    tagName: 'figure',
    properties: { className: ['sg-diagram'], style: ems > 0 ? `--sg-diagram-ems: ${ems}` : undefined },
    children: [raw],
  };
}
