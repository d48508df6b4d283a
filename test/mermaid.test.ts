/** Mermaid diagrams: rendered at build time to inline SVG in the build's browser, themed, cached; a bad one stays code with a warning. */
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../src/build.js';
import { createBuilder } from '../src/builder.js';
import { collectDiagrams, diagramCode, errorSummary } from '../src/render/mermaid.js';
import { formatMessage } from '../src/report.js';
import { buildGuide } from '../src/tree.js';
import { cli, launchTestBrowser, noteFrom, openDeck, overflowingSlides, readPdf, tempDir, type PdfText } from './helpers.js';

const FLOW = ['flowchart LR', '  A[Client request] --> B{Auth ok?}', '  B -->|yes| C[Serve the page]', '  B -->|no| D[Reject]'].join('\n');
const SEQUENCE = ['sequenceDiagram', '  Alice->>Bob: Hello Bob', '  Bob-->>Alice: Hi Alice'].join('\n');
const BROKEN = ['flowchart LR', '  Broken[ -->'].join('\n');
// A diagram may not reach the network through its own settings (themeCSS is ours to set, not the note's).
const SNEAKY = [
  '%%{init: {"themeCSS": "@import url(https://example.com/x.css); .node rect { fill: url(https://example.com/p.png) }"}}%%',
  'flowchart TD',
  '  Sneaky --> Quiet',
].join('\n');
// Tall: the sheet must keep it whole (moved on or scaled), the decks must not clip it.
const TALL = ['flowchart TD', ...Array.from({ length: 14 }, (_, i) => `  S${i}[Step ${i}] --> S${i + 1}[Step ${i + 1}]`)].join('\n');

const fence = (code: string, indent = '') =>
  [`${indent}\`\`\`mermaid`, ...code.split('\n').map((l) => indent + l), `${indent}\`\`\``].join('\n');

const NOTE = [
  '# Request flow',
  '',
  'How a request is served.',
  '',
  fence(FLOW),
  '',
  '## Handshake',
  '',
  '- Nested in a list item:',
  '',
  fence(SEQUENCE, '  '),
  '',
  '## Broken',
  '',
  fence(BROKEN),
  '',
  '## Settings',
  '',
  fence(SNEAKY),
  '',
  '## Long',
  '',
  fence(TALL),
  '',
].join('\n');

/** `file:line:column` of the broken block's opening fence, as the build reports it. */
const brokenAt = (file: string) => {
  const lines = NOTE.split('\n');
  const line = lines.findIndex((l, i) => l === '```mermaid' && lines[i + 2] === '  Broken[ -->') + 1;
  return `${file}:${line}:1`;
};

const svgsOf = (html: string) => html.match(/<svg\b[\s\S]*?<\/svg>/g) ?? [];
const figuresOf = (html: string) => html.match(/<figure class="sg-diagram"[^>]*><svg\b[\s\S]*?<\/svg><\/figure>/g) ?? [];
/** The text of an SVG's labels (mermaid puts each word in its own tspan). */
const labelsOf = (svg: string) => [...svg.matchAll(/<text\b[\s\S]*?<\/text>/g)].map((m) => m[0].replace(/<[^>]+>/g, '')).join(' | ');
/** The SVG with a label `label`. */
const svgWith = (html: string, label: string) => svgsOf(html).find((svg) => labelsOf(svg).split(' | ').includes(label));

/** Relative luminance of a #rgb / #rrggbb colour. */
function luminance(hex: string): number {
  const full = hex.length === 4 ? hex.replace(/^#(.)(.)(.)$/, '#$1$1$2$2$3$3') : hex;
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(full.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
/** The fill of flowchart nodes, from the diagram's own stylesheet. */
const nodeFill = (svg: string) => /\.node rect[^{]*\{[^}]*?fill:\s*(#[0-9a-fA-F]{3,6})\b/.exec(svg)?.[1];

let browser: Browser;
let dir: string;
let light: { out: string; code: number; stderr: string; pdf: PdfText; sheet: string; deck: string; all: string };
let dark: { out: string; code: number; stderr: string; sheet: string; deck: string };

beforeAll(async () => {
  dir = await tempDir('studyguide-mermaid-');
  await mkdir(path.join(dir, 'notes'));
  await writeFile(path.join(dir, 'notes', 'diagrams.md'), NOTE);
  const run = async (out: string, extra: string[] = []) => {
    const r = await cli(['build', '--notes', 'notes', '--out', out, '--offline', ...extra], { cwd: dir });
    const read = (rel: string) => readFile(path.join(dir, out, rel), 'utf8');
    return {
      out: path.join(dir, out),
      code: r.code,
      stderr: r.stderr,
      sheet: await read('cheatsheet.html'),
      deck: await read('slides/request-flow.html'),
      all: await read('slides/all.html'),
    };
  };
  // One after the other: each build drives its own Chromium, and the machine has two cores.
  const first = await run('out');
  light = { ...first, pdf: await readPdf(path.join(first.out, 'cheatsheet.pdf')) };
  dark = await run('out-dark', ['--theme', 'black']);
  browser = await launchTestBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
});

describe('mermaid code blocks', () => {
  it('are found wherever they are written: top level, list items, block quotes, callouts, speaker notes', () => {
    const note = noteFrom(
      [
        '# T',
        fence('graph LR\n  a --> b'),
        '- item',
        '',
        fence('graph LR\n  in --> list', '  '),
        '',
        '> quoted',
        '>',
        '> ```Mermaid',
        '> graph LR',
        '>   in --> quote',
        '> ```',
        '',
        '> [!note] A callout',
        '> ```mermaid',
        '> graph LR',
        '>   in --> callout',
        '> ```',
        '',
        'Note: spoken',
        '',
        fence('graph LR\n  in --> notes'),
        '',
        '```js',
        'not --> a diagram',
        '```',
      ].join('\n'),
    );
    const blocks = collectDiagrams(buildGuide([note], 'x'));
    expect(blocks.map((b) => b.code.split('\n')[1]!.trim())).toEqual([
      'a --> b',
      'in --> list',
      'in --> quote',
      'in --> callout',
      'in --> notes',
    ]);
    expect(blocks.map((b) => b.position?.start.line)).toEqual([2, 8, 15, 21, 28]);
    expect(blocks.every((b) => b.note === note && !b.copy)).toBe(true);
  });

  it('are keyed without trailing whitespace (the HTML side ends with one more newline)', () => {
    expect(diagramCode('graph LR\n  a --> b\n\n  ')).toBe('graph LR\n  a --> b');
  });

  it("summarize mermaid's multi-line parse errors on one line", () => {
    const error = "Parse error on line 3:\n...wchart LR  A[ --> \n---------------------^\nExpecting 'SQE', 'PE', got '1'";
    expect(errorSummary(error)).toBe("parse error on line 3 of the diagram: Expecting 'SQE', 'PE', got '1'");
  });
});

describe('a build with mermaid diagrams (real CLI, real Chromium)', () => {
  it('succeeds: exit code 0, the broken diagram is the only mermaid warning', () => {
    expect(light.code).toBe(0);
    expect(dark.code).toBe(0);
    for (const { stderr } of [light, dark]) expect(stderr.match(/mermaid diagram not rendered/g)).toHaveLength(1);
  });

  it('turns the flowchart and the sequence diagram into inline SVG in the cheat sheet and in the decks', () => {
    for (const html of [light.sheet, light.deck, light.all, dark.sheet, dark.deck]) {
      // Flowchart, sequence, "settings" and the tall one; the broken one is not a figure.
      expect(figuresOf(html)).toHaveLength(4);
      expect(svgWith(html, 'Client request')).toBeDefined();
      expect(svgWith(html, 'Hello Bob')).toBeDefined();
      // The sources of diagrams that rendered are not shown as code.
      expect(html).not.toMatch(/Alice-(>|&gt;)(>|&gt;)Bob/);
      expect(html).not.toContain('A[Client request]');
    }
  });

  it('prints the labels as text in the PDF, not the diagram source', () => {
    const text = light.pdf.pageText.join(' ');
    for (const label of [
      'Client request',
      'Auth ok?',
      'Serve the page',
      'Reject',
      'yes',
      'Hello Bob',
      'Hi Alice',
      'Alice',
      'Bob',
      'Step 14',
    ])
      expect(text).toContain(label);
    expect(text).not.toContain('A[Client request]');
    expect(text).not.toContain('Alice->>Bob');
  });

  it('warns about a syntax error at the code block (file:line:column) and shows the code as code', () => {
    const at = brokenAt(path.join('notes', 'diagrams.md'));
    for (const { stderr } of [light, dark]) {
      const line = stderr.split('\n').find((l) => l.includes('mermaid diagram not rendered'));
      expect(line).toContain(`${at} mermaid diagram not rendered (shown as code): parse error`);
    }
    for (const html of [light.sheet, light.deck, dark.deck]) {
      expect(html).toMatch(/<pre><code class="[^"]*language-mermaid[^"]*">flowchart LR\n {2}Broken\[ --(>|&gt;)\n<\/code><\/pre>/);
    }
    expect(light.pdf.pageText.join(' ')).toContain('Broken[ -->');
  });

  it('gives a dark deck dark diagrams and keeps the sheet light', () => {
    const lightDeck = svgWith(light.deck, 'Client request')!;
    const darkDeck = svgWith(dark.deck, 'Client request')!;
    expect(darkDeck).not.toBe(lightDeck);
    expect(luminance(nodeFill(lightDeck)!)).toBeGreaterThan(0.6);
    expect(luminance(nodeFill(darkDeck)!)).toBeLessThan(0.1);
    // The sheet is light whatever the deck theme, and the same input gives the same bytes in another process.
    expect(svgsOf(dark.sheet)).toEqual(svgsOf(light.sheet));
    expect(svgsOf(light.deck)).toEqual(svgsOf(light.sheet));
  });

  it('gives every diagram its own ids and draws arrowheads without <marker> references (the sheet holds a hidden copy of each)', () => {
    const svgs = svgsOf(light.sheet);
    const ids = svgs.map((svg) => [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
    const roots = ids.map((list) => list[0]!);
    expect(new Set(roots).size).toBe(svgs.length);
    ids.forEach((list, i) => {
      for (const id of list) expect(id.startsWith(roots[i]!)).toBe(true);
    });
    expect(new Set(ids.flat()).size).toBe(ids.flat().length);
    for (const svg of svgs) {
      expect(svg).not.toMatch(/marker-(start|end)="url/);
      expect(svg).not.toContain('<marker');
    }
    expect(svgWith(light.sheet, 'Client request')).toContain('sg-marker');
  });

  it('lets no diagram reach the network: not while rendering, not in the outputs', async () => {
    for (const { stderr } of [light, dark]) expect(stderr).not.toContain('non-local resource');
    for (const html of [light.sheet, light.deck, dark.deck]) expect(html).not.toContain('example.com');
    for (const deck of [path.join(light.out, 'slides', 'all.html'), path.join(dark.out, 'slides', 'request-flow.html')]) {
      const opened = await openDeck(browser, pathToFileURL(deck).href);
      try {
        expect(opened.external).toEqual([]);
        expect(opened.errors).toEqual([]);
        // Fitted: no diagram leaves its slide.
        expect(await overflowingSlides(opened.page)).toEqual([]);
      } finally {
        await opened.page.close();
      }
    }
  });

  it('keeps every diagram of the cheat sheet whole and inside its column', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(pathToFileURL(path.join(light.out, 'cheatsheet.html')).href, { waitUntil: 'load' });
      await page.waitForSelector('html[data-studyguide="ready"]');
      const boxes = await page.evaluate(() =>
        [...document.querySelectorAll('#pages .sg-diagram')].map((figure) => {
          const svg = figure.querySelector('svg')!.getBoundingClientRect();
          const col = figure.closest('.col')!.getBoundingClientRect();
          return {
            inside: svg.top >= col.top - 1 && svg.bottom <= col.bottom + 1 && svg.left >= col.left - 1 && svg.right <= col.right + 1,
            height: svg.height,
          };
        }),
      );
      expect(boxes).toHaveLength(4);
      for (const box of boxes) {
        expect(box.inside).toBe(true);
        expect(box.height).toBeGreaterThan(20);
      }
    } finally {
      await page.close();
    }
  });
});

describe('a builder (watch mode) and its diagram cache', () => {
  it('renders a diagram once: a rebuild renders none and rewrites nothing, an edit renders only the edited one', async () => {
    const root = await tempDir('studyguide-mermaid-watch-');
    const notes = path.join(root, 'notes');
    const out = path.join(root, 'out');
    await mkdir(notes);
    const write = (text: string) => writeFile(path.join(notes, 'diagrams.md'), text);
    await write(NOTE);
    // The builder borrows our browser, so the pages it opens can be watched.
    const rendering: string[] = [];
    browser.on('targetchanged', (target) => {
      if (/\/\.mermaid\.\d+\.html$/.test(target.url())) rendering.push(target.url());
    });
    const builder = createBuilder({ notes, out, offline: true, browser, cwd: root });
    const mermaidWarnings = (r: BuildResult) => r.warnings.map(formatMessage).filter((w) => w.includes('mermaid'));
    try {
      const first = await builder.build();
      expect(first.diagrams).toEqual({ blocks: 5, rendered: 5 });
      expect(rendering).toHaveLength(1); // one page for all of them
      expect(mermaidWarnings(first)).toHaveLength(1);
      expect(mermaidWarnings(first)[0]).toMatch(
        new RegExp(`^${brokenAt(path.join('notes', 'diagrams.md'))} mermaid diagram not rendered \\(shown as code\\): parse error`),
      );
      const sheet = path.join(out, 'cheatsheet.html');
      const before = await stat(sheet);

      const second = await builder.build();
      expect(second.diagrams).toEqual({ blocks: 5, rendered: 0 });
      expect(rendering).toHaveLength(1); // no page opened
      // A cached failure is still reported, once, on every build.
      expect(mermaidWarnings(second)).toEqual(mermaidWarnings(first));
      const after = await stat(sheet);
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);

      await write(NOTE.replace('Hello Bob', 'Hello again Bob'));
      const third = await builder.build();
      expect(third.diagrams).toEqual({ blocks: 5, rendered: 1 });
      expect(rendering).toHaveLength(2);
      expect(svgWith(await readFile(sheet, 'utf8'), 'Hello again Bob')).toBeDefined();

      await write('# No diagrams\n\nJust text.\n');
      const fourth = await builder.build();
      expect(fourth.diagrams).toEqual({ blocks: 0, rendered: 0 });
      expect(rendering).toHaveLength(2);
    } finally {
      await builder.close();
    }
  }, 180_000);
});
