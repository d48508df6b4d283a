/** Cheat sheet: rendered topics → HTML (templates/cheatsheet.hbs) → laid out by src/page/cheatsheet.ts → PDF printed by Chromium. */
import type { Page } from 'puppeteer-core';
import type { Paper } from '../settings.js';
import type { TemplateSource } from '../templates.js';
import { loadTemplate, readTemplateFile } from '../templates.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { browserTimeout, pageScript } from '../browser.js';
import type { CheatsheetConfig, FitOptions, LayoutResult, PageWindow } from '../page/protocol.js';
import { scriptHashSource } from '../safety.js';
import { FONT_STACKS } from './fonts.js';
import { blockKey, type SheetPlan } from '../priority.js';
import type { RenderedBlock, RenderedTopic } from './html.js';

/** The fonts the sheet sets text in (its stacks, in each weight and style), loaded before the first layout. */
const FONT_SPECS = [
  ...['400', '700', 'italic 400', 'italic 700'].map((face) => `${face} 10px ${FONT_STACKS.body}`),
  ...['400', '700'].map((face) => `${face} 10px ${FONT_STACKS.mono}`),
];

export interface CheatsheetOptions {
  title: string;
  paper: Paper;
  landscape: boolean;
  columns: number;
  /** Body text size in points. */
  fontPt: number;
  /** Show images (false: images and their placeholders are left out). */
  images: boolean;
  /** The legibility floor in points (`--min-font-size`). */
  floorPt: number;
  /** Units the page leaves out (the web version of a sheet that chose what to print). */
  leaveOut?: number[];
}

const PAPER: Record<Paper, [string, string]> = {
  A4: ['210mm', '297mm'],
  Letter: ['8.5in', '11in'],
};

/** One entry of the flat sequence the layout script pours into columns. */
export type FlowItem =
  { heading: true; level: number; depth: number; slug: string; titleHtml: string; pathText: string } | { heading: false; html: string };

/**
 * Topics in reading order as headings and blocks: the layout needs a flat sequence. With a plan,
 * each block names its units (`data-u="id:priority:rank …"`, one per item of a list) for the
 * page that chooses what to print (src/page/select.ts).
 */
export function flowItems(topics: RenderedTopic[], plan?: SheetPlan): FlowItem[] {
  const items: FlowItem[] = [];
  const visit = (topic: RenderedTopic) => {
    items.push({
      heading: true,
      level: Math.min(Math.max(topic.depth, 1), 6),
      depth: topic.depth,
      slug: topic.slug,
      titleHtml: topic.titleHtml,
      pathText: topic.path.join(' › '),
    });
    if (topic.tagsHtml) items.push({ heading: false, html: topic.tagsHtml });
    for (const block of topic.blocks) items.push({ heading: false, html: plan ? withUnits(topic, block, plan) : block.html });
    topic.children.forEach(visit);
  };
  topics.forEach(visit);
  return items;
}

/** The block's HTML with its units on its outer element. */
function withUnits(topic: RenderedTopic, block: RenderedBlock, plan: SheetPlan): string {
  const key = blockKey(topic.source.file, block.at);
  const ids = key === null ? undefined : plan.blocks.get(key);
  if (!ids) return block.html;
  const value = ids.map((id) => {
    const unit = plan.units[id]!;
    return `${id}:${unit.priority === 'core' ? 0 : unit.priority}:${unit.rank}`;
  });
  return block.html.replace(/^<[a-zA-Z][\w-]*/, (tag) => `${tag} data-u="${value.join(' ')}"`);
}

export interface CheatsheetHtml {
  html: string;
  /**
   * Identifies everything but the content (template, styles, script,
   * settings): two sheets with the same key differ only in their flow.
   */
  shellKey: string;
}

export async function renderCheatsheetHtml(
  topics: RenderedTopic[],
  options: CheatsheetOptions,
  templates: TemplateSource,
  /** Font stylesheets, relative to the cheat sheet's folder (see fonts.ts). */
  fontSheets: string[],
  /** The sheet's units: what the page may leave out to fit `--pages` (src/priority.ts). */
  plan?: SheetPlan,
): Promise<CheatsheetHtml> {
  const require = createRequire(import.meta.url);
  const [template, source, css, callouts, script, codeCss] = await Promise.all([
    loadTemplate(templates, 'cheatsheet.hbs'),
    readTemplateFile(templates, 'cheatsheet.hbs'),
    readTemplateFile(templates, 'cheatsheet.css'),
    readTemplateFile(templates, 'callouts.css'),
    pageScript('cheatsheet'),
    readFile(require.resolve('highlight.js/styles/github.css'), 'utf8'),
  ]);
  const [w, h] = PAPER[options.paper];
  const page = options.landscape ? { width: h, height: w } : { width: w, height: h };
  const config: CheatsheetConfig = {
    title: options.title,
    columns: options.columns,
    fontPt: options.fontPt,
    footer: 'studyguide',
    fontSpecs: FONT_SPECS,
    floorPt: options.floorPt,
    cssGlyphs: '🖼…»·✏📋📝ℹ☑💡❗✔❓⚠⛔⚡✖🐞💬📖📐🔍▸↪',
    ...(options.leaveOut?.length ? { leaveOut: options.leaveOut } : {}),
  };
  const shell = {
    lang: 'en',
    title: options.title,
    page,
    columns: options.columns,
    fontPt: options.fontPt,
    css: `${codeCss}\n${css}\n${callouts}`,
    fonts: FONT_STACKS,
    bodyClass: options.images ? '' : 'no-images',
    fontSheets,
    script,
    scriptHash: scriptHashSource(script),
    config,
  };
  const shellKey = createHash('sha1').update(source).update(JSON.stringify(shell)).digest('hex');
  return { html: template({ ...shell, items: flowItems(topics, plan) }), shellKey };
}

/** What the layout reports (src/page/cheatsheet.ts), and how to fit N pages. */
export type { FitOptions, LayoutResult };

/**
 * Print the cheat sheet laid out in `page` (its first layout is `first`); with `fit`, the size is
 * searched in the page against the real layout first (and, below the floor, what to print chosen).
 */
export async function printCheatsheet(
  page: Page,
  first: LayoutResult,
  fit?: FitOptions,
): Promise<{ pdf: Uint8Array; layout: LayoutResult }> {
  type InPage = PageWindow<'cheatsheet'>;
  const layout = fit ? await page.evaluate((opts) => (window as unknown as InPage).studyguide.fitPages(opts), fit) : first;
  const pdf = await page.pdf({
    preferCSSPageSize: true,
    printBackground: true,
    outline: true,
    tagged: true,
    timeout: browserTimeout(layout.pages, 2000),
  });
  return { pdf, layout };
}

/** Page count of a PDF, from its page objects (good enough for Chromium's output). */
export function pdfPageCount(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  return (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}
