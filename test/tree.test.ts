import { toString } from 'mdast-util-to-string';
import { describe, expect, it } from 'vitest';
import { buildGuide, topicNodes, walkTopics } from '../src/tree.js';
import type { Topic } from '../src/types.js';
import { noteFrom } from './helpers.js';

const guideOf = (...sources: [string, string?][]) =>
  buildGuide(
    sources.map(([md, file]) => noteFrom(md, file)),
    'Test',
  );
const titles = (topics: Topic[]): unknown[] => topics.map((t) => (t.children.length ? [t.title, titles(t.children)] : t.title));

/** Text of every topic in reading order: heading, own blocks, children. */
const textOfTree = (topics: Topic[]) => topics.flatMap((t) => [...topicNodes(t)].map((n) => toString(n))).join('');
const textOfInput = (md: string) =>
  noteFrom(md)
    .mdast.children.map((n) => toString(n))
    .join('');

describe('topic tree', () => {
  it('opens a top-level topic at each # and nests deeper headings under the nearest shallower one', () => {
    const guide = guideOf(['# A\n\n## A1\n\n### A1a\n\n## A2\n\n# B\n\ntext\n']);
    expect(titles(guide.topics)).toEqual([['A', [['A1', ['A1a']], 'A2']], 'B']);
    expect(guide.topics[0]!.children[0]!.children[0]!.depth).toBe(3);
  });

  it('keeps a ### right under a # as its child (the notes\' "EC2 plus"), never dropped', () => {
    const guide = guideOf(['# EC2 plus\n\n### AWS::CloudFormation::Init\n\nbody\n\n#### cfn-init explained\n\nmore\n']);
    expect(titles(guide.topics)).toEqual([['EC2 plus', [['AWS::CloudFormation::Init', ['cfn-init explained']]]]]);
    const init = guide.topics[0]!.children[0]!;
    expect(init.blocks.map((b) => toString(b))).toEqual(['body']);
    expect(init.path).toEqual(['EC2 plus', 'AWS::CloudFormation::Init']);
  });

  it('a skipped level goes back up correctly (#### then ##)', () => {
    const guide = guideOf(['# T\n\n#### deep\n\n## side\n']);
    expect(titles(guide.topics)).toEqual([['T', ['deep', 'side']]]);
  });

  it('gives content before the first heading a topic named after the file', () => {
    const guide = guideOf(['intro line\n\n# Later\n\nx\n', 'notes/07-network-basics.md']);
    expect(titles(guide.topics)).toEqual(['network basics', 'Later']);
    expect(guide.topics[0]!.blocks).toHaveLength(1);
    expect(guide.topics[0]!.source).toMatchObject({ file: 'notes/07-network-basics.md', line: 1 });
  });

  it("names the preamble topic after the front-matter title, and nests the note's headings under it", () => {
    const guide = guideOf(['---\ntitle: Networking\norder: 1\ntags: [aws, vpc]\n---\n\nintro\n\n## VPC\n\n# Deep dive\n']);
    expect(titles(guide.topics)).toEqual([['Networking', ['VPC', 'Deep dive']]]);
    expect(guide.notes[0]!.frontMatter).toEqual({ title: 'Networking', order: 1, tags: ['aws', 'vpc'] });
  });

  it('makes a file with no headings one topic', () => {
    const guide = guideOf(['just a paragraph\n\n- and\n- a list\n', 'notes/scratch.md']);
    expect(titles(guide.topics)).toEqual(['scratch']);
    expect(guide.topics[0]!.blocks.map((b) => b.type)).toEqual(['paragraph', 'list']);
  });

  it('keeps a topic that holds only images, and one that holds only a question', () => {
    const guide = guideOf([
      '# Cloud HSM\n\n![img](./ss/hsm-1.webp)\n\n![img](./ss/hsm-2.webp)\n\n# VPC\n\nCan a VPC span across regions?\n',
    ]);
    expect(titles(guide.topics)).toEqual(['Cloud HSM', 'VPC']);
    expect(guide.topics[0]!.blocks).toHaveLength(2);
    expect(toString(guide.topics[1]!.blocks[0]!)).toBe('Can a VPC span across regions?');
  });

  it('gives duplicate titles distinct slugs, across files too, and never a reserved name', () => {
    const guide = guideOf(['# Scenario\n\n## Scenario\n\n# All\n', 'notes/a.md'], ['# Scenario\n', 'notes/b.md']);
    const slugs = [...walkTopics(guide.topics)].map((t) => t.slug);
    expect(slugs).toEqual(['scenario', 'scenario-1', 'all-1', 'scenario-2']);
    expect(new Set(slugs).size).toBe(slugs.length);
  });

  it('gives titles made only of symbols a usable slug', () => {
    const guide = guideOf(['# 🚀\n\n# ???\n']);
    for (const t of guide.topics) expect(t.slug).toMatch(/^[\p{L}\p{N}][\p{L}\p{N}-]*$/u);
  });

  it('slugs are file names too: a Windows device name or a twin by case or normalization moves on to the next free slug', () => {
    const guide = guideOf(
      ['# CON\n\n# aux\n\n# nul.txt\n\n# Foo\n', 'notes/a.md'],
      ['# FOO\n\n# Café\n\n# Cafe\u0301\n', 'notes/b.md'],
      ['# foo\n', 'notes/c.md'],
    );
    expect(guide.topics.map((t) => t.slug)).toEqual(['con-1', 'aux-1', 'nultxt', 'foo', 'foo-1', 'café', 'cafe\u0301-1', 'foo-2']);
  });

  it('cuts a long slug to 64 bytes with a hash of the whole: stable, and apart from one sharing its start', () => {
    const long = 'Why does an index make reads faster and writes slower in a relational database';
    const guide = guideOf([`# ${long}\n\n# ${long} table\n\n# ${long}\n\n# ${'索引'.repeat(60)}\n`]);
    const slugs = guide.topics.map((t) => t.slug);
    expect(slugs[0]).toMatch(/^why-does-an-index-make-reads-faster-and-writes-slower-[0-9a-f]{8}$/);
    expect(new Set(slugs).size).toBe(4);
    expect(slugs[3]).toMatch(new RegExp(`^${'索引'.repeat(9)}-[0-9a-f]{8}$`));
    for (const slug of slugs) expect(Buffer.byteLength(slug)).toBeLessThanOrEqual(64);
    expect(guideOf([`# ${long}\n`]).topics[0]!.slug).toBe(slugs[0]);
  });

  it('orders notes by front-matter order, then naturally by path', () => {
    const guide = guideOf(['# ten\n', 'notes/10-x.md'], ['# two\n', 'notes/2-x.md'], ['---\norder: 1\n---\n# first\n', 'notes/99-z.md']);
    expect(guide.topics.map((t) => t.title)).toEqual(['first', 'two', 'ten']);
  });

  it('records the source file and line of each topic', () => {
    const guide = guideOf(['# A\n\ntext\n\n## B\n', 'notes/x.md']);
    expect(guide.topics[0]!.source).toEqual({ file: 'notes/x.md', line: 1, column: 1 });
    expect(guide.topics[0]!.children[0]!.source.line).toBe(5);
  });

  it('loses and duplicates nothing: the text of all topics equals the text of the input', () => {
    const samples = [
      '# A\n\n### B\n\ntext **bold**\n\n- one\n- two\n\n#### C\n\n```yaml\nkey: value\n```\n\n# D\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
      'preamble\n\n## two\n\n# one\n\n###### six\n\n> quote\n',
      'no headings at all\n',
    ];
    for (const md of samples) expect(textOfTree(guideOf([md]).topics)).toBe(textOfInput(md));
  });
});

describe('topic selection (--topics)', () => {
  const guide = guideOf(['# VPC Peering\n\n## use case\n\n# VPC\n\n# Misc\n\n## Security\n\n## Development\n']);
  it('matches slugs and titles by glob, case-insensitively, with subtrees', async () => {
    const { selectTopics } = await import('../src/tree.js');
    expect(selectTopics(guide.topics, ['vpc*']).map((t) => t.title)).toEqual(['VPC Peering', 'VPC']);
    expect(selectTopics(guide.topics, ['vpc']).map((t) => t.title)).toEqual(['VPC']);
    expect(selectTopics(guide.topics, ['security', 'VPC PEERING']).map((t) => t.title)).toEqual(['VPC Peering', 'Security']);
    expect(selectTopics(guide.topics, ['misc', 'security']).map((t) => t.title)).toEqual(['Misc']);
    expect(selectTopics(guide.topics, []).length).toBe(3);
    expect(selectTopics(guide.topics, ['nothing*'])).toEqual([]);
  });
});
