import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { describe, expect, it } from 'vitest';
import { VFile } from 'vfile';
import { decodeNote, loadNotes } from '../src/load.js';
import { chunksOf } from '../src/chunks.js';
import { latexDelimitersToDollars } from '../src/syntax/math.js';
import { createParser, parseNote, parseWithCache, titleFromFileName, type ParseCache } from '../src/parse.js';
import { imageKey } from '../src/images.js';
import { createHtmlRenderer } from '../src/render/html.js';
import { buildGuide, topicNodes, walkTopics } from '../src/tree.js';
import { NOTES, ROOT, noteFrom } from './helpers.js';

const render = (md: string) => {
  const guide = buildGuide([noteFrom(md)], 'T');
  return createHtmlRenderer().renderTopics(guide.topics, { images: new Map(), assetPrefix: '' });
};

describe('markdown edge cases', () => {
  it('keeps lines that start with an en dash on their own lines (they are not list items)', () => {
    const [topic] = render('There are two types:\n\n– A **token-based** authorizer\n– A **request** authorizer\n');
    const html = topic!.blocks.map((b) => b.html).join('');
    expect(html).toContain('<br>');
    expect(html).not.toContain('<li>');
    expect(html.match(/<br>/g)).toHaveLength(1);
  });

  it('highlights yaml and json fences at build time', () => {
    const [topic] = render('```yaml\nTransform: AWS::Serverless-2016-10-31\n```\n\n```json\n{"type": "spread"}\n```\n');
    const [yaml, json] = topic!.blocks;
    expect(yaml!.html).toContain('language-yaml');
    expect(yaml!.html).toContain('hljs-attr');
    expect(json!.html).toContain('hljs-attr');
  });

  it('renders GFM tables, task lists and strikethrough', () => {
    const [topic] = render('| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~\n');
    const html = topic!.blocks.map((b) => b.html).join('');
    expect(html).toContain('<table>');
    expect(html).toMatch(/<input type="checkbox" checked disabled>/);
    expect(html).toContain('<del>old</del>');
  });

  it('turns an unresolved image into a placeholder, never a broken <img>, local or remote', () => {
    const [topic] = render('![img](./ss/hsm-1.webp)\n');
    expect(topic!.blocks[0]!.html).not.toContain('<img');
    expect(topic!.blocks[0]!.html).toContain('<span class="img-missing" role="img"');
    const url = 'https://media.example/diagram.png';
    const guide = buildGuide([noteFrom(`![img](${url})\n`)], 'T');
    const images = new Map([
      [imageKey(guide.topics[0]!.note.absPath, url), { kind: 'missing' as const, label: 'diagram.png', remote: true }],
    ]);
    const html = createHtmlRenderer().renderTopics(guide.topics, { images, assetPrefix: '' })[0]!.blocks[0]!.html;
    // Sanitizing keeps the placeholder's class on the link (the default schema allows only footnote classes on links).
    expect(html).toContain(
      `<a class="img-missing" role="img" aria-label="image not available: diagram.png" title="${url}" href="${url}">diagram.png</a>`,
    );
  });

  it('reads front matter and reports a broken one at its line without failing', () => {
    const note = noteFrom('---\ntitle: [unclosed\n---\n# A\n');
    expect(note.frontMatter).toEqual({});
    expect(note.file.messages[0]!.reason).toMatch(/invalid front matter/);
    expect(note.file.messages[0]!.line).toBeGreaterThanOrEqual(1);
    expect(noteFrom('---\norder: soon\n---\n# A\n').file.messages[0]!.reason).toMatch(/`order` should be a number/);
  });

  it('takes titles from file names without their ordering prefix', () => {
    expect(titleFromFileName('/n/03-vpc-peering.md')).toBe('vpc peering');
    expect(titleFromFileName('/n/2024.md')).toBe('2024');
  });

  it('decodes UTF-8 and UTF-16 with a BOM, reports invalid UTF-8, refuses binary', () => {
    const file = new VFile({ path: 'x.md' });
    expect(decodeNote(Buffer.from('\uFEFF# Hé', 'utf8'), file)).toBe('# Hé');
    expect(decodeNote(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# Hé', 'utf16le')]), file)).toBe('# Hé');
    expect(file.messages).toHaveLength(0);
    expect(decodeNote(Buffer.from([0x23, 0x20, 0xc3, 0x28]), file)).toContain('\uFFFD');
    expect(file.messages[0]!.reason).toMatch(/invalid UTF-8/);
    expect(decodeNote(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), file)).toBeNull();
  });
});

describe('the bundled notes', () => {
  it("split into one file per topic: together they are the user's notes, text unchanged", async () => {
    const loaded = await loadNotes(NOTES);
    const joined = loaded.map((n) => n.text).join('');
    const seed = path.resolve(NOTES, '..', '..', 'shared', 'notes-seed', 'aws-study-notes.md');
    const original = await readFile(seed, 'utf8').catch(() => null);
    if (original !== null) expect(joined).toBe(original);
    expect(loaded.map((n) => path.basename(n.absPath))).toEqual([
      '01-cloud-hsm.md',
      '02-ec2-plus.md',
      '03-vpc-peering.md',
      '04-vpc.md',
      '05-aws-direct-connect.md',
      '06-misc.md',
    ]);
  });

  it('every heading becomes exactly one topic and no text is lost', async () => {
    const parser = createParser();
    const notes = (await loadNotes(NOTES)).map((n) => parseNote(parser, { ...n, text: n.text! }));
    const guide = buildGuide(notes, 'AWS');
    const headings = notes.flatMap((n) => n.mdast.children.filter((c) => c.type === 'heading').map((h) => toString(h)));
    expect([...walkTopics(guide.topics)].map((t) => t.title)).toEqual(headings);
    const treeText = guide.topics.flatMap((t) => [...topicNodes(t)].map((n) => toString(n))).join('');
    expect(treeText).toBe(notes.flatMap((n) => n.mdast.children.map((c) => toString(c))).join(''));
    expect(guide.topics.map((t) => t.title)).toEqual(['Cloud HSM', 'EC2 plus', 'VPC Peering', 'VPC', 'AWS Direct Connect', 'Misc']);
  });
});

describe('notes parsed in parts (src/chunks.ts)', () => {
  const starts = (md: string) => chunksOf(md).map((c) => c.text.split('\n')[0]);

  it('cuts before a top-level heading that follows a blank line', () => {
    const md = '# A\n\ntext\n\n## B\n\n- item\n\n# C\ntext\n# D\n';
    expect(starts(md)).toEqual(['# A', '## B', '# C']);
    const chunks = chunksOf(md);
    expect(chunks.map((c) => c.text).join('')).toBe(md);
    expect(chunks.map((c) => [c.line, c.offset])).toEqual([
      [0, 0],
      [4, 11],
      [8, 25],
    ]);
  });

  it('does not cut in code, math, raw HTML or front matter, nor in a note with definitions', () => {
    const whole = [
      '# A\n\n```\n\n# not a heading\n```\n',
      '# A\n\n~~~~md\n\n# no\n~~~\n\n# still code\n',
      '# A\n\n$$\n\n# no\n$$\n',
      '# A\n\n<!-- a comment\n\n# no\n-->\n',
      '# A\n\n<pre>\n\n# no\n</pre>\n',
      '---\ntitle: x\n\n# yaml comment\n---\n',
      '# A\n\n[x]: https://example.com\n\n# B\n\n[x]\n',
      '# A\n\ntext[^1]\n\n# B\n\n[^1]: a footnote\n',
    ];
    for (const md of whole) expect(chunksOf(md)).toHaveLength(1);
    expect(starts('# A\n\n```\ncode\n```\n\n# B\n\n<!-- c --> done\n\n# C\n')).toEqual(['# A', '# B', '# C']);
  });

  it('gives the tree of the whole note, positions included, for real notes', async () => {
    const files = [
      ...(await loadNotes(NOTES)),
      ...(await loadNotes(path.join(ROOT, 'test', 'fixtures', 'vault'))),
      ...(await loadNotes(path.join(ROOT, 'test', 'fixtures', 'long-content'))),
    ];
    let cut = 0;
    for (const loaded of files) {
      const text = loaded.text!;
      if (chunksOf(text).length > 1) cut++;
      const parser = createParser();
      const markdown = latexDelimitersToDollars(text);
      const file = new VFile({ path: loaded.path, value: text, data: { markdown } });
      const whole = parser.runSync(parser.parse(markdown), file) as Root;
      const inParts = parseNote(
        parser,
        { ...loaded, text, file: new VFile({ path: loaded.path, value: text }) },
        { known: new Map(), kept: new Map() },
      );
      expect(inParts.mdast).toEqual({
        ...whole,
        children: whole.children.filter((c) => c.type !== 'yaml' && c.type !== 'footnoteDefinition'),
      });
    }
    expect(cut).toBeGreaterThan(2);
  });

  it('an edited note keeps the trees of its parts, and parses to what a fresh parse gives', async () => {
    const [loaded] = await loadNotes(NOTES).then((all) => all.filter((n) => n.path.endsWith('06-misc.md')));
    const cache: ParseCache = new Map();
    parseWithCache([loaded!], cache, false);
    const edited = `${loaded!.text}\n- one more line\n`;
    const [note] = parseWithCache([{ ...loaded!, text: edited, file: new VFile({ path: loaded!.path, value: edited }) }], cache, false);
    const entry = [...cache.values()][0]!;
    expect(entry.parts?.size).toBe(chunksOf(edited).length);
    expect(entry.parts!.size).toBeGreaterThan(1);
    const fresh = parseNote(createParser(), { ...loaded!, text: edited, file: new VFile({ path: loaded!.path, value: edited }) });
    expect(note!.mdast).toEqual(fresh.mdast);
  });
});
