import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { toString } from 'mdast-util-to-string';
import { describe, expect, it } from 'vitest';
import { VFile } from 'vfile';
import { decodeNote, loadNotes } from '../src/load.js';
import { createParser, parseNote, titleFromFileName } from '../src/parse.js';
import { imageKey } from '../src/images.js';
import { createHtmlRenderer } from '../src/render/html.js';
import { buildGuide, topicNodes, walkTopics } from '../src/tree.js';
import { NOTES, noteFrom } from './helpers.js';

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
