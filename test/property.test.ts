/** Random markdown (headings of any depth, nested lists, code, tables, raw HTML): the tree keeps its invariants and rendering never throws. */
import fc from 'fast-check';
import { toString } from 'mdast-util-to-string';
import { describe, expect, it } from 'vitest';
import { createHtmlRenderer } from '../src/render/html.js';
import { buildGuide, topicNodes, walkTopics } from '../src/tree.js';
import { noteFrom } from './helpers.js';

const word = fc.stringMatching(/^[A-Za-zÀ-ÿ0-9日本語🚀]{1,8}$/u);
const words = fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
const inline = fc.oneof(
  words,
  words.map((w) => `**${w}**`),
  words.map((w) => `\`${w}\``),
  words.map((w) => `[${w}](https://example.org/${encodeURIComponent(w)})`),
);
const line = fc.array(inline, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' '));

const heading = fc.tuple(fc.integer({ min: 1, max: 6 }), line).map(([d, t]) => `${'#'.repeat(d)} ${t}`);
const paragraph = line;
const list: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.boolean(), line, fc.array(line, { maxLength: 3 })), { minLength: 1, maxLength: 5 })
  .map((items) =>
    items.map(([ordered, text, sub]) => `${ordered ? '1.' : '-'} ${text}${sub.map((s) => `\n  - ${s}`).join('')}`).join('\n'),
  );
const code = fc
  .tuple(fc.constantFrom('', 'yaml', 'json', 'js', 'python'), fc.array(words, { maxLength: 5 }))
  .map(([lang, lines]) => `\`\`\`${lang}\n${lines.join('\n')}\n\`\`\``);
const table = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 4 }))
  .chain(([cols, rows]) =>
    fc
      .array(fc.array(word, { minLength: cols, maxLength: cols }), { minLength: rows + 1, maxLength: rows + 1 })
      .map((cells) =>
        [`| ${cells[0]!.join(' | ')} |`, `|${' --- |'.repeat(cols)}`, ...cells.slice(1).map((r) => `| ${r.join(' | ')} |`)].join('\n'),
      ),
  );
const html = fc.constantFrom(
  '<script>alert(1)</script>',
  '<div onclick="alert(2)">x</div>',
  '<iframe src="https://evil.example"></iframe>',
  '<details><summary>s</summary>d</details>',
  '<kbd>Ctrl</kbd>',
  '<svg><script>alert(3)</script></svg>',
  '<!-- a comment -->',
);
const quote = line.map((l) => `> ${l}`);
const image = word.map((w) => `![${w}](./missing/${w}.png)`);
const block = fc.oneof({ weight: 3, arbitrary: heading }, { weight: 3, arbitrary: paragraph }, list, code, table, html, quote, image);
const markdown = fc.array(block, { minLength: 1, maxLength: 25 }).map((blocks) => `${blocks.join('\n\n')}\n`);

describe('property: random markdown', () => {
  it('every heading is one topic, no text is lost or duplicated, rendering never throws or lets a script through', () => {
    const renderer = createHtmlRenderer();
    fc.assert(
      fc.property(markdown, (md) => {
        const note = noteFrom(md);
        const guide = buildGuide([note], 'P');
        const headings = note.mdast.children.filter((n) => n.type === 'heading').map((h) => toString(h).trim());
        const topics = [...walkTopics(guide.topics)];
        const fromHeadings = topics.filter((t) => t.heading !== null).map((t) => t.title);
        expect(fromHeadings).toEqual(headings);
        const treeText = guide.topics.flatMap((t) => [...topicNodes(t)].map((n) => toString(n))).join('');
        expect(treeText).toBe(note.mdast.children.map((n) => toString(n)).join(''));
        expect(new Set(topics.map((t) => t.slug)).size).toBe(topics.length);
        const rendered = renderer.renderTopics(guide.topics, { images: new Map(), assetPrefix: '' });
        const all = JSON.stringify(rendered);
        expect(all).not.toMatch(/<script|onclick=|<iframe/);
      }),
      { numRuns: 300 },
    );
  });
});
