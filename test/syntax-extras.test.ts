/**
 * Footnotes, tags and Dataview blocks: notes as people really write them.
 * Parse and tree level first (noteFrom), then one real build through the CLI.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { createHtmlRenderer, type HtmlOptions, type RenderedTopic } from '../src/render/html.js';
import { markFootnoteReferences } from '../src/render/footnotes.js';
import { renderCards } from '../src/render/study.js';
import { extractStudySet } from '../src/study/index.js';
import { countDataview, dataviewInfo } from '../src/syntax/dataview.js';
import { buildGuide, selectTopics, walkTopics } from '../src/tree.js';
import type { Tag, Topic } from '../src/types.js';
import { cli, launchTestBrowser, noteFrom, openDeck, readPdf, tempDir } from './helpers.js';

const guideOf = (...sources: [string, string?][]) =>
  buildGuide(
    sources.map(([md, file]) => noteFrom(md, file)),
    'Test',
  );
const html: HtmlOptions = { images: new Map(), assetPrefix: '' };
const byTitle = (topics: Topic[], title: string) => [...walkTopics(topics)].find((t) => t.title === title)!;
const blocksHtml = (t: RenderedTopic) => t.blocks.map((b) => b.html).join('\n');
const allRendered = (topics: RenderedTopic[]): RenderedTopic[] => topics.flatMap((t) => [t, ...allRendered(t.children)]);

/** Every `id="…"` of some HTML, and every in-page link target (`href="#…"`, not reveal.js's `#/slug` routes). */
const idsOf = (page: string) => [...page.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!);
const anchorTargets = (page: string) => [...page.matchAll(/\shref="#([^"/][^"]*)"/g)].map((m) => m[1]!);

/** The tag names in a parsed note, in order. */
function tagsIn(tree: Root | RootContent): string[] {
  const names: string[] = [];
  visit(tree, 'tag', (node: Tag) => void names.push(node.name));
  return names;
}
const tagsOf = (markdown: string) => tagsIn(noteFrom(markdown).mdast);

const FOOTNOTED = `# Alpha

Alpha cites one[^a] and two[^b], then one again[^a].

# Beta

Beta cites only two[^b] and a note that is defined nowhere[^nowhere].

# Gamma

Gamma cites nothing.

[^a]: The first note, *with emphasis*.
[^b]: The second note.
[^unused]: Never cited.
`;

describe('footnotes', () => {
  it('takes the definitions out of the content, wherever they were written', () => {
    const note = noteFrom(FOOTNOTED);
    expect(note.footnotes.map((d) => d.identifier)).toEqual(['a', 'b', 'unused']);
    let left = 0;
    visit(note.mdast, 'footnoteDefinition', () => void left++);
    expect(left).toBe(0);
    const gamma = byTitle(guideOf([FOOTNOTED]).topics, 'Gamma');
    // Written under Gamma, but no longer Gamma's content.
    expect(gamma.blocks.map((b) => toString(b))).toEqual(['Gamma cites nothing.']);
  });

  it("renders each topic's cited notes at its end, numbered by first citation, ids scoped by the slug", () => {
    const guide = guideOf([FOOTNOTED]);
    for (const allowHtml of [false, true]) {
      const [alpha, beta, gamma] = createHtmlRenderer({ allowHtml }).renderTopics(guide.topics, html);
      const last = alpha!.blocks[alpha!.blocks.length - 1]!;
      expect(last.kind).toBe('div');
      expect(last.html).toContain('class="footnotes"');
      expect(last.html).toMatch(
        /<li id="alpha:fn-1"><p>The first note, <em>with emphasis<\/em>\.\u00a0<a href="#alpha:fnref-1"[^>]*>↑<\/a>\u00a0<a href="#alpha:fnref-1-2"/,
      );
      expect(last.html).toContain('<li id="alpha:fn-2"><p>The second note.');
      expect(last.html).not.toContain('Never cited');
      // Beta cites [^b] first: it is Beta's note 1; the undefined reference stays text (as in GFM).
      const betaHtml = blocksHtml(beta!);
      expect(betaHtml).toContain('<li id="beta:fn-1"><p>The second note.');
      expect(betaHtml).not.toContain('The first note');
      expect(betaHtml).toContain('[^nowhere]');
      expect(blocksHtml(gamma!)).not.toContain('footnotes');
      // References link to the notes, the notes back; no id is prefixed twice or shared between topics.
      const page = allRendered([alpha!, beta!, gamma!]).map(blocksHtml).join('\n');
      expect(page).toContain('<sup class="sg-fnref"><a href="#alpha:fn-1" id="alpha:fnref-1"');
      expect(page).not.toContain('user-content-');
      const ids = idsOf(page);
      expect(new Set(ids).size).toBe(ids.length);
      for (const target of anchorTargets(page)) expect(ids).toContain(target);
      expect(anchorTargets(page).length).toBe(8); // 4 references, 4 links back
    }
  });

  it("still prefixes ids from the notes' own HTML (DOM clobbering), once", () => {
    const guide = guideOf(['# T\n\n<a id="top" name="n">x</a> and a note[^1]\n\n[^1]: n\n']);
    const [t] = createHtmlRenderer().renderTopics(guide.topics, html);
    expect(blocksHtml(t!)).toContain('id="user-content-top"');
    expect(blocksHtml(t!)).toContain('id="t:fn-1"');
  });

  it('leaves a reference in a title out of the title (nowhere to put its note), and keeps the note for the content that cites it', () => {
    const guide = guideOf(['# Title[^1]\n\nBody[^1].\n\n[^1]: the note\n']);
    const [t] = createHtmlRenderer().renderTopics(guide.topics, html);
    expect(t!.titleHtml).toBe('Title');
    expect(blocksHtml(t!)).toContain('<li id="title:fn-1"><p>the note');
  });

  it("drops a reference copied from another note (an embed): that note's [^1] is not this one's", () => {
    const note = noteFrom('Mine[^1] and copied[^1].\n\n[^1]: my note\n', 'notes/mine.md');
    const root: Root = structuredClone(note.mdast);
    let k = 0;
    visit(root, 'footnoteReference', (ref) => {
      if (k++ === 1) ref.data = { noteAbsPath: path.resolve('notes/other.md') };
    });
    expect(markFootnoteReferences(root, note.footnotes, note.absPath).map((d) => d.identifier)).toEqual(['1']);
    let left = 0;
    visit(root, 'footnoteReference', () => void left++);
    expect(left).toBe(1);
  });

  it('a flashcard back that cites a footnote carries it, with ids of its own', () => {
    const guide = guideOf(['# Why VPC peering?\n\nIt is not transitive[^t].\n\n[^t]: Each pair needs its own peering.\n']);
    const cards = renderCards(extractStudySet(guide), createHtmlRenderer(), html, { notesDir: path.resolve('notes'), title: 'T' });
    expect(cards).toHaveLength(1);
    expect(cards[0]!.back).toContain('<li id="card:0:fn-1"><p>Each pair needs its own peering.');
    expect(cards[0]!.back).toContain('href="#card:0:fn-1"');
  });
});

describe('Anki ids', () => {
  const ids = (md: string, file: string) =>
    renderCards(extractStudySet(guideOf([md, file])), createHtmlRenderer(), html, { notesDir: path.resolve('notes'), title: 'T' }).map(
      (c) => [c.kind, c.guid] as const,
    );
  it('a card with a block id keeps its id when the note moves or its section is reordered; one without does not', () => {
    const md = (order: string[]) => ['# Capitals', '', ...order, ''].join('\n');
    const paris = 'Capital of France :: Paris ^paris';
    const rome = 'Capital of Italy :: Rome';
    const here = ids(md([paris, '', rome]), 'notes/geo/capitals.md');
    const moved = ids(md([paris, '', rome]), 'notes/europe/capitals.md');
    const reordered = ids(md([rome, '', paris]), 'notes/geo/capitals.md');
    expect(moved[0]).toEqual(here[0]);
    expect(reordered[1]).toEqual(here[0]);
    expect(moved[1]).not.toEqual(here[1]);
    // Ids stay apart: a note's cards, and two notes' cards with the same block id.
    expect(new Set([...here, ...ids(md([paris]), 'notes/other.md')].map(([, id]) => id)).size).toBe(3);
  });

  it('a cloze note is one Anki note: its cards share an id, and a new number moves no other id', () => {
    const before = ids('# Cells\n\nThe {{c1::mitochondria}} makes {{c2::ATP}}.\n\nNucleus :: holds DNA\n', 'notes/bio.md');
    const after = ids('# Cells\n\nThe {{c1::mitochondria}} makes {{c2::ATP}} in {{c3::cells}}.\n\nNucleus :: holds DNA\n', 'notes/bio.md');
    expect(before.map(([kind]) => kind)).toEqual(['explicit', 'cloze', 'cloze']);
    expect(before[1]![1]).toBe(before[2]![1]);
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
  });
});

describe('tags', () => {
  it("finds #tags at the start or after whitespace, by Obsidian's characters", () => {
    expect(tagsOf('#start and #middle, #nested/sub-tag_2 #café\n')).toEqual(['start', 'middle', 'nested/sub-tag_2', 'café']);
    expect(tagsOf('line one\n#second-line\n')).toEqual(['second-line']);
    expect(tagsOf('trailing #tag. and #tag2!\n')).toEqual(['tag', 'tag2']);
  });

  it('is not a tag: only digits, inside a word, escaped, after punctuation', () => {
    expect(tagsOf('issue #1 and #2024 but #1a is\n')).toEqual(['1a']);
    expect(tagsOf('a#b C# and (#paren) x/#y\n')).toEqual([]);
    expect(tagsOf('not \\#escaped but #real\n')).toEqual(['real']);
  });

  it('never in code, link text, URLs or headings', () => {
    expect(tagsOf('`#inline` code\n\n```\n#fenced\n```\n')).toEqual([]);
    expect(tagsOf('[#linktext](https://example.com) and [[Page|#alias]]\n')).toEqual([]);
    expect(tagsOf('https://example.com/#fragment and <https://example.com/#frag2> and www.example.com/#f3\n')).toEqual([]);
    expect(tagsOf('# Title #notatag\n\n## Sub #neither\n')).toEqual([]);
  });

  it('in emphasis, lists, tables and after a line break, as Obsidian shows them', () => {
    expect(tagsOf('**#bold** and *x #em*\n\n- #item\n\n| a |\n| - |\n| #cell |\n\nx\\\n#afterbreak\n')).toEqual([
      'bold',
      'em',
      'item',
      'cell',
      'afterbreak',
    ]);
    expect(tagsOf('*x*#glued\n')).toEqual([]);
  });

  it('keeps the text: a tag is a chip showing `#tag`', () => {
    const note = noteFrom('Study #aws/s3 today\n');
    expect(toString(note.mdast)).toBe('Study #aws/s3 today');
    const [t] = createHtmlRenderer().renderTopics(guideOf(['Study #aws/s3 today\n']).topics, html);
    expect(blocksHtml(t!)).toBe('<p>Study <span class="sg-tag">#aws/s3</span> today</p>');
  });

  it("a topic's tags: its note's front-matter tags, then its own blocks' inline tags, each once", () => {
    const guide = guideOf(['---\ntags: [aws, "#Exam"]\n---\n# A\n\nabout #vpc and #AWS\n\n## B\n\n#peering here\n\n# C\n\nnothing\n']);
    expect(byTitle(guide.topics, 'A').tags).toEqual(['aws', 'Exam', 'vpc']);
    expect(byTitle(guide.topics, 'B').tags).toEqual(['aws', 'Exam', 'peering']);
    expect(byTitle(guide.topics, 'C').tags).toEqual(['aws', 'Exam']);
    expect(guide.topics.map((t) => t.firstOfNote)).toEqual([true, false]);
  });

  it('reads front-matter tags and aliases as lists or strings', () => {
    expect(noteFrom('---\ntags: "a, b c #d"\naliases: Big O, big-o notation\n---\nx\n').frontMatter).toMatchObject({
      tags: ['a', 'b', 'c', 'd'],
      aliases: ['Big O', 'big-o notation'],
    });
    expect(noteFrom('---\ntags:\n  - 2024\n  - x\naliases:\n  - One\n  - Two words\n---\nx\n').frontMatter).toMatchObject({
      tags: ['2024', 'x'],
      aliases: ['One', 'Two words'],
    });
    const empty = noteFrom('---\ntags:\naliases:\n---\nx\n');
    expect(empty.frontMatter).toEqual({});
    expect(empty.file.messages).toHaveLength(0);
    const bad = noteFrom('---\naliases: {a: 1}\n---\nx\n');
    expect(bad.frontMatter.aliases).toBeUndefined();
    expect(bad.file.messages.map((m) => m.reason)).toEqual(['front matter `aliases` should be a list, ignored']);
  });

  it("shows the front-matter tags as a line of chips on the note's first topic only", () => {
    const guide = guideOf(['---\ntags: [aws, exam]\n---\n# A\n\nx\n\n# B\n\ny\n']);
    const [a, b] = createHtmlRenderer().renderTopics(guide.topics, html);
    expect(a!.tagsHtml).toBe('<p class="sg-tags"><span class="sg-tag">#aws</span> <span class="sg-tag">#exam</span></p>');
    expect(b!.tagsHtml).toBeUndefined();
  });

  it('selects topics by tag, with their subtrees; nested tags match their parent; with --topics both must hold', () => {
    const guide = guideOf(
      ['# Net\n\n## VPC\n\nabout #aws/vpc\n\n### Peering\n\ntext\n\n## LAN\n\n#home\n', 'notes/1.md'],
      ['---\ntags: storage\n---\n# S3\n\nx\n\n# EBS\n\ny\n', 'notes/2.md'],
    );
    const titles = (topics: Topic[]) => topics.map((t) => t.title);
    expect(titles(selectTopics(guide.topics, [], ['aws']))).toEqual(['VPC']);
    expect(selectTopics(guide.topics, [], ['aws'])[0]!.children.map((t) => t.title)).toEqual(['Peering']);
    expect(titles(selectTopics(guide.topics, [], ['#Storage', 'home']))).toEqual(['LAN', 'S3', 'EBS']);
    expect(titles(selectTopics(guide.topics, [], ['aws/vpc/deeper']))).toEqual([]);
    expect(titles(selectTopics(guide.topics, ['net'], ['home']))).toEqual(['LAN']);
    expect(titles(selectTopics(guide.topics, ['peering'], ['aws']))).toEqual(['Peering']);
    expect(titles(selectTopics(guide.topics, ['s3'], ['aws']))).toEqual([]);
  });
});

describe('dataview', () => {
  it('counts dataview and dataviewjs blocks; one info (fatal undefined) for the build, none without', () => {
    const a = noteFrom('# A\n\n```dataview\nLIST FROM #aws\n```\n\n```dataviewjs\ndv.list([1])\n```\n\n```js\nx\n```\n', 'notes/a.md');
    const b = noteFrom('# B\n\n```DataView\nTABLE x\n```\n', 'notes/b.md');
    expect(countDataview(a.mdast.children)).toBe(2);
    const info = dataviewInfo([a, b])!;
    expect(info.fatal).toBeUndefined();
    expect(info.reason).toBe('3 Dataview blocks shown as code (notes/a.md, notes/b.md): Dataview queries run only inside Obsidian');
    expect(dataviewInfo([noteFrom('# C\n\n```sql\nselect 1\n```\n')])).toBeNull();
  });
});

/** Link annotations of a PDF whose named destination exists, and those whose does not. */
async function pdfLinks(file: string): Promise<{ resolved: string[]; broken: string[] }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(await readFile(file)), useSystemFonts: false }).promise;
  const resolved: string[] = [];
  const broken: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    for (const annotation of await (await doc.getPage(n)).getAnnotations()) {
      if (annotation.subtype !== 'Link' || typeof annotation.dest !== 'string') continue;
      ((await doc.getDestination(annotation.dest)) ? resolved : broken).push(annotation.dest);
    }
  }
  await doc.destroy();
  return { resolved, broken };
}

const LONG = Array.from(
  { length: 14 },
  (_, i) => `Paragraph ${i + 1} of the long topic, written out at length so that the slide has to be split into parts by the fitter.`,
).join('\n\n');

describe('end to end: a build of notes with footnotes, tags and Dataview', () => {
  let dir: string;
  let notes: string;
  let out: string;
  let build: Awaited<ReturnType<typeof cli>>;
  let browser: Browser | null = null;

  beforeAll(async () => {
    dir = await tempDir();
    notes = path.join(dir, 'notes');
    out = path.join(dir, 'out');
    await mkdir(notes);
    await writeFile(
      path.join(notes, '01-network.md'),
      [
        '---',
        'tags: [networking, aws]',
        'aliases: Networking basics',
        '---',
        '# VPC',
        '',
        'Peering connects two VPCs privately[^1]. Study it for the #exam.',
        '',
        '```dataview',
        'LIST FROM #aws',
        '```',
        '',
        '# DNS',
        '',
        'Route 53 resolves names[^ttl].',
        '',
        '```dataviewjs',
        'dv.list(dv.pages("#aws").file.name)',
        '```',
        '',
        '# Long',
        '',
        `The long topic cites a note[^1].\n\n${LONG}`,
        '',
        '[^1]: Transitive peering is not supported.',
        '[^ttl]: Answers are cached for their TTL.',
        '',
      ].join('\n'),
    );
    await writeFile(
      path.join(notes, '02-storage.md'),
      '# Buckets\n\nObjects live in buckets #storage[^1].\n\n[^1]: Bucket names are global.\n',
    );
    build = await cli(['build', '--notes', notes, '--out', out, '--offline', '--strict']);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('exits 0 with --strict: the Dataview info is printed once and is not a warning', () => {
    expect(build.code, build.stderr).toBe(0);
    const lines = build.stderr.split('\n');
    const info = lines.filter((l) => l.includes('Dataview'));
    expect(info).toHaveLength(1);
    expect(info[0]).toMatch(/^2 Dataview blocks shown as code \(\S*notes\/01-network\.md\): Dataview queries run only inside Obsidian$/);
    expect(lines.some((l) => l.startsWith('warning'))).toBe(false);
    expect(build.stderr).toMatch(/· 0 warnings ·/);
  });

  it('prints each footnote at the end of its topic in the PDF, and its links lead somewhere', async () => {
    const pdf = await readPdf(path.join(out, 'cheatsheet.pdf'));
    const text = pdf.pageText.join(' ');
    const at = (s: string) => {
      const i = text.indexOf(s);
      expect(i, s).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(at('Peering connects two VPCs')).toBeLessThan(at('Transitive peering is not supported'));
    expect(at('Transitive peering is not supported')).toBeLessThan(at('Route 53 resolves names'));
    expect(at('Route 53 resolves names')).toBeLessThan(at('Answers are cached for their TTL'));
    expect(at('Answers are cached for their TTL')).toBeLessThan(at('The long topic cites'));
    expect(at('Paragraph 14 of the long topic')).toBeLessThan(text.lastIndexOf('Transitive peering is not supported'));
    expect(text.lastIndexOf('Transitive peering is not supported')).toBeLessThan(at('Objects live in buckets'));
    expect(at('Objects live in buckets')).toBeLessThan(at('Bucket names are global'));
    // The same note cited by two topics is printed in each.
    expect(text.split('Transitive peering is not supported').length - 1).toBe(2);
    const links = await pdfLinks(path.join(out, 'cheatsheet.pdf'));
    expect(links.broken).toEqual([]);
    // 4 references and 4 links back (the 5 topic anchors of the sheet are headings, not links).
    expect(links.resolved.filter((d) => d.includes(':fn')).sort()).toEqual(
      ['buckets:fn-1', 'buckets:fnref-1', 'dns:fn-1', 'dns:fnref-1', 'long:fn-1', 'long:fnref-1', 'vpc:fn-1', 'vpc:fnref-1'].sort(),
    );
  });

  it('cheatsheet.html and every deck: ids unique, every footnote link has its target', async () => {
    const sheet = await readFile(path.join(out, 'cheatsheet.html'), 'utf8');
    const decks = await Promise.all(
      ['all', 'vpc', 'long', 'buckets'].map((name) => readFile(path.join(out, 'slides', `${name}.html`), 'utf8')),
    );
    for (const page of [sheet, ...decks]) {
      const ids = idsOf(page);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
      const targets = anchorTargets(page).filter((t) => t.includes(':fn'));
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) expect(ids).toContain(target);
    }
    expect(anchorTargets(sheet).filter((t) => t.includes(':fn'))).toHaveLength(8);
  });

  it("shows tag chips: front-matter tags under the note's first title, inline tags where they are", async () => {
    const chips = '<p class="sg-tags"><span class="sg-tag">#networking</span> <span class="sg-tag">#aws</span></p>';
    const sheet = await readFile(path.join(out, 'cheatsheet.html'), 'utf8');
    expect(sheet).toMatch(new RegExp(`id="vpc"[^>]*>VPC</h1>\\s*${chips}`));
    expect(sheet.split(chips).length - 1).toBe(1);
    expect(sheet).toContain('<span class="sg-tag">#exam</span>');
    expect(sheet).toContain('<span class="sg-tag">#storage</span>');
    const deck = await readFile(path.join(out, 'slides', 'vpc.html'), 'utf8');
    expect(deck).toMatch(new RegExp(`<h2 class="sg-title">VPC</h2>\\s*${chips}`));
  });

  it('a footnote on a later part of a split slide: following its reference goes to that slide in reveal.js', async () => {
    browser = await launchTestBrowser();
    const { page, errors } = await openDeck(browser, `file://${path.join(out, 'slides', 'all.html')}`);
    const parts = await page.evaluate(() => document.querySelectorAll('section.sg-cont').length);
    expect(parts).toBeGreaterThan(0); // the long topic was split
    await page.evaluate(() => {
      const reveal = (window as any).Reveal;
      reveal.slide(...Object.values(reveal.getIndices(document.getElementById('long'))));
    });
    const before = await page.evaluate(() => {
      const current = (window as any).Reveal.getCurrentSlide() as HTMLElement;
      return { id: current.id, hasNote: current.contains(document.getElementById('long:fn-1')) };
    });
    expect(before).toEqual({ id: 'long', hasNote: false });
    await page.evaluate(() => (document.getElementById('long:fnref-1') as HTMLElement).click());
    await page.waitForFunction(() => (window as any).Reveal.getCurrentSlide().contains(document.getElementById('long:fn-1')));
    expect(errors).toEqual([]);
  });

  it("--tags (or the config key) selects the cheat sheet's topics; no match is a clear error", async () => {
    const config = path.join(dir, 'tags.json');
    await writeFile(config, JSON.stringify({ tags: ['storage'] }));
    const picked = await cli([
      'build',
      '--notes',
      notes,
      '--out',
      path.join(dir, 'out-tags'),
      '--offline',
      '--only',
      'pdf',
      '--config',
      config,
    ]);
    expect(picked.code, picked.stderr).toBe(0);
    const sheet = await readFile(path.join(dir, 'out-tags', 'cheatsheet.html'), 'utf8');
    expect(idsOf(sheet).filter((id) => !id.includes(':'))).toEqual(['sg-config', 'flow', 'buckets', 'pages']);
    const none = await cli([
      'build',
      '--notes',
      notes,
      '--out',
      path.join(dir, 'out-none'),
      '--offline',
      '--only',
      'pdf',
      '--tags',
      'nosuch',
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe('studyguide: --tags nosuch matched no topic of the cheat sheet');
    const both = await cli([
      'build',
      '--notes',
      notes,
      '--out',
      path.join(dir, 'out-both'),
      '--offline',
      '--only',
      'pdf',
      '--topics',
      'vpc',
      '--tags',
      'storage',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe('studyguide: --topics vpc with --tags storage matched no topic of the cheat sheet');
  });
});
