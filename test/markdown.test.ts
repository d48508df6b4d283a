/**
 * Notes as people write them (Obsidian vaults, GitHub exam-prep repos), at the
 * parse and tree level: math, callouts, details, wiki links and embeds,
 * highlights, comments, block ids. The end-to-end checks are in vault.test.ts.
 */
import path from 'node:path';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { VFile } from 'vfile';
import { describe, expect, it } from 'vitest';
import { resolveLinks } from '../src/links.js';
import { createParser, parseNote } from '../src/parse.js';
import { createHtmlRenderer } from '../src/render/html.js';
import { extractStudySet } from '../src/study/index.js';
import { latexDelimitersToDollars } from '../src/syntax/math.js';
import { buildGuide, walkTopics } from '../src/tree.js';
import type { Callout, Details, Tag, WikiEmbed, WikiLink } from '../src/types.js';
import { noteFrom } from './helpers.js';

const nodes = (markdown: string) => noteFrom(markdown).mdast.children;
const all = <T>(markdown: string, type: string): T[] => {
  const found: T[] = [];
  visit(noteFrom(markdown).mdast, (n) => {
    if (n.type === type) found.push(n as T);
  });
  return found;
};
const renderer = createHtmlRenderer();
const html = (markdown: string) => {
  const note = noteFrom(markdown);
  return renderer
    .renderBlocks(note.mdast.children, { images: new Map(), assetPrefix: '' }, note.absPath)
    .map((b) => b.html)
    .join('\n');
};

describe('math', () => {
  it('money is not math, formulas are', () => {
    expect(all('The course costs $5 and $10 a month.', 'inlineMath')).toHaveLength(0);
    expect(toString(noteFrom('The course costs $5 and $10 a month.').mdast)).toBe('The course costs $5 and $10 a month.');
    expect(all('between $5-$10 each', 'inlineMath')).toHaveLength(0);
    expect(all<{ value: string }>('$ 5 $ and $x^2$', 'inlineMath').map((n) => n.value)).toEqual(['x^2']);
    expect(all('快速排序的平均复杂度是 $O(n\\log n)$。', 'inlineMath')).toHaveLength(1);
  });

  it('a one-line $$…$$ alone in its paragraph is display math; \\( \\) and \\[ \\] are math too', () => {
    expect(nodes('$$ T(n) = \\sum_{i=1}^n \\frac{1}{i} $$')[0]!.type).toBe('math');
    expect(all('inline \\(a^2\\) here', 'inlineMath')).toHaveLength(1);
    expect(nodes('\\[\nx = y\n\\]')[0]!.type).toBe('math');
    // Not in code, and lines are kept.
    const text = 'a `\\(x\\)` b\n```\n\\[ y \\]\n```\n\\(z\\)';
    expect(latexDelimitersToDollars(text)).toBe('a `\\(x\\)` b\n```\n\\[ y \\]\n```\n$z$');
  });

  it('a LaTeX error is a warning at the formula and shown as code; the rest renders with KaTeX', () => {
    const note = noteFrom('line one\n\nBad $\\frac{1}{$ and good $x^2$.');
    expect(note.file.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual(['3:5 math']);
    const out = html('Bad $\\frac{1}{$ and good $x^2$.');
    expect(out).toContain('<code class="sg-math-error">\\frac{1}{</code>');
    expect(out).toMatch(/<span class="sg-math"><span class="katex">/);
    expect(html('$$\n\\int_0^1 x\\,dx\n$$')).toMatch(/<div class="sg-math sg-math-display"><span class="katex-display">/);
  });
});

describe('callouts', () => {
  it('Obsidian callouts and GitHub alerts: type, family, fold, title, body', () => {
    const [def, note] = all<Callout>('> [!def]+ Best-case running time\n> The least time.\n\n>[!NOTE]\n> GitHub style', 'callout');
    expect(def).toMatchObject({ calloutType: 'def', family: 'definition', fold: '+' });
    expect(toString(def!.children[0])).toBe('Best-case running time');
    expect(toString(def!.children[1]!)).toBe('The least time.');
    expect(note).toMatchObject({ calloutType: 'note', family: 'note', fold: '' });
    expect(toString(note!.children[0])).toBe('Note');
    const families: [string, string][] = [
      ['TIP', 'tip'],
      ['important', 'important'],
      ['WARNING', 'warning'],
      ['Caution', 'caution'],
      ['thm', 'theorem'],
      ['mytype', 'note'],
    ];
    for (const [type, family] of families) {
      expect(all<Callout>(`> [!${type}]- T\n> body`, 'callout')[0]).toMatchObject({ calloutType: type.toLowerCase(), family, fold: '-' });
    }
    // A plain quote stays a quote.
    expect(nodes('> just a quote')[0]!.type).toBe('blockquote');
  });

  it('nests, keeps formatting in titles and renders title, icon and body', () => {
    const outer = all<Callout>('> [!thm] **Master** theorem\n> text\n>\n> > [!tip]- Inner\n> > inner body', 'callout');
    expect(outer).toHaveLength(2);
    const inner = outer[0]!.children.find((c) => c.type === 'callout') as Callout | undefined;
    expect(inner?.calloutType).toBe('tip');
    const out = html('> [!warning]- Folded *title*\n> body text');
    expect(out).toContain('class="callout callout-warning callout-type-warning callout-foldable callout-folded"');
    expect(out).toMatch(
      /<div class="callout-title"><span class="callout-icon"><\/span><span class="callout-title-text">Folded <em>title<\/em><\/span><\/div>/,
    );
    expect(out).toMatch(/<div class="callout-body">\s*<p>body text<\/p>/);
  });
});

describe('details', () => {
  const forms = {
    blankLines: '<details><summary>Answer</summary>\n\nThe answer is **42**.\n\n</details>',
    listInside: '<details>\n<summary>Show answer</summary>\n\n- a\n- b\n</details>',
    oneLine: '<details><summary>Q one</summary>A in *one* line</details>',
    open: '<details open>\n<summary>Why?</summary>\n\nBecause.\n\n</details>',
  };
  for (const [name, markdown] of Object.entries(forms)) {
    it(`becomes one details node: ${name}`, () => {
      const list = all<Details>(markdown, 'details');
      expect(list).toHaveLength(1);
      expect(list[0]!.children.length).toBeGreaterThan(1);
      expect(nodes(markdown).filter((n) => n.type === 'html')).toHaveLength(0);
    });
  }

  it('keeps the answer markdown and nests; an unclosed one ends before the next heading with a warning', () => {
    expect(html(forms.blankLines)).toMatch(
      /<div class="sg-details"><div class="sg-summary">Answer<\/div><div class="sg-details-body">\s*<p>The answer is <strong>42<\/strong>.<\/p>/,
    );
    const nested = '<details><summary>Outer</summary>\n\nA\n\n<details><summary>Inner</summary>\n\nB\n\n</details>\n\n</details>\n\nafter';
    const outer = all<Details>(nested, 'details');
    expect(outer).toHaveLength(2);
    expect(nodes(nested).map((n) => n.type)).toEqual(['details', 'paragraph']);
    const note = noteFrom('# T\n\n<details><summary>A</summary>\n\ntext\n\n# Next\n\nmore');
    expect(note.mdast.children.map((n) => n.type)).toEqual(['heading', 'details', 'heading', 'paragraph']);
    expect(note.file.messages.map((m) => `${m.line} ${m.ruleId}`)).toEqual(['3 details']);
  });

  it('is a flashcard: a real summary is the front; "Answer" takes the question before it', () => {
    const note = noteFrom(
      '# Exam\n\nWhich sort is stable?\n\n<details><summary>Answer</summary>\n\nMerge sort.\n\n</details>\n\n<details><summary>What is 2+2?</summary>\n\nFour.\n\n</details>\n\n1. Why is the sky blue?\n   <details><summary>Answer</summary>\n\n   Rayleigh scattering.\n\n   </details>',
    );
    const cards = extractStudySet(buildGuide([note], 'G')).cards.map((c) => [
      toString({ type: 'paragraph', children: c.front }),
      c.back.map((b) => toString(b)).join(' '),
    ]);
    expect(cards).toContainEqual(['Which sort is stable?', 'Merge sort.']);
    expect(cards).toContainEqual(['What is 2+2?', 'Four.']);
    expect(cards).toContainEqual(['Why is the sky blue?', 'Rayleigh scattering.']);
    expect(cards).toHaveLength(3);
  });
});

describe('Obsidian inline syntax', () => {
  it('==highlight== is a mark only with non-space inside; a == b is text', () => {
    expect(html('==look **here**== but a == b')).toBe('<p><mark>look <strong>here</strong></mark> but a == b</p>');
    expect(html('x ==== y')).toBe('<p>x ==== y</p>');
  });

  it('%% comments %% are hidden, inline and over blocks; code keeps its %%', () => {
    expect(html('keep %% hide %% this')).toBe('<p>keep  this</p>');
    expect(html('before\n\n%%\nblock\n\nstill hidden\n%%\n\nafter')).toBe('<p>before</p>\n<p>after</p>');
    expect(html('`printf("%%d")`')).toContain('%%d');
  });

  it('^block ids are hidden and kept on their block', () => {
    const [p] = nodes('A paragraph with an id ^da815c');
    expect(toString(p!)).toBe('A paragraph with an id');
    expect(p!.data?.blockId).toBe('da815c');
    const [table] = nodes('| a |\n|---|\n| 1 |\n\n^tbl');
    expect(table!.data?.blockId).toBe('tbl');
  });
});

describe('wiki links and embeds', () => {
  const notesDir = path.resolve('vault');
  const note = (file: string, markdown: string) => noteFrom(markdown, `vault/${file}`);
  const guideOf = (...notes: ReturnType<typeof note>[]) => {
    const guide = buildGuide(notes, 'G');
    return { guide, report: resolveLinks(guide, notesDir) };
  };
  const links = (n: ReturnType<typeof note>) => {
    const out: WikiLink[] = [];
    visit(n.mdast, 'wikiLink', (l: WikiLink) => {
      out.push(l);
    });
    return out;
  };

  it('parses targets, aliases and embeds as Obsidian does', () => {
    const [a, b, c, d] = all<WikiLink>('[[Page]] [[Page|alias]] [[Page#Heading]] [[#Local]]', 'wikiLink');
    expect(a!.target).toEqual({ page: 'Page' });
    expect(toString(b!)).toBe('alias');
    expect(c!.target).toEqual({ page: 'Page', heading: 'Heading' });
    expect(toString(c!)).toBe('Page › Heading');
    expect(d!.target).toEqual({ page: '', heading: 'Local' });
    const [image] = all<{ url: string; data: { hProperties: Record<string, number> } }>('![[Pasted image 1.png|300x200]]', 'image');
    expect(image).toMatchObject({ url: 'Pasted image 1.png', data: { hProperties: { width: 300, height: 200 } } });
    expect(nodes('![[Note#^abc]]')[0]).toMatchObject({ type: 'wikiEmbed', target: { page: 'Note', blockId: 'abc' } });
    // Inside a sentence an embed cannot be a block: it is a link.
    expect(all('see ![[Note#Part]] here', 'wikiLink')).toHaveLength(1);
  });

  it('resolves pages by file name, path, title and alias, headings and blocks; counts missing notes once', () => {
    const sorting = note('Algorithms/Sorting.md', '---\naliases: [sort notes]\n---\n# Sorting\n\n## Merge sort\n\nSplit and merge. ^ms1');
    const other = note(
      'Other.md',
      '# Other\n\n[[Sorting]] [[algorithms/sorting]] [[sort notes]] [[Sorting#merge sort]] [[Sorting#^ms1]] [[#Other]] [[Nowhere]] [[Nowhere|again]]',
    );
    const { report } = guideOf(sorting, other);
    expect(links(other).map((l) => l.data?.slug)).toEqual([
      'sorting',
      'sorting',
      'sorting',
      'merge-sort',
      'merge-sort',
      'other',
      null,
      null,
    ]);
    expect(report).toEqual({ missing: ['Nowhere'], missingLinks: 2 });
    const out = renderer.renderBlocks(
      other.mdast.children.slice(1),
      { images: new Map(), assetPrefix: '', topicHref: (s) => `#${s}` },
      other.absPath,
    );
    expect(out[0]!.html).toContain('<a class="wikilink" href="#merge-sort">Sorting › merge sort</a>');
    expect(out[0]!.html).toContain('<span class="wikilink-missing">again</span>');
  });

  it('embeds copy a section or a block; cycles and missing targets stop with a reason', () => {
    const sorting = note(
      'Sorting.md',
      '# Sorting\n\n## Merge sort\n\nSplit and merge. ^ms1\n\n### Cost\n\nn log n\n\n## Quick\n\n![[Other]]',
    );
    const other = note('Other.md', '# Other\n\n![[Sorting#Merge sort]]\n\n![[Sorting#^ms1]]\n\n![[Sorting]]\n\n![[Sorting#Nope]]');
    const { guide } = guideOf(sorting, other);
    const embeds: WikiEmbed[] = [];
    for (const t of walkTopics(guide.topics)) for (const b of t.blocks) if (b.type === 'wikiEmbed') embeds.push(b);
    // Notes in path order: Other.md first.
    const [section, block, whole, nope, quickEmbed] = embeds;
    expect(toString(section!)).toBe('Split and merge.Costn log n');
    expect(section!.data?.source).toBe('Sorting › Merge sort');
    expect(toString(block!)).toBe('Split and merge.');
    // Sorting embeds Other, which embeds Sorting: the inner one stops.
    const cycle: WikiEmbed[] = [];
    visit(whole!, 'wikiEmbed', (e: WikiEmbed) => void cycle.push(e));
    expect(cycle.some((e) => /cycle/.test(e.data?.unresolved ?? ''))).toBe(true);
    expect(nope!.children).toHaveLength(0);
    expect(nope!.data?.unresolved).toBe('no such heading or block');
    expect(quickEmbed!.children.length).toBeGreaterThan(0);
    // A second resolution (the next build) gives the same, not a copy of a copy.
    const before = structuredClone(embeds.map((e) => e.children));
    resolveLinks(guide, notesDir);
    expect(embeds.map((e) => e.children)).toEqual(before);
  });
});

describe('huge notes', () => {
  it('a one-line paragraph of 120,000 tags stays one paragraph, with all its text and every tag', () => {
    // Spliced in as call arguments, the pieces of one such text node overflowed the stack.
    const line = Array.from({ length: 120_000 }, (_, i) => `#t${i % 50}`).join(' ');
    const [p, ...rest] = nodes(line);
    expect(rest).toHaveLength(0);
    expect(p!.type).toBe('paragraph');
    expect(toString(p!)).toBe(line);
    expect((p as { children: { type: string }[] }).children.filter((n) => n.type === 'tag')).toHaveLength(120_000);
  });

  it('reads the source for escaped tags once per note, not once per tagged paragraph', () => {
    const reads = (paragraphs: number) => {
      const text = Array.from({ length: paragraphs }, (_, i) => (i === 3 ? 'p \\#t #t #u' : `p${i} #t`)).join('\n\n');
      const file = new VFile({ path: 'notes/test.md' });
      let count = 0;
      Object.defineProperty(file, 'value', { get: () => (count++, text), configurable: true });
      const note = parseNote(createParser(), { absPath: path.resolve('notes/test.md'), path: 'notes/test.md', file, text });
      const tags: string[] = [];
      visit(note.mdast, 'tag', (t: Tag) => void tags.push(t.name));
      // `\#t` hides `#t` in its own paragraph only.
      expect(tags).toEqual(Array.from({ length: paragraphs }, (_, i) => (i === 3 ? 'u' : 't')));
      return count;
    };
    expect(reads(1000)).toBe(reads(10));
  });
});
