/** Cheat sheet: rendered topics → HTML (templates/cheatsheet.hbs) → PDF printed by Chromium. */
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer';
import type { TemplateSource } from '../templates.js';
import { loadTemplate, readTemplateFile } from '../templates.js';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { RenderedTopic } from './html.js';

export type Paper = 'A4' | 'Letter';

export interface CheatsheetOptions {
  title: string;
  paper: Paper;
  landscape: boolean;
  columns: number;
  /** Body text size in points. */
  fontPt: number;
}

const PAPER: Record<Paper, [string, string]> = {
  A4: ['210mm', '297mm'],
  Letter: ['8.5in', '11in'],
};

/** One entry of the flat sequence the layout script pours into columns. */
export type FlowItem =
  | { heading: true; level: number; depth: number; slug: string; titleHtml: string; pathText: string }
  | { heading: false; html: string };

/** Topics in reading order as headings and blocks: the layout needs a flat sequence. */
export function flowItems(topics: RenderedTopic[]): FlowItem[] {
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
    for (const block of topic.blocks) items.push({ heading: false, html: block.html });
    topic.children.forEach(visit);
  };
  topics.forEach(visit);
  return items;
}

export async function renderCheatsheetHtml(topics: RenderedTopic[], options: CheatsheetOptions, templates: TemplateSource): Promise<string> {
  const require = createRequire(import.meta.url);
  const [template, css, script, codeCss] = await Promise.all([
    loadTemplate(templates, 'cheatsheet.hbs'),
    readTemplateFile(templates, 'cheatsheet.css'),
    Promise.all([readTemplateFile(templates, 'split.js'), readTemplateFile(templates, 'cheatsheet.js')]).then((parts) => parts.join('\n')),
    readFile(require.resolve('highlight.js/styles/github.css'), 'utf8'),
  ]);
  const [w, h] = PAPER[options.paper];
  const page = options.landscape ? { width: h, height: w } : { width: w, height: h };
  return template({
    lang: 'en',
    title: options.title,
    page,
    columns: options.columns,
    fontPt: options.fontPt,
    css: `${codeCss}\n${css}`,
    script,
    config: { title: options.title, columns: options.columns, fontPt: options.fontPt, footer: 'studyguide' },
    items: flowItems(topics),
  });
}

export interface LayoutResult {
  pages: number;
  fontPt: number;
  shrunk: number;
  stranded: string[];
}

/** Load the cheat sheet HTML (a file, so its assets resolve), let it lay out, print it. */
export async function printCheatsheet(page: Page, htmlFile: string): Promise<{ pdf: Uint8Array; layout: LayoutResult }> {
  await page.emulateMediaType('print');
  await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
  await page.waitForSelector('html[data-layout="done"]', { timeout: 30_000 });
  const layout = (await page.evaluate('window.studyguide.result')) as LayoutResult;
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true, outline: true, tagged: true, timeout: 60_000 });
  return { pdf, layout };
}

/** Page count of a PDF, from its page objects (good enough for Chromium's output). */
export function pdfPageCount(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  return (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}
