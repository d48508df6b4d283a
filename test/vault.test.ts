/**
 * Acceptance: notes as people write them in Obsidian vaults and GitHub exam-prep
 * repos (test/fixtures/vault), built once through the real CLI and checked in
 * the real PDF (pdfjs-dist), in the HTML outputs and in real Chromium.
 *
 * The fixture's known places (each checked against the file in the first test):
 * the LaTeX error, the broken mermaid block, the money sentence.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cli, launchTestBrowser, openDeck, overflowingSlides, readPdf, tempDir, type PdfText } from './helpers.js';

const VAULT = path.join(ROOT, 'test', 'fixtures', 'vault');
const NOTES_ARG = 'test/fixtures/vault';

/** `$O(n \lgo n)$`: an undefined control sequence (a typo for \log). */
const LATEX_ERROR = { file: 'Algorithms/Recurrences.md', line: 26, column: 61, source: String.raw`O(n \lgo n)` };
/** The ```mermaid fence on line 52, closed on 57; mermaid's parser fails on the diagram's line 3 = file line 55. */
const BROKEN_MERMAID = { file: 'Algorithms/Sorting.md', fence: 52, close: 57, errorLine: 55, source: 'Partition around the pivot' };
const MONEY = { file: 'Course Overview.md', line: 24, sentence: 'The course costs $5 and $10 a month.' };

/** Texts of the `<details>` answers in exam-prep/questions.md (one per form). */
const DETAILS_ANSWERS = [
  'Only merge sort is stable', // blank lines inside, markdown inside
  'A min-priority queue keyed by tentative distance', // one-line form
  'Do one more pass over all edges', // a list inside
  'Case 1 applies', // <details open>, math inside
  'when every pivot is the smallest or largest element', // the summary is the question
  'which solves to', // after the raw-HTML image
];
const MERGE_SORT_TEXT = 'splits the array in half, sorts each half recursively';
const BLOCK_TEXT = 'only about an 8.8% chance of having the disease';
const FOOTNOTE_TEXT = 'The Computer Journal 5(1)';
const FOLDED_BODIES = ['C is closest, so it is settled first', 'then sum each level'];
const COMMENTS = ['ask the TA whether the cheat sheet', 'is Prim greedy in exactly the same way'];

interface Diagram {
  file: string;
  /** A label the rendered SVG shows. */
  label: string;
}
const DIAGRAMS: Diagram[] = [
  { file: "Algorithms/Graphs/Dijkstra's Method.md", label: 'Extract the vertex u with the smallest distance' }, // flowchart
  { file: 'Course Overview.md', label: 'Written feedback within a week' }, // sequence diagram
];

let out: string;
let build: { code: number; stdout: string; stderr: string };
/** Everything the build printed, stdout then stderr. */
let log: string;
let pdf: PdfText | undefined;
let pdfBytes = '';
let pdfError: unknown;
let browser: Browser;
/** A blank page holding the built HTML files, parsed (DOMParser: no script runs), with helpers: window.sg. */
let docs: Page;
let decks: string[] = [];

const squash = (s: string) => s.replace(/\s+/g, '');
const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;
const pdfText = () => {
  if (!pdf) throw new Error(`no PDF to read: ${String(pdfError)}`);
  return pdf.pageText.join(' ');
};
/** The PDF's text with all whitespace removed (pdfjs splits runs at font changes and line ends). */
const pdfFlat = () => squash(pdfText());
const logLines = () => log.split('\n').filter((l) => l.trim() !== '');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const deckUrl = (deck: string) => pathToFileURL(path.join(out, 'slides', `${deck}.html`)).href;

/**
 * In-page helpers over the parsed documents (window.sg):
 * - sg.doc(name): a parsed output file ('cheatsheet', 'all', or a deck name);
 * - sg.topic(doc, id): the elements of a topic — in the cheat sheet, its heading and what follows up to
 *   the next heading; in a deck, the slide with that id and its continuation slides (sections with no id);
 * - sg.text(el): text content without KaTeX's hidden MathML;
 * - sg.within(doc, id, selector): elements matching selector inside that topic.
 */
const HELPERS = `
window.sg = {
  docs: {},
  doc(name) { return this.docs[name]; },
  topic(doc, id) {
    const start = doc.getElementById(id);
    if (!start) return [];
    const isHeading = (el) => /^H[1-6]$/.test(el.tagName);
    if (start.tagName === 'SECTION') {
      const out = [start];
      for (let s = start.nextElementSibling; s && s.tagName === 'SECTION' && !s.id; s = s.nextElementSibling) out.push(s);
      return out;
    }
    const out = [start];
    for (let el = start.nextElementSibling; el && !isHeading(el); el = el.nextElementSibling) out.push(el);
    return out;
  },
  within(doc, id, selector) {
    return this.topic(doc, id).flatMap((el) => [...(el.matches(selector) ? [el] : []), ...el.querySelectorAll(selector)]);
  },
  text(el) {
    const copy = el.cloneNode(true);
    for (const m of copy.querySelectorAll('.katex-mathml, annotation')) m.remove();
    return copy.textContent.replace(/\\s+/g, ' ');
  },
};`;

async function loadDoc(name: string, file: string): Promise<void> {
  const html = await readFile(file, 'utf8');
  await docs.evaluate(
    (name, html) => {
      (window as any).sg.docs[name] = new DOMParser().parseFromString(html, 'text/html');
    },
    name,
    html,
  );
}

beforeAll(async () => {
  out = await tempDir('studyguide-vault-');
  build = await cli(['build', '--notes', NOTES_ARG, '--out', out, '--offline']);
  log = `${build.stdout}\n${build.stderr}`;
  try {
    pdf = await readPdf(path.join(out, 'cheatsheet.pdf'));
    pdfBytes = (await readFile(path.join(out, 'cheatsheet.pdf'))).toString('latin1');
  } catch (error) {
    pdfError = error;
  }
  browser = await launchTestBrowser();
  docs = await browser.newPage();
  await docs.evaluate(HELPERS);
  if (existsSync(path.join(out, 'cheatsheet.html'))) await loadDoc('cheatsheet', path.join(out, 'cheatsheet.html'));
  if (existsSync(path.join(out, 'slides'))) {
    decks = (await readdir(path.join(out, 'slides')))
      .filter((f) => f.endsWith('.html') && f !== 'quiz.html')
      .map((f) => f.replace(/\.html$/, ''))
      .sort();
    for (const deck of decks) await loadDoc(deck, path.join(out, 'slides', `${deck}.html`));
  }
}, 300_000);
afterAll(async () => {
  await browser?.close();
});

describe('the fixture', () => {
  it('has the LaTeX error, the broken mermaid block and the money sentence where the tests expect them', () => {
    const lines = (file: string) => readFileSync(path.join(VAULT, file), 'utf8').split('\n');
    expect(lines(LATEX_ERROR.file)[LATEX_ERROR.line - 1]!.slice(LATEX_ERROR.column - 1)).toMatch(/^\$O\(n \\lgo n\)\$/);
    const sorting = lines(BROKEN_MERMAID.file);
    expect(sorting[BROKEN_MERMAID.fence - 1]).toBe('```mermaid');
    expect(sorting[BROKEN_MERMAID.close - 1]).toBe('```');
    expect(sorting[BROKEN_MERMAID.errorLine - 1]).toContain('B --> C{');
    expect(lines(MONEY.file)[MONEY.line - 1]).toContain(MONEY.sentence);
  });
});

describe('building the vault', () => {
  it('exits 0 (warnings only)', () => {
    expect({ code: build.code, stderr: build.code === 0 ? '' : build.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('warns about the LaTeX error at file:line:column', () => {
    const at = new RegExp(`${escapeRe(LATEX_ERROR.file)}:${LATEX_ERROR.line}:\\d+\\b`);
    const hits = logLines().filter((l) => at.test(l));
    expect(hits.length).toBe(1);
    expect(hits[0]).toMatch(/latex|katex|math/i);
  });

  it('warns about the broken mermaid diagram at file:line:column (a line of its block)', () => {
    const at = new RegExp(`${escapeRe(BROKEN_MERMAID.file)}:(\\d+):\\d+\\b`);
    const hits = logLines().filter((l) => at.test(l) && /mermaid|diagram/i.test(l));
    expect(hits.length).toBe(1);
    const line = Number(at.exec(hits[0]!)![1]);
    expect(line).toBeGreaterThanOrEqual(BROKEN_MERMAID.fence);
    expect(line).toBeLessThanOrEqual(BROKEN_MERMAID.close);
    // Only the broken diagram is reported.
    expect(logLines().filter((l) => /mermaid|diagram/i.test(l) && /warn|error/i.test(l)).length).toBe(1);
  });

  it('says nothing about the money sentence ($5 and $10 is not math)', () => {
    expect(logLines().filter((l) => l.includes(`${MONEY.file}:${MONEY.line}:`) || l.includes('$5') || l.includes('course costs'))).toEqual(
      [],
    );
  });

  it('reports the links to notes that are not in the vault once, with their count', () => {
    const lines = logLines().filter((l) => /Not Written Yet|Amortised Analysis|wiki ?-?links?|missing notes?/i.test(l));
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/\b2\b/);
    // A notice, not a warning: index.html lists it under the build's notes, not under its warnings.
    const index = readFileSync(path.join(out, 'index.html'), 'utf8');
    const notices = index.slice(index.indexOf('<ul class="notices">'));
    expect(notices).toContain('2 wiki links point at notes not in the build, shown as text: Amortised Analysis, Not Written Yet');
    expect(notices).toContain('1 Dataview block shown as code');
  });

  it('reads the vault only: no output inside it', () => {
    expect(existsSync(path.join(VAULT, 'output'))).toBe(false);
    expect(existsSync(path.join(VAULT, 'assets'))).toBe(false);
  });
});

describe('the PDF', () => {
  it('shows no markdown, Obsidian or LaTeX syntax: no $$ \\frac [! [[ ]] == ^da815c %%', () => {
    const text = pdfText();
    const flat = pdfFlat();
    for (const s of ['$$', '\\frac', '[!', '[[', ']]', '==', '^da815c', '%%']) {
      expect({ s, found: text.includes(s) || flat.includes(s) }).toEqual({ s, found: false });
    }
  });

  it("renders \\(…\\), \\[…\\] and every $…$: no TeX command is left in the text but the error's source", () => {
    const commands = [...new Set(pdfText().match(/\\[A-Za-z]+/g) ?? [])];
    expect(commands.filter((c) => c !== '\\lgo')).toEqual([]);
  });

  it('leaves the Obsidian comments (%% … %%, inline and multi-line) out', () => {
    const flat = pdfFlat();
    for (const c of COMMENTS) expect({ c, found: flat.includes(squash(c)) }).toEqual({ c, found: false });
  });

  it('prints the money sentence as text: "The course costs $5 and $10 a month."', () => {
    expect(pdfFlat()).toContain(squash(MONEY.sentence));
  });

  it('prints the Chinese sentence with its inline math (math as KaTeX in the HTML)', async () => {
    // pdfjs returns KaTeX's positioned runs after the line's other text, so the PDF is checked for the Chinese
    // text and the HTML for the math inside it.
    expect(pdfFlat()).toContain('快速排序的平均复杂度是');
    expect(pdfFlat()).toContain('例如每次都选到最小的元素作为枢轴');
    const para = await docs.evaluate(() => {
      const doc = (window as any).sg.doc('cheatsheet') as Document;
      const p = [...doc.querySelectorAll('p')].find((e) => (e.textContent ?? '').includes('快速排序的平均复杂度是'));
      return p ? { math: p.querySelectorAll('span.sg-math .katex').length, dollar: (p.textContent ?? '').includes('$') } : null;
    });
    expect(para).toEqual({ math: 2, dollar: false });
  });

  it('prints every <details> answer (summaries and bodies, open or not)', () => {
    const flat = pdfFlat();
    for (const answer of DETAILS_ANSWERS) expect({ answer, found: flat.includes(squash(answer)) }).toEqual({ answer, found: true });
    expect(flat).toContain(squash('Worked solution'));
    expect(flat).toContain(squash('What is the worst-case running time of quicksort'));
  });

  it('prints the bodies of folded callouts', () => {
    const flat = pdfFlat();
    for (const body of FOLDED_BODIES) expect({ body, found: flat.includes(squash(body)) }).toEqual({ body, found: true });
  });

  it('prints the Merge sort section twice (in Sorting and where Recurrences embeds it) and the ^da815c block where it is embedded', () => {
    const flat = pdfFlat();
    expect(occurrences(flat, squash(MERGE_SORT_TEXT))).toBe(2);
    // In Bayes and in the exam question that embeds it.
    expect(occurrences(flat, squash(BLOCK_TEXT))).toBe(2);
  });

  it('prints the footnote', () => {
    expect(pdfFlat()).toContain(squash(FOOTNOTE_TEXT));
  });

  it('numbers the 12-item ordered list through 10. 11. 12.', () => {
    const text = pdfText();
    for (const n of [10, 11, 12]) expect({ n, found: new RegExp(`(^|\\s)${n}\\.(\\s|$)`).test(text) }).toEqual({ n, found: true });
    expect(pdfFlat()).toContain(squash("Bayes' theorem and base rates"));
  });

  it('embeds the KaTeX fonts (KaTeX_Main, KaTeX_Math)', () => {
    const fonts = [...new Set([...pdfBytes.matchAll(/\/BaseFont\s*\/(?:[A-Z]{6}\+)?([^\s/<>[\]()]+)/g)].map((m) => m[1]!))];
    expect(fonts.some((f) => f.startsWith('KaTeX_Main'))).toBe(true);
    expect(fonts.some((f) => f.startsWith('KaTeX_Math'))).toBe(true);
  });
});

describe('diagrams', () => {
  it('renders every mermaid block but the broken one as <svg> in figure.sg-diagram, in cheatsheet.html and slides/all.html', async () => {
    for (const name of ['cheatsheet', 'all']) {
      const found = await docs.evaluate(
        (name, labels) => {
          const sg = (window as any).sg;
          const doc = sg.doc(name) as Document | undefined;
          if (!doc) return { name, missingDoc: true };
          const figures = [...doc.querySelectorAll('figure.sg-diagram')];
          return {
            name,
            figures: figures.length,
            withSvg: figures.filter((f) => f.querySelector('svg')).length,
            // Labels wrap onto lines (tspans, divs): compared without whitespace.
            labels: labels.map((l) =>
              figures.some((f) => f.querySelector('svg') && (f.textContent ?? '').replace(/\s+/g, '').includes(l.replace(/\s+/g, ''))),
            ),
          };
        },
        name,
        DIAGRAMS.map((d) => d.label),
      );
      expect(found).toEqual({ name, figures: DIAGRAMS.length, withSvg: DIAGRAMS.length, labels: DIAGRAMS.map(() => true) });
    }
  });

  it('keeps the broken mermaid block as code', async () => {
    for (const name of ['cheatsheet', 'all']) {
      const state = await docs.evaluate(
        (name, source) => {
          const doc = (window as any).sg.doc(name) as Document | undefined;
          if (!doc) return { name, missingDoc: true };
          return {
            name,
            asCode: [...doc.querySelectorAll('pre code')].some((c) => (c.textContent ?? '').includes(source)),
            inFigure: [...doc.querySelectorAll('figure.sg-diagram')].some((f) => (f.textContent ?? '').includes(source)),
          };
        },
        name,
        BROKEN_MERMAID.source,
      );
      expect(state).toEqual({ name, asCode: true, inFigure: false });
    }
  });
});

describe('markup (the classes the outputs use)', () => {
  it('inline math: span.sg-math with .katex inside; in table cells and in callouts too', async () => {
    const m = await docs.evaluate(() => {
      const doc = (window as any).sg.doc('cheatsheet') as Document;
      const inline = [...doc.querySelectorAll('span.sg-math')];
      return {
        inline: inline.length > 20,
        allKatex: inline.every((s) => s.querySelector('.katex')),
        inCells: doc.querySelectorAll('td span.sg-math .katex, th span.sg-math .katex').length >= 8,
        inCallouts: doc.querySelectorAll('div.callout span.sg-math .katex').length >= 5,
      };
    });
    expect(m).toEqual({ inline: true, allKatex: true, inCells: true, inCallouts: true });
  });

  it('display math ($$ on one line, $$ block, \\[…\\], inside a callout): div.sg-math.sg-math-display with .katex-display', async () => {
    const m = await docs.evaluate(() => {
      const sg = (window as any).sg;
      const doc = sg.doc('cheatsheet') as Document;
      const display = [...doc.querySelectorAll('div.sg-math.sg-math-display')];
      return {
        allKatexDisplay: display.length > 0 && display.every((d) => d.querySelector('.katex-display')),
        // `$$ T(n) = \sum … $$` on one line, and the one in the folded callout.
        harmonic: sg.within(doc, 'harmonic-numbers', 'div.sg-math.sg-math-display .katex-display').length,
        // `$$ … $$` on three lines and `\[ … \]`.
        bayes: sg.within(doc, 'the-formula', 'div.sg-math.sg-math-display .katex-display').length,
        inCallout: doc.querySelectorAll('div.callout div.sg-math.sg-math-display').length >= 1,
      };
    });
    expect(m).toEqual({ allKatexDisplay: true, harmonic: 2, bayes: 2, inCallout: true });
  });

  it("no TeX, no $$ and no \\( \\[ delimiters left in the cheat sheet's visible text (but the error's source)", async () => {
    const text = await docs.evaluate(() => {
      const sg = (window as any).sg;
      const doc = sg.doc('cheatsheet') as Document;
      const main = (doc.querySelector('#flow') ?? doc.body).cloneNode(true) as Element;
      for (const e of main.querySelectorAll('.sg-math-error, pre, code')) e.remove();
      return sg.text(main) as string;
    });
    expect(text.match(/\\[A-Za-z]+|\$\$|\\\(|\\\[/g) ?? []).toEqual([]);
  });

  it('no Obsidian syntax ([[ ]] [! == %% ^da815c) and no comment text in the visible text of cheatsheet.html and every deck', async () => {
    expect(decks).toContain('all');
    for (const name of ['cheatsheet', ...decks]) {
      const text = await docs.evaluate((name) => {
        const sg = (window as any).sg;
        const doc = sg.doc(name) as Document;
        const body = doc.body.cloneNode(true) as Element;
        for (const e of body.querySelectorAll('script, style, pre, code, aside.notes')) e.remove();
        return sg.text(body) as string;
      }, name);
      const found = ['[[', ']]', '[!', '==', '%%', '^da815c', ...COMMENTS].filter((s) => text.includes(s));
      expect({ name, found }).toEqual({ name, found: [] });
    }
  });

  it('a LaTeX error is code.sg-math-error (or pre.sg-math-error) with its source', async () => {
    const errors = await docs.evaluate(() =>
      [...((window as any).sg.doc('cheatsheet') as Document).querySelectorAll('code.sg-math-error, pre.sg-math-error')].map(
        (e) => e.textContent,
      ),
    );
    expect(errors.length).toBe(1);
    expect(errors[0]).toContain(LATEX_ERROR.source);
  });

  it('the money sentence is text, not math', async () => {
    const p = await docs.evaluate((sentence) => {
      const doc = (window as any).sg.doc('cheatsheet') as Document;
      const para = [...doc.querySelectorAll('p')].find((e) => (e.textContent ?? '').includes('two paid plans'));
      return para
        ? { text: (para.textContent ?? '').includes(sentence), math: para.querySelectorAll('.sg-math, .katex, .sg-math-error').length }
        : null;
    }, MONEY.sentence);
    expect(p).toEqual({ text: true, math: 0 });
  });

  it('callouts: div.callout.callout-<family> with .callout-title (.callout-icon) and .callout-body; custom types keep callout-type-<type>; folded ones .callout-folded', async () => {
    // Each callout is found by a phrase of its title or body.
    const expected: { phrase: string; classes: string[]; folded?: boolean; nestedIn?: string }[] = [
      { phrase: 'Best-case running time', classes: ['callout-type-def'], folded: false }, // [!def]+
      { phrase: 'Master theorem', classes: ['callout-type-thm'] },
      { phrase: 'always say which case you mean', classes: ['callout-tip'] }, // [!tip] with no title
      { phrase: 'Why not just use BFS?', classes: ['callout-type-question'] }, // [!QUESTION]
      { phrase: 'Why a priority queue?', classes: ['callout-note'] }, // >[!note] with no space
      { phrase: 'Lazy deletion', classes: ['callout-tip'], nestedIn: 'Why a priority queue?' },
      { phrase: 'Negative edges', classes: ['callout-warning'] },
      { phrase: 'Worked example: from A', classes: [], folded: true }, // [!example]-
      { phrase: 'How to draw the recursion tree', classes: ['callout-tip'], folded: true }, // [!tip]-
      { phrase: 'Final exam: closed book', classes: ['callout-important'] }, // title only
      { phrase: 'Natural frequencies', classes: ['callout-tip'] },
      { phrase: 'Conditioning is not causation', classes: [] }, // [!caution], Obsidian
      // GitHub alerts
      { phrase: 'Questions marked with a star', classes: ['callout-note'] },
      { phrase: 'Time yourself', classes: ['callout-tip'] },
      { phrase: 'Answers must state the case', classes: ['callout-important'] },
      { phrase: 'Some 2019 answers used the old notation', classes: ['callout-warning'] },
      { phrase: 'Do not copy these answers', classes: ['callout-caution'] },
    ];
    const report = await docs.evaluate((expected) => {
      const doc = (window as any).sg.doc('cheatsheet') as Document;
      const callouts = [...doc.querySelectorAll('div.callout')];
      const ownText = (c: Element) => {
        const copy = c.cloneNode(true) as Element;
        for (const inner of copy.querySelectorAll('div.callout')) inner.remove();
        return (copy.textContent ?? '').replace(/\s+/g, ' ');
      };
      const problems: string[] = [];
      for (const want of expected) {
        const c = callouts.find((c) => ownText(c).includes(want.phrase));
        if (!c) {
          problems.push(`no callout with "${want.phrase}"`);
          continue;
        }
        const classes = [...c.classList].map((k) => k.toLowerCase());
        for (const k of want.classes) if (!classes.includes(k)) problems.push(`"${want.phrase}": no class ${k} (has ${classes.join(' ')})`);
        if (want.folded !== undefined && classes.includes('callout-folded') !== want.folded)
          problems.push(`"${want.phrase}": folded should be ${want.folded}`);
        if (want.nestedIn) {
          const outer = c.parentElement?.closest('div.callout');
          if (!outer || !ownText(outer).includes(want.nestedIn) || !c.closest('.callout-body'))
            problems.push(`"${want.phrase}" is not inside the body of "${want.nestedIn}"`);
        }
      }
      for (const c of callouts) {
        const label = ownText(c).slice(0, 40);
        // A family class on every callout: the five above for GitHub's types and their Obsidian names; a custom
        // type may have a family of its own (callout-definition) besides callout-type-<type>.
        if (![...c.classList].some((k) => /^callout-(?!type-|folded$|foldable$|open$)[a-z]+$/.test(k)))
          problems.push(`"${label}": no family class`);
        const title = c.querySelector(':scope > .callout-title');
        if (!title || !title.querySelector('.callout-icon')) problems.push(`"${label}": no .callout-title with .callout-icon`);
        if (!label.includes('Final exam: closed book') && !c.querySelector(':scope > .callout-body'))
          problems.push(`"${label}": no .callout-body`);
      }
      return { count: callouts.length, problems };
    }, expected);
    expect(report.problems).toEqual([]);
    expect(report.count).toBeGreaterThanOrEqual(expected.length);
  });

  it('<details> → div.sg-details with .sg-summary and .sg-details-body, in every form', async () => {
    const d = await docs.evaluate(() => {
      const doc = (window as any).sg.doc('cheatsheet') as Document;
      const all = [...doc.querySelectorAll('div.sg-details')];
      const body = (phrase: string) =>
        all.find((e) => (e.querySelector('.sg-details-body')?.textContent ?? '').includes(phrase))?.querySelector('.sg-details-body');
      return {
        count: all.length,
        complete: all.every((e) => e.querySelector('.sg-summary') && e.querySelector('.sg-details-body')),
        nativeLeft: doc.querySelectorAll('details, summary').length,
        markdownInside: !!body('is stable')?.querySelector('strong'),
        oneLine: !!body('min-priority queue'),
        listInside: body('Do one more pass')?.querySelectorAll('li').length ?? 0,
        open: all.some((e) => e.querySelector('.sg-summary')?.textContent?.includes('Worked solution')),
        questionSummary: all.some((e) =>
          e.querySelector('.sg-summary')?.textContent?.includes('What is the worst-case running time of quicksort'),
        ),
      };
    });
    expect(d).toEqual({
      count: 6,
      complete: true,
      nativeLeft: 0,
      markdownInside: true,
      oneLine: true,
      listInside: 3,
      open: true,
      questionSummary: true,
    });
  });

  it('==highlight== → <mark>', async () => {
    const marks = await docs.evaluate(() =>
      [...((window as any).sg.doc('cheatsheet') as Document).querySelectorAll('mark')].map((m) => m.textContent),
    );
    for (const text of [
      'Quicksort is not stable.',
      "Dijkstra's algorithm does not work with negative edge weights.",
      'You must get at least 40% on the final exam',
    ]) {
      expect({ text, marked: marks.some((m) => m?.includes(text)) }).toEqual({ text, marked: true });
    }
  });

  it('wiki links in the cheat sheet: a.wikilink to #<slug>, an element with that id (links to headings and aliases too)', async () => {
    const links = await docs.evaluate(() => {
      const doc = (window as any).sg.doc('cheatsheet') as Document;
      return [...doc.querySelectorAll('a.wikilink')].map((a) => {
        const href = a.getAttribute('href') ?? '';
        const target = href.startsWith('#') ? doc.getElementById(decodeURIComponent(href.slice(1))) : null;
        return { text: (a.textContent ?? '').trim(), href, target: !!target, targetInEmbed: !!target?.closest('.sg-embed') };
      });
    });
    expect(links.filter((l) => !l.target || l.targetInEmbed)).toEqual([]);
    const hrefs = new Set(links.map((l) => l.href));
    for (const href of ['#sorting', '#dijkstras-method', '#merge-sort', '#recurrences', '#bayes'])
      expect({ href, linked: hrefs.has(href) }).toEqual({ href, linked: true });
    expect(links.find((l) => l.text === 'sorting notes')?.href).toBe('#sorting'); // [[Sorting|sorting notes]]
    expect(links.filter((l) => /Not Written Yet|Amortised Analysis/.test(l.text))).toEqual([]);
  });

  it('a display formula wider than its column wraps after = and + (set inline), legible, never clipped', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(pathToFileURL(path.join(out, 'cheatsheet.html')).href, { waitUntil: 'load' });
      await page.waitForSelector('html[data-studyguide="ready"]');
      const boxes = await page.evaluate(() =>
        [...document.querySelectorAll('#pages .sg-math-display')].map((block) => {
          const wrapped = block.classList.contains('wrapped');
          const shown = block.querySelector(wrapped ? '.sg-math-wrap' : '.katex-display')!.getBoundingClientRect();
          const col = block.closest('.col')!.getBoundingClientRect();
          return {
            inside: shown.left >= col.left - 1 && shown.right <= col.right + 1,
            wrapped,
            scaled: !!block.closest('.scaled'),
            lines: Math.round(shown.height / parseFloat(getComputedStyle(block).fontSize)),
            text: block.textContent ?? '',
          };
        }),
      );
      expect(boxes.length).toBeGreaterThan(4);
      expect(boxes.filter((b) => !b.inside)).toEqual([]);
      expect(boxes.filter((b) => b.scaled)).toEqual([]);
      // The eight-cause sum is wider than any column at 7.5 pt: it alone wraps, over several lines.
      const wrapped = boxes.filter((b) => b.wrapped);
      expect(wrapped.map((b) => b.text.includes('A_8'))).toEqual([true]);
      expect(wrapped[0]!.lines).toBeGreaterThan(2);
    } finally {
      await page.close();
    }
  });

  it('a link to a note not in the vault is span.wikilink-missing with its text', async () => {
    const missing = await docs.evaluate(() =>
      [...((window as any).sg.doc('cheatsheet') as Document).querySelectorAll('span.wikilink-missing')].map((s) =>
        (s.textContent ?? '').trim(),
      ),
    );
    expect(missing.some((t) => t.includes('Not Written Yet'))).toBe(true);
    expect(missing.some((t) => t.includes('Amortised Analysis'))).toBe(true);
  });

  it('wiki links in the decks: #/<slug> in the same deck, <deck>.html#/<slug> for a topic in another deck, always to a slide with that id', async () => {
    expect(decks).toContain('all');
    const problems: string[] = [];
    let total = 0;
    for (const deck of decks) {
      const links = await docs.evaluate((deck) => {
        const doc = (window as any).sg.doc(deck) as Document;
        return [...doc.querySelectorAll('a.wikilink')].map((a) => ({
          text: (a.textContent ?? '').trim(),
          href: a.getAttribute('href') ?? '',
        }));
      }, deck);
      total += links.length;
      for (const { text, href } of links) {
        const m = /^(?:([\w-]+)\.html)?#\/(.+)$/.exec(href);
        if (!m) {
          problems.push(`${deck}: "${text}" → ${href}`);
          continue;
        }
        const [, other, slug] = m;
        if (deck === 'all' && other) problems.push(`all: "${text}" → ${href} (every topic is in all.html)`);
        const targetDeck = other ?? deck;
        const exists =
          decks.includes(targetDeck) &&
          (await docs.evaluate((d, id) => !!(window as any).sg.doc(d).getElementById(id), targetDeck, decodeURIComponent(slug!)));
        if (!exists) problems.push(`${deck}: "${text}" → ${href}: no slide with that id`);
      }
    }
    expect(problems).toEqual([]);
    expect(total).toBeGreaterThan(0);
    const overview = await docs.evaluate(() => {
      const doc = (window as any).sg.doc('course-overview') as Document | undefined;
      return doc ? [...doc.querySelectorAll('a.wikilink')].map((a) => a.getAttribute('href')) : [];
    });
    expect(overview).toContain('dijkstras-method.html#/dijkstras-method');
    const all = await docs.evaluate(() =>
      [...((window as any).sg.doc('all') as Document).querySelectorAll('a.wikilink')].map((a) => a.getAttribute('href')),
    );
    expect(all).toContain('#/dijkstras-method');
  });

  it('transclusions → div.sg-embed: a section, a block (^da815c), and the A ⇄ B cycle cut', async () => {
    const e = await docs.evaluate(() => {
      const sg = (window as any).sg;
      const doc = sg.doc('cheatsheet') as Document;
      const embeds = (id: string) => sg.within(doc, id, 'div.sg-embed').map((el: Element) => sg.text(el) as string);
      return {
        section: embeds('examples').some((t: string) => t.includes('splits the array in half')),
        // The question's slug is longer than a slug may be (64 bytes, src/names.ts): cut, with its hash.
        block: embeds('7-why-is-a-positive-result-of-a-screening-test-for-a-f1cfeb68').some((t: string) =>
          t.includes('only about an 8.8% chance'),
        ),
        blockIdHidden: !(doc.body.textContent ?? '').includes('^da815c'),
        cycleA: embeds('related').some((t: string) => t.includes('Pairwise independence')),
        cycleB: embeds('in-terms-of-conditioning').some((t: string) => t.includes('once we know that')),
      };
    });
    expect(e).toEqual({ section: true, block: true, blockIdHidden: true, cycleA: true, cycleB: true });
  });

  it('ids are unique in the cheat sheet and in every deck (embedded headings take none)', async () => {
    for (const name of ['cheatsheet', ...decks]) {
      const dup = await docs.evaluate((name) => {
        const ids = [...((window as any).sg.doc(name) as Document).querySelectorAll('[id]')].map((e) => e.id);
        return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
      }, name);
      expect({ name, dup }).toEqual({ name, dup: [] });
    }
  });

  it('inline #tags → span.sg-tag (not the front matter, not headings)', async () => {
    const tags = await docs.evaluate(() =>
      [...((window as any).sg.doc('cheatsheet') as Document).querySelectorAll('span.sg-tag')].map((s) => (s.textContent ?? '').trim()),
    );
    expect(tags.some((t) => /exam/.test(t))).toBe(true);
    expect(tags.some((t) => t.includes('algorithms/sorting'))).toBe(true);
    expect(tags.some((t) => t.includes('admin'))).toBe(true);
  });

  it('footnotes: the footnotes block (a div: reveal.js takes a nested section for a slide) inside the citing topic (Quicksort), in the sheet and the decks; refs point at their notes', async () => {
    const f = await docs.evaluate(() => {
      const sg = (window as any).sg;
      const sheet = sg.doc('cheatsheet') as Document;
      const all = sg.doc('all') as Document;
      const refsOk = (doc: Document) =>
        [...doc.querySelectorAll('a[data-footnote-ref], sup a[href^="#"]')].every((a) =>
          doc.getElementById(decodeURIComponent(a.getAttribute('href')!.slice(1))),
        );
      return {
        sheet: sg.within(sheet, 'quicksort', '.footnotes').some((s: Element) => (s.textContent ?? '').includes('The Computer Journal')),
        deck: sg.within(all, 'quicksort', '.footnotes').some((s: Element) => (s.textContent ?? '').includes('The Computer Journal')),
        notInLowerBound: sg.within(sheet, 'lower-bound', '.footnotes').length === 0,
        refsOk: refsOk(sheet),
      };
    });
    expect(f).toEqual({ sheet: true, deck: true, notInLowerBound: true, refsOk: true });
  });

  it('images: ![[name]] found by name in attachments/ and the raw-HTML <img>, copied to output/assets, width="300" kept', async () => {
    const pasted = readFileSync(path.join(VAULT, 'attachments', 'Pasted image 20230311.png'));
    const diagram = readFileSync(path.join(VAULT, 'attachments', 'diagram.png'));
    for (const [doc, prefix] of [
      ['cheatsheet', 'assets/'],
      ['all', '../assets/'],
    ] as const) {
      const imgs = await docs.evaluate(
        (doc) =>
          [...((window as any).sg.doc(doc) as Document).querySelectorAll('img')].map((i) => ({
            src: i.getAttribute('src') ?? '',
            width: i.getAttribute('width'),
          })),
        doc,
      );
      const copies = imgs
        .filter((i) => i.src.startsWith(prefix))
        .map((i) => {
          const file = path.join(out, decodeURIComponent(i.src.slice(prefix.length - 'assets/'.length)));
          const bytes = existsSync(file) ? readFileSync(file) : null;
          return { width: i.width, pasted: !!bytes?.equals(pasted), diagram: !!bytes?.equals(diagram) };
        });
      expect({ doc, pastedPlain: copies.some((c) => c.pasted && c.width !== '300') }).toEqual({ doc, pastedPlain: true }); // ![[Pasted image 20230311.png]]
      expect({ doc, pasted300: copies.some((c) => c.pasted && c.width === '300') }).toEqual({ doc, pasted300: true }); // ![[…|300]]
      expect({ doc, raw300: copies.some((c) => c.diagram && c.width === '300') }).toEqual({ doc, raw300: true }); // <img src="../attachments/diagram.png" width="300">
      expect({ doc, elsewhere: imgs.filter((i) => !i.src.startsWith(prefix) && !i.src.startsWith('data:')).map((i) => i.src) }).toEqual({
        doc,
        elsewhere: [],
      });
    }
  });
});

describe('the decks in Chromium', () => {
  for (const viewport of [
    { width: 1280, height: 720 },
    { width: 1024, height: 768 },
  ]) {
    it(`load with no console error and no request off the machine, and nothing overflows (fragments shown) at ${viewport.width}×${viewport.height}`, async () => {
      expect(decks).toContain('all');
      for (const deck of decks) {
        const { page, errors, failed, external } = await openDeck(browser, deckUrl(deck), viewport);
        // KaTeX keeps a MathML copy for screen readers, clipped to 1 px: its box is not where anything shows, so
        // it is left out of the measure (only when it really is clipped; a visible copy would be measured).
        await page.evaluate(() => {
          for (const m of document.querySelectorAll('.katex-mathml')) {
            const style = getComputedStyle(m);
            if (
              style.position === 'absolute' &&
              style.overflow === 'hidden' &&
              parseFloat(style.width) <= 1 &&
              parseFloat(style.height) <= 1
            )
              m.remove();
          }
        });
        const overflow = await overflowingSlides(page);
        expect({ deck, errors, failed, external, overflow }).toEqual({ deck, errors: [], failed: [], external: [], overflow: [] });
        await page.close();
      }
    }, 240_000);
  }

  /** Go to the slide holding `selector`'s match with text `phrase`, all fragments hidden; report the parts' state. */
  async function fragmentState(page: Page, selector: string, phrase: string, head: string, body: string) {
    return page.evaluate(
      (selector, phrase, head, body) => {
        const R = (window as any).Reveal;
        const box = [...document.querySelectorAll(selector)].find((e) => (e.textContent ?? '').includes(phrase));
        if (!box) return null;
        const slide = box.closest('section:not(.sg-stack)') as HTMLElement;
        const { h, v } = R.getIndices(slide);
        R.slide(h, v, -1);
        const b = box.querySelector(body);
        const hd = box.querySelector(head);
        const frags = b ? (b.closest('.fragment') ? [b.closest('.fragment')!] : [...b.querySelectorAll('.fragment')]) : [];
        return {
          slide: slide.id || `${h}/${v}`,
          bodyFragment: frags.length > 0,
          headOutsideBodyFragment: !!hd && frags.every((f) => !f.contains(hd)),
          headShown: !!hd && !hd.closest('.fragment:not(.visible)'),
          bodyHidden: frags.length > 0 && frags.every((f) => !f.classList.contains('visible')),
        };
      },
      selector,
      phrase,
      head,
      body,
    );
  }

  for (const c of [
    {
      what: "a folded callout's body",
      selector: '.callout-folded',
      phrase: 'Worked example: from A',
      head: '.callout-title',
      body: '.callout-body',
    },
    { what: 'a details body', selector: '.sg-details', phrase: 'min-priority queue', head: '.sg-summary', body: '.sg-details-body' },
  ]) {
    it(`${c.what} is a fragment: hidden after its title, shown on the next key press`, async () => {
      const { page } = await openDeck(browser, deckUrl('all'));
      await page.evaluate(() => (window as any).Reveal.configure({ transition: 'none' }));
      const before = await fragmentState(page, c.selector, c.phrase, c.head, c.body);
      expect(before).toMatchObject({ bodyFragment: true, headOutsideBodyFragment: true, headShown: true, bodyHidden: true });
      const slide = await page.evaluate(() => (window as any).Reveal.getCurrentSlide().id);
      // Earlier fragments on the slide (if any) come first: press until the body shows, staying on the slide.
      await page.focus('body');
      for (let i = 0; i < 10; i++) {
        await page.keyboard.press('ArrowRight');
        const state = await page.evaluate(
          (selector, phrase, body) => {
            const R = (window as any).Reveal;
            const box = [...document.querySelectorAll(selector)].find((e) => (e.textContent ?? '').includes(phrase))!;
            const b = box.querySelector(body)!;
            const frags = b.closest('.fragment') ? [b.closest('.fragment')!] : [...b.querySelectorAll('.fragment')];
            return { slide: R.getCurrentSlide().id, shown: frags.some((f) => f.classList.contains('visible')) };
          },
          c.selector,
          c.phrase,
          c.body,
        );
        expect(state.slide).toBe(slide);
        if (state.shown) break;
        expect(i).toBeLessThan(9);
      }
      // And it really becomes visible (the fade ends at opacity 1).
      await page.waitForFunction(
        (selector, phrase, body) => {
          const box = [...document.querySelectorAll(`.present ${selector}`)].find((e) => (e.textContent ?? '').includes(phrase));
          const b = box?.querySelector(body);
          return !!b && getComputedStyle(b.closest('.fragment') ?? b.querySelector('.fragment')!).opacity === '1';
        },
        { timeout: 15_000 },
        c.selector,
        c.phrase,
        c.body,
      );
      await page.close();
    });
  }

  it('every folded callout body and every details body (but <details open>) is a fragment after its title/summary', async () => {
    const problems = await docs.evaluate(() => {
      const doc = (window as any).sg.doc('all') as Document;
      const out: string[] = [];
      const check = (box: Element, head: string, body: string, label: string) => {
        const b = box.querySelector(body);
        const h = box.querySelector(head);
        const frag = b?.closest('.fragment') ?? b?.querySelector('.fragment');
        if (!b || !h || !frag) out.push(`${label}: body is not a fragment`);
        else if (frag.contains(h)) out.push(`${label}: title inside the body's fragment`);
      };
      const folded = [...doc.querySelectorAll('.callout-folded')];
      if (folded.length < 2) out.push(`${folded.length} folded callouts`);
      for (const c of folded)
        check(c, '.callout-title', '.callout-body', `callout "${(c.querySelector('.callout-title')?.textContent ?? '').trim()}"`);
      const details = [...doc.querySelectorAll('.sg-details')].filter(
        (d) => !(d.querySelector('.sg-summary')?.textContent ?? '').includes('Worked solution'),
      );
      if (details.length < 5) out.push(`${details.length} closed details`);
      for (const d of details) check(d, '.sg-summary', '.sg-details-body', `details "${(d.textContent ?? '').trim().slice(0, 40)}"`);
      // An open callout ([!def]+) is not folded away.
      const open = [...doc.querySelectorAll('div.callout')].find((c) =>
        (c.querySelector('.callout-title')?.textContent ?? '').includes('Best-case running time'),
      );
      if (!open || open.classList.contains('callout-folded')) out.push('[!def]+ is folded');
      return out;
    });
    expect(problems).toEqual([]);
  });
});

describe('flashcards', () => {
  it('a <details> answer makes a card: the question (or a question summary) in front, the answer on the back', async () => {
    const rows = (await readFile(path.join(out, 'flashcards.tsv'), 'utf8'))
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('\t'))
      .map(([front = '', back = '']) => ({ front: front.replace(/<[^>]+>/g, ' '), back: back.replace(/<[^>]+>/g, ' ') }));
    const card = (front: string, back: string) =>
      rows.some((r) => squash(r.front).includes(squash(front)) && squash(r.back).includes(squash(back)));
    // A paragraph question, the answer in <details><summary>Answer</summary>…</details> (one-line form).
    expect(card('Which data structure does Dijkstra', 'min-priority queue keyed by tentative distance')).toBe(true);
    // The summary is the question.
    expect(card('What is the worst-case running time of quicksort', 'when every pivot is the smallest or largest element')).toBe(true);
    // A paragraph question, the answer a <details> with a list inside.
    expect(card('How does Bellman–Ford detect a negative cycle?', 'Do one more pass over all edges')).toBe(true);
    // No card shows "Answer" as its question.
    expect(rows.filter((r) => r.front.trim() === 'Answer')).toEqual([]);
  });
});
