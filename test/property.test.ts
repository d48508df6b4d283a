/**
 * Random markdown (headings of any depth, nested lists, code, tables, raw HTML): the tree keeps its invariants and
 * rendering never throws. Random notes with hostile headings and image names (long, any script, punctuation only,
 * Windows device names, case variants): every build succeeds and every output name is bounded and portable.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { toString } from 'mdast-util-to-string';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/builder.js';
import { createHtmlRenderer } from '../src/render/html.js';
import { buildGuide, topicNodes, walkTopics } from '../src/tree.js';
import { launchTestBrowser, noteFrom, tempDir } from './helpers.js';

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

/*
 * The rules for every name in the output folder, written here rather than taken from src/names.ts: the test is the
 * oracle. The folder is zipped, synced and opened on Windows and macOS, and every file is written through a temporary
 * `.<name>.<pid>.<8 hex>.tmp` (src/output.ts), which must fit too: with Linux's largest pid (7 digits), 22 bytes more.
 */
const MAX_NAME_BYTES = 100;
const TEMP_BYTES = '..4194304.ffffffff.tmp'.length;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$) *(\..*)?$/iu;

function nameProblems(name: string): string[] {
  const problems: string[] = [];
  if (Buffer.byteLength(name) + TEMP_BYTES > MAX_NAME_BYTES) problems.push(`${Buffer.byteLength(name)} bytes`);
  if (/[<>:"/\\|?*\p{Cc}]/u.test(name)) problems.push('a character Windows refuses');
  if (/[. ]$/.test(name)) problems.push('a trailing dot or space');
  if (WINDOWS_DEVICE.test(name)) problems.push('a Windows device name');
  return problems;
}

/** Names Windows and macOS take for the same file: case, and (macOS) Unicode normalization. */
const sameFileKey = (name: string) => name.normalize('NFC').toUpperCase().toLowerCase();

/** Every name in `dir` that breaks a rule, and every pair of names one folder holds that a file system would merge. */
async function badNames(dir: string): Promise<string[]> {
  const bad: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const folders = new Map<string, Map<string, string>>();
  for (const entry of entries) {
    const rel = path.relative(dir, path.join(entry.parentPath, entry.name));
    const problems = nameProblems(entry.name);
    if (problems.length) bad.push(`${rel}: ${problems.join(', ')}`);
    const seen = folders.get(entry.parentPath) ?? new Map<string, string>();
    folders.set(entry.parentPath, seen);
    const other = seen.get(sameFileKey(entry.name));
    if (other !== undefined) bad.push(`${rel}: the same file as ${other} on Windows and macOS`);
    seen.set(sameFileKey(entry.name), entry.name);
  }
  return bad;
}

const latinWord = fc.stringMatching(/^[A-Za-zÀ-ÿ]{1,10}$/);
const cjk = [...'为什么在关系型数据库中使用索引可以显著提高查询速度但会降低写入性能日本語の漢字とかなカタカナ한국어문장입니다'];
const arabic = fc.stringMatching(/^[ء-ي]{2,8}$/);
const emoji = fc.constantFrom('🚀', '🎉', '👩‍👩‍👧', '🇯🇵', '👍🏽', '❤️', '🧑‍💻');
const long = (unit: fc.Arbitrary<string>, min: number, max: number, sep: string) =>
  fc.array(unit, { minLength: min, maxLength: max }).map((parts) => parts.join(sep));
const longHeading = fc.oneof(
  long(latinWord, 40, 70, ' '),
  long(fc.constantFrom(...cjk), 76, 120, ''),
  long(arabic, 30, 60, ' '),
  long(emoji, 30, 80, ''),
  long(fc.oneof(emoji, latinWord), 30, 80, ' '),
  long(fc.oneof(latinWord, fc.constantFrom(...cjk), arabic, emoji), 40, 90, ' '),
);
/** A long heading shared by several topics, each with its own end (or none): the names must still differ. */
const sharedPrefix = 'Why does adding an index to a relational database table make reads faster while making writes slower '.repeat(3);
const punctuation = fc.stringMatching(/^[!?.…—–\-_:;,'"()[\]{}<>/\\|*&^%$@~+=]{1,30}$/);
const device = fc.constantFrom('CON', 'con', 'nul.txt', 'NUL', 'aux', 'Aux.md', 'PRN', 'com1', 'COM9', 'lpt1', 'LPT¹', 'Con.Foo');
const cased = fc.constantFrom('Foo', 'FOO', 'foo', 'Café', 'Cafe\u0301', 'ΣΟΦΙΑ', 'σοφια');
const title = fc.oneof(
  longHeading,
  fc.constant(sharedPrefix.trim()),
  fc.tuple(fc.constant(sharedPrefix), latinWord).map(([p, w]) => `${p}${w}`),
  punctuation,
  device,
  cased,
  fc.constantFrom('All', 'index', 'Quiz', 'assets', 'reveal', 'topic'),
);

/** Image files with names an output must not copy as they are: a device name, a trailing dot, 200 bytes, `?`, case twins. */
const IMAGE_NAMES = ['CON.png', 'shot.', `${'图'.repeat(70)}.png`, 'a b?c.png', 'Photo.PNG', 'photo.png', 'nul'];
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

const section = fc
  .tuple(fc.integer({ min: 1, max: 3 }), title, fc.option(fc.constantFrom(...IMAGE_NAMES), { nil: undefined }))
  .map(([depth, t, image]) => `${'#'.repeat(depth)} ${t}\n\nAbout it.${image ? `\n\n![pic](${encodeURIComponent(image)})` : ''}\n`);
const notes = fc.array(
  fc.array(section, { minLength: 1, maxLength: 3 }).map((s) => s.join('\n')),
  { minLength: 1, maxLength: 4 },
);

/** Every case at least once, the case variants in different notes: the run that must pass whatever the random ones do. */
const EVERY_CASE = [
  `# Foo\n\nOne.\n\n## ${'为什么在关系型数据库中使用索引可以显著提高查询速度但会降低写入性能'.repeat(3).slice(0, 82)}\n\nCJK.\n`,
  `# FOO\n\nTwo.\n\n## ${sharedPrefix.trim().split(' ').slice(0, 60).join(' ')}\n\nLatin.\n\n![pic](${encodeURIComponent(IMAGE_NAMES[2]!)})\n`,
  `# foo\n\n![pic](shot.)\n\n# ${'مرحبا بالعالم كيف حالك اليوم '.repeat(12)}\n\nArabic.\n\n# ${'🚀🎉👩‍👩‍👧 '.repeat(30)}\n\n# CON\n\n# nul.txt\n\n# aux\n\n# ?!…—\n`,
];

describe('property: output names', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await launchTestBrowser();
    dir = await tempDir();
  });
  afterAll(async () => {
    await browser?.close();
  });

  let run = 0;
  it('every build of notes with long, foreign, punctuation-only, reserved or case-twin headings succeeds, and every output name is bounded and portable', async () => {
    await fc.assert(
      fc.asyncProperty(notes, async (texts) => {
        const root = path.join(dir, `run-${run++}`);
        const notesDir = path.join(root, 'notes');
        await mkdir(notesDir, { recursive: true });
        await Promise.all([
          ...texts.map((text, i) => writeFile(path.join(notesDir, `${i}-note.md`), text)),
          ...IMAGE_NAMES.map((name) => writeFile(path.join(notesDir, name), PNG)),
        ]);
        const out = path.join(root, 'out');
        const result = await build({ notes: notesDir, out, offline: true, handout: true, cwd: root, browser });
        // Every topic deck is there under its topic's slug, as index.html and the deep links name it.
        const slides = await readdir(path.join(out, 'slides'));
        for (const topic of result.guide.topics) expect(slides).toContain(`${topic.slug}.html`);
        expect(await badNames(out)).toEqual([]);
        await rm(root, { recursive: true, force: true });
      }),
      { numRuns: 6, examples: [[EVERY_CASE]], endOnFailure: true },
    );
  }, 600_000);
});
