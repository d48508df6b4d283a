/** Fast unit tests of the pure parts between parsing and the browser: settings, deck assembly, handout geometry, TSV, the emit step. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundSlug, cutToBytes, isPortableName, MAX_NAME_BYTES, portableName, temporaryName } from '../src/names.js';
import { cannotWrite, emit, MANIFEST, pruneStale, sweepTemporaries, type FailedWrite } from '../src/output.js';
import { codePoints, keepFaces } from '../src/render/fonts.js';
import { isAsciiArt } from '../src/render/handlers.js';
import { handoutGeometry } from '../src/render/handout.js';
import type { RenderedTopic } from '../src/render/html.js';
import { createHtmlRenderer } from '../src/render/html.js';
import { mathForAnki } from '../src/render/math.js';
import { allDeck, deckHomes, fitSlides, linkAcrossDecks, topicDeck, type FittedSlides } from '../src/render/slides.js';
import { flashcardsTsv, tsvField } from '../src/render/study.js';
import { checkConfig, defaultTitle, flagOf, parseDuration, resolveSettings, SETTINGS } from '../src/settings.js';
import { BUNDLED_TEMPLATES, retiredOverrides } from '../src/templates.js';
import { NOTES, noteFrom, tempDir } from './helpers.js';

describe('settings', () => {
  it('one name per setting: the config key, and the flag in kebab-case', () => {
    expect(flagOf('fontSize')).toBe('--font-size <pt>');
    expect(flagOf('images')).toBe('--no-images');
    expect(flagOf('landscape')).toBe('--landscape');
    expect(flagOf('handoutLayout')).toBe('--handout-layout <CxR>');
    for (const name of Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]) expect(SETTINGS[name].help.length).toBeGreaterThan(5);
  });

  it('defaults, then the config file, then what is given; paths against their own base', async () => {
    const dir = await tempDir();
    const config = { file: path.join(dir, 'cfg', 'studyguide.config.json'), values: { notes: NOTES, out: 'built', columns: 4, pages: 2 } };
    const s = await resolveSettings({ given: { pages: 3, handoutLayout: '2x3' }, config, cwd: dir });
    expect(s.columns).toBe(4); // config over default
    expect(s.pages).toBe(3); // given over config
    expect(s.paper).toBe('A4'); // default
    expect(s.out).toBe(path.join(dir, 'cfg', 'built')); // against the config file's folder
    expect(s.handoutLayout).toEqual({ cols: 2, rows: 3 });
    expect(s.only).toEqual(['pdf', 'slides', 'cards']);
    expect(s.title).toBe('Study Guide');
    expect(Object.isFrozen(s)).toBe(true);
    const given = await resolveSettings({ given: { notes: NOTES, out: 'o' }, cwd: dir });
    expect(given.out).toBe(path.join(dir, 'o')); // against the working directory
  });

  it('every value is checked, with the range in the message', async () => {
    const cwd = path.dirname(NOTES);
    await expect(resolveSettings({ given: { columns: 13 }, cwd })).rejects.toThrow('--columns must be a whole number from 1 to 12');
    await expect(resolveSettings({ given: { fontSize: 2 }, cwd })).rejects.toThrow('--font-size must be a size in points from 3 to 30');
    await expect(resolveSettings({ given: { handoutLayout: '5x1' }, cwd })).rejects.toThrow('--handout-layout must be "COLUMNSxROWS"');
    await expect(resolveSettings({ given: { theme: 'nosuch' }, cwd })).rejects.toThrow(/unknown theme "nosuch"/);
    // The theme is only checked when decks are built.
    await expect(resolveSettings({ given: { theme: 'nosuch', only: ['pdf'] }, cwd })).resolves.toBeTruthy();
    await expect(resolveSettings({ given: { notes: 'nowhere' }, cwd })).rejects.toThrow('notes folder not found: nowhere');
    await expect(resolveSettings({ given: { out: path.join(NOTES, 'x') }, cwd })).rejects.toThrow(/inside the notes folder/);
    expect(() => checkConfig({ colums: 3 }, 'x.json')).toThrow('x.json: unknown key "colums"');
    expect(() => checkConfig({ paper: 'A3' }, 'x.json')).toThrow('x.json: "paper" must be "A4" or "Letter"');
    expect(() => checkConfig([], 'x.json')).toThrow('expected an object of options');
  });

  it("a user's override of a script that is no longer a template is found (and reported, not read)", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'split.js'), '/* old override */');
    await writeFile(path.join(dir, 'cheatsheet.css'), '/* still a template */');
    expect(retiredOverrides({ dirs: [dir, BUNDLED_TEMPLATES] })).toEqual([path.join(dir, 'split.js')]);
  });

  it('an override of the follow or live-reload script (templates once, page code now) is reported as retired', async () => {
    const dir = await tempDir();
    for (const name of ['follow.js', 'live-reload.js', 'slides.css']) await writeFile(path.join(dir, name), '/* override */');
    expect(retiredOverrides({ dirs: [dir, BUNDLED_TEMPLATES] }).sort()).toEqual([
      path.join(dir, 'follow.js'),
      path.join(dir, 'live-reload.js'),
    ]);
  });

  it('the title defaults to the notes folder name, unless it is just "notes"', () => {
    expect(defaultTitle('/a/aws-exam_prep')).toBe('aws exam prep');
    expect(defaultTitle('/a/Notes')).toBe('Study Guide');
  });
});

/** A rendered topic with the given children (blocks: one paragraph unless `empty`). */
function topic(slug: string, depth: number, children: RenderedTopic[] = [], empty = false): RenderedTopic {
  return {
    slug,
    title: slug,
    titleHtml: slug,
    depth,
    path: [slug],
    source: { file: 'n.md', line: 1, column: 1 },
    blocks: empty ? [] : [{ kind: 'p', html: `<p>about ${slug} and <a href="#/other">other</a></p>` }],
    notes: [],
    children,
  } as RenderedTopic;
}

describe('present --duration', () => {
  it('reads 30m, 1h30m, 90s and minutes alone; nothing else', () => {
    expect(['30m', '1h30m', '90s', '45', '2 h', '10min'].map(parseDuration)).toEqual([1800, 5400, 90, 2700, 7200, 600]);
    expect(['', 'soon', '0m', '-5m', '25h', '1.5h'].map(parseDuration)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('deck assembly', () => {
  const topics = [topic('a', 1, [topic('a1', 2), topic('a2', 2)]), topic('other', 1, [], false)];
  const fitted: FittedSlides = Object.fromEntries(fitSlides('Guide', topics).map((s) => [s.key, [`<section>${s.key}</section>`]]));

  it('all.html: the title slide, then one vertical stack per top-level topic', () => {
    const deck = allDeck('Guide', topics, fitted);
    expect(deck.stacks.map((s) => s.length)).toEqual([1, 3, 1]);
    expect(deck.stacks[1]![0]).toContain('content:a');
  });

  it("a topic deck: its outline, its own content, a stack per section; links to another deck's topics go there", () => {
    const deck = topicDeck('Guide', topics[0]!, fitted);
    expect(deck.name).toBe('a');
    expect(deck.title).toBe('a — Guide');
    expect(deck.stacks.map((s) => s.join(''))).toEqual([
      '<section>outline:a</section>',
      '<section>content:a</section>',
      '<section>content:a1</section>',
      '<section>content:a2</section>',
    ]);
    const homes = deckHomes(topics);
    expect(homes.get('a2')).toBe('a');
    const linked = linkAcrossDecks({ name: 'a', title: 'a', stacks: [['<a href="#/other">x</a> <a href="#/a1">y</a>']] }, homes);
    expect(linked.stacks[0]![0]).toBe('<a href="other.html#/other">x</a> <a href="#/a1">y</a>');
  });
});

describe('ASCII art', () => {
  const code = (value: string, lang: string | null = null) => ({ type: 'code' as const, lang, value });
  it('is a plain code block of three lines or more, mostly neither letters nor digits', () => {
    const figlet = [
      '  _   _      _ _       ',
      ' | | | | ___| | | ___  ',
      ' | |_| |/ _ \\ | |/ _ \\ ',
      ' |  _  |  __/ | | (_) |',
      ' |_| |_|\\___|_|_|\\___/ ',
    ].join('\n');
    expect(isAsciiArt(code(figlet))).toBe(true);
    expect(isAsciiArt(code(figlet, 'text'))).toBe(true);
    expect(isAsciiArt(code('+---+---+\n| a | b |\n+---+---+'))).toBe(true);
    // Program code, a directory listing, or a drawing in a named language are code, wrapped as code.
    expect(isAsciiArt(code(figlet, 'python'))).toBe(false);
    expect(isAsciiArt(code('x = compute(1)\ny = compute(2)\nprint(x + y)'))).toBe(false);
    expect(isAsciiArt(code('src/\n├── index.ts\n└── build.ts'))).toBe(false);
    expect(isAsciiArt(code('-----\n=====\n'))).toBe(false);
  });
});

describe('handout geometry', () => {
  it('one slide alone goes landscape and fills the page width; a grid goes portrait', () => {
    const single = handoutGeometry({ cols: 1, rows: 1, notes: false }, { width: 1280, height: 720 });
    expect(single.page).toEqual({ width: 297, height: 210 });
    expect(single.cell.slideHeight / single.cell.width).toBeCloseTo(720 / 1280, 2);
    const grid = handoutGeometry({ cols: 2, rows: 3, notes: false }, { width: 1280, height: 720 });
    expect(grid.page).toEqual({ width: 210, height: 297 });
    expect(grid.cell.width * 2 + 6).toBeLessThanOrEqual(190);
    const notes = handoutGeometry({ cols: 1, rows: 2, notes: true }, { width: 1280, height: 720 });
    expect(notes.cell.slideHeight).toBeLessThanOrEqual(notes.cell.height * 0.55 + 0.01);
  });
});

describe('flashcards.tsv', () => {
  it("Anki's header, then the note's fields, tags, id, type and deck; tabs escaped, line breaks kept only in code", () => {
    expect(tsvField('a\tb\nc\r\nd ')).toBe('a&#9;b c d');
    expect(tsvField('<ul>\n<li>x</li>\n</ul>\n<pre><code>one\ntwo\n</code></pre>')).toBe(
      '<ul> <li>x</li> </ul> <pre><code>one<br>two<br></code></pre>',
    );
    const row = { tags: ['aws', 'aws/s3'], deck: 'Notes::S3' };
    const tsv = flashcardsTsv([
      { ...row, ankiFields: ['Q\t1', 'A\n2'], guid: 'Ab12-_', notetype: 'Basic' },
      { ...row, ankiFields: ['{{c1::S3}} stores {{c2::objects}}', ''], guid: 'Cz', notetype: 'Cloze' },
      // The second card of that cloze note: Anki makes it from the row above.
      { ...row, ankiFields: null, guid: 'Cz', notetype: 'Cloze' },
      // Read by Anki as a comment line, and as a quoted field, unless quoted.
      { ...row, ankiFields: ['#include &lt;x&gt;', '"Quoted" <b class="x">y</b>'], guid: 'Q', notetype: 'Basic' },
    ] as never);
    expect(tsv).toBe(
      '#separator:tab\n#html:true\n#tags column:3\n#guid column:4\n#notetype column:5\n#deck column:6\n' +
        'Q&#9;1\tA 2\taws aws/s3\tAb12-_\tBasic\tNotes::S3\n' +
        '{{c1::S3}} stores {{c2::objects}}\t\taws aws/s3\tCz\tCloze\tNotes::S3\n' +
        '"#include &lt;x&gt;"\t"""Quoted"" <b class=""x"">y</b>"\taws aws/s3\tQ\tBasic\tNotes::S3\n',
    );
  });
});

describe('math for Anki', () => {
  it('gives Anki the TeX in its own delimiters, inline and display, and leaves the rest', async () => {
    const renderer = createHtmlRenderer();
    const note = noteFrom('Energy $E = mc^2$ and $a<b$, then\n\n$$\n\\sum_i x_i\n$$\n\nend <span>kept</span>\n');
    const html = renderer
      .renderBlocks(note.mdast.children, { images: new Map(), assetPrefix: '' }, note.absPath)
      .map((b) => b.html)
      .join('\n');
    expect(html).toContain('class="katex');
    expect(mathForAnki(html)).toBe('<p>Energy \\(E = mc^2\\) and \\(a&lt;b\\), then</p>\n\\[\\sum_i x_i\\]\n<p>end <span>kept</span></p>');
  });
});

describe('fonts', () => {
  it('keeps only the faces whose unicode range holds a character the outputs show', () => {
    const face = (name: string, range: string) =>
      `/* ${name} */\n@font-face {\n  src: url(./files/${name}.woff2);\n  unicode-range: ${range};\n}\n`;
    const css = face('latin', 'U+0000-00FF,U+0131') + face('cyrillic', 'U+0400-045F') + face('cjk', 'U+4E00-4E0F') + face('wild', 'U+26??');
    const kept = (text: string) => [...keepFaces(css, codePoints([text])).matchAll(/files\/(\w+)\.woff2/g)].map((m) => m[1]);
    expect(kept('plain text')).toEqual(['latin']);
    expect(kept('Привет 一')).toEqual(['latin', 'cyrillic', 'cjk']);
    expect(kept('⚡')).toEqual(['wild']);
    expect(keepFaces('@font-face { src: url(./files/all.woff2); }', codePoints(['x']))).toContain('all.woff2');
  });
});

describe('emit', () => {
  it('writes atomically, leaves unchanged bytes alone, and prunes only what a target that ran no longer makes', async () => {
    const out = await tempDir();
    await mkdir(path.join(out, 'slides'), { recursive: true });
    expect(
      await emit(out, [
        { path: 'slides/a.html', data: 'A' },
        { path: 'slides/b.html', data: 'B' },
        { path: 'cheatsheet.pdf', data: 'P' },
      ]),
    ).toHaveLength(3);
    await pruneStale(
      out,
      new Map([
        ['slides/a.html', 'decks'],
        ['slides/b.html', 'decks'],
        ['cheatsheet.pdf', 'cheatsheet'],
      ]),
      new Set(['decks', 'cheatsheet']),
    );
    // Same bytes: nothing written.
    expect(await emit(out, [{ path: 'slides/a.html', data: 'A' }])).toEqual([]);
    // The decks ran and no longer make b.html; the cheat sheet did not run: its PDF stays.
    const stale = await pruneStale(out, new Map([['slides/a.html', 'decks']]), new Set(['decks']));
    expect(stale).toEqual(['slides/b.html']);
    expect(existsSync(path.join(out, 'slides', 'b.html'))).toBe(false);
    expect(existsSync(path.join(out, 'cheatsheet.pdf'))).toBe(true);
    expect(JSON.parse(await readFile(path.join(out, MANIFEST), 'utf8'))).toEqual({
      'cheatsheet.pdf': 'cheatsheet',
      'slides/a.html': 'decks',
    });
  });

  it('copies a package file once per session, and again when it is gone from the outputs', async () => {
    const out = await tempDir();
    const source = path.join(await tempDir(), 'font.woff2');
    await writeFile(source, 'glyphs');
    const copied = new Map<string, string>();
    const font = [{ path: 'fonts/font.woff2', copyFrom: source }];
    expect(await emit(out, font, copied)).toEqual(['fonts/font.woff2']);
    expect(await emit(out, font, copied)).toEqual([]);
    await rm(path.join(out, 'fonts', 'font.woff2'));
    expect(await emit(out, font, copied)).toEqual(['fonts/font.woff2']);
    expect(await readFile(path.join(out, 'fonts', 'font.woff2'), 'utf8')).toBe('glyphs');
  });

  it('reads the manifest of older builds (a list of files)', async () => {
    const out = await tempDir();
    await writeFile(path.join(out, 'flashcards.pdf'), 'x');
    await writeFile(path.join(out, MANIFEST), JSON.stringify(['flashcards.pdf']));
    expect(await pruneStale(out, new Map(), new Set(['flashcards']))).toEqual(['flashcards.pdf']);
  });
});

describe('names', () => {
  it('a short slug is left alone; a long one is cut at a word, or at a character that stays whole, then hashed', () => {
    expect(boundSlug('vpc-peering')).toBe('vpc-peering');
    expect(boundSlug('a'.repeat(64))).toBe('a'.repeat(64));
    const words = 'why-does-an-index-make-reads-faster-and-writes-slower-in-a-relational-database';
    expect(boundSlug(words)).toBe(`why-does-an-index-make-reads-faster-and-writes-slower-${boundSlug(words).slice(-8)}`);
    expect(boundSlug(words)).not.toBe(boundSlug(`${words}-table`));
    expect(boundSlug(words)).toBe(boundSlug(words));
    // A family emoji (7 code points, 25 bytes) and a letter with its mark are never split.
    const family = '👨\u200d👩\u200d👧\u200d👦';
    expect(cutToBytes(family.repeat(3), 74)).toBe(family.repeat(2));
    expect(cutToBytes('e\u0301'.repeat(10), 5)).toBe('e\u0301');
    // One character longer than the budget: cut between its code points.
    expect(cutToBytes(`a${'\u0301'.repeat(50)}`, 5)).toBe('a\u0301\u0301');
    for (const slug of [words, '索'.repeat(100), family.repeat(20), `a${'\u0301'.repeat(200)}`])
      expect(Buffer.byteLength(boundSlug(slug))).toBeLessThanOrEqual(64);
  });

  it('portable: no character Windows refuses, no trailing dot or space, no device name', () => {
    for (const bad of ['con', 'CON.html', 'nul.txt', 'com1.pdf', 'LPT¹', 'a:b', 'a?', 'tab\tname', 'x.', 'x ', ''])
      expect(isPortableName(bad), bad).toBe(false);
    for (const good of ['con-1.html', 'console', 'nultxt', 'café.png', '为什么.html']) expect(isPortableName(good), good).toBe(true);
    expect(['CON.png', 'shot.', 'a<b>|c', 'nul', 'x. . '].map(portableName)).toEqual(['_CON.png', 'shot', 'a_b__c', '_nul', 'x']);
  });

  it("an atomic write's temporary is within the limit whatever the pid, and a killed build's is still swept", async () => {
    const name = `${'索'.repeat(40)}.html`;
    const temp = temporaryName(name, 4294967295, 'ffffffff');
    expect(Buffer.byteLength(temp)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(temp).toMatch(/^\.索+\.4294967295\.ffffffff\.tmp$/);
    expect(temporaryName('a.html', 42, '0123abcd')).toBe('.a.html.42.0123abcd.tmp');
    const out = await tempDir();
    await writeFile(path.join(out, temp), 'x');
    await sweepTemporaries(out, () => false);
    expect(existsSync(path.join(out, temp))).toBe(false);
  });

  it('outputs that cannot be written: each path with its note, why, and the count past five', () => {
    const error = (code: string) => Object.assign(new Error(`${code}: boom`), { code, syscall: 'rename' });
    const one: FailedWrite[] = [{ path: 'slides/x.html', source: 'notes/a.md:3:1', error: error('ENAMETOOLONG') }];
    const show = (file: string) => `out/${file}`;
    expect(cannotWrite(one, show).message).toBe(
      'cannot write an output (the others are written): notes/a.md:3:1: out/slides/x.html: name too long (ENAMETOOLONG)',
    );
    expect(cannotWrite(one, show).exitCode).toBe(3);
    const many = Array.from({ length: 7 }, (_, i) => ({ path: `assets/${i}.png`, error: error('ENOSPC') }));
    expect(cannotWrite(many, show).message).toMatch(
      /^cannot write 7 outputs \(the others are written\): out\/assets\/0\.png: no space left on the device \(ENOSPC\);.*; and 2 more$/,
    );
  });
});
