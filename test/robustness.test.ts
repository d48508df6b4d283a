/** Bad input, hostile notes and faults: clear messages, no crash, no hang, nothing lost, nothing run. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Target } from 'puppeteer-core';
import { findBrowser, launchBrowser } from '../src/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../src/build.js';
import { build, createBuilder } from '../src/builder.js';
import { formatMessage } from '../src/report.js';
import { NOTES, cli, descendants, launchTestBrowser, readPdf, tempDir, until } from './helpers.js';

const warningsOf = (r: BuildResult) => r.warnings.map(formatMessage);

async function hashTree(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const entry of (await readdir(dir, { recursive: true })).sort()) {
    hash.update(entry);
    const data = await readFile(path.join(dir, entry)).catch(() => null);
    if (data) hash.update(data);
  }
  return hash.digest('hex');
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchTestBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('bad input', () => {
  let dir: string;
  let notes: string;
  let result: BuildResult;
  let warnings: string[];
  let before: string;

  beforeAll(async () => {
    dir = await tempDir();
    notes = path.join(dir, 'notes');
    await mkdir(path.join(notes, 'sub'), { recursive: true });
    const w = (name: string, data: string | Buffer) => writeFile(path.join(notes, name), data);
    await w('00-good.md', '# Good topic\n\nThis note is fine.\n');
    await w('01-empty.md', '');
    await w('02-blank.md', '   \n\n\t\n');
    await w('03-binary.md', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]));
    await w('04-bad-utf8.md', Buffer.concat([Buffer.from('# Latin one\n\nCaf'), Buffer.from([0xe9]), Buffer.from(' au lait\n')]));
    await w('05-utf16.md', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# Sixteen bits\n\nWide text.\n', 'utf16le')]));
    await w('06-bom.md', `\uFEFF# With a BOM\n\nText.\n`);
    await w('07-crlf.md', '# Windows lines\r\n\r\n- one\r\n- two\r\n');
    await w('08-yaml.md', '---\ntitle: [unclosed\n---\n# Broken front matter\n\nStill here.\n');
    await w('09-deep.md', '# L1\n\n### L3\n\n###### L6\n\n## L2\n\n#### L4\n\n##### L5\n');
    await w('10-dup.md', '# Scenario\n\nOne.\n');
    await w('sub/10-dup.md', '# Scenario\n\nTwo.\n');
    await w('11-cjk.md', '# 日本語のノート\n\n漢字とかな。\n');
    await w('12-arabic.md', '# ملاحظات عربية\n\nنص عربي.\n');
    await w('13-emoji.md', '# 🚀 Launch day 🎉\n\nReady.\n');
    await w('14-images.md', '# Images\n\n![fake](./fake.png)\n\n![up](../../etc/passwd)\n\n![abs](/etc/passwd)\n');
    await w('fake.png', 'this is text, not a PNG');
    await symlink(path.join(dir, 'nowhere.md'), path.join(notes, '15-dangling.md'));
    await symlink('..', path.join(notes, 'sub', 'loop'));
    before = await hashTree(notes);
    result = await build({ notes, out: path.join(dir, 'out'), offline: true, cwd: dir });
    warnings = warningsOf(result);
  });

  it('builds the rest of the guide, with a clear message at file:line:column for each bad note', () => {
    const expected = [
      'notes/01-empty.md:1:1 empty note, skipped',
      'notes/02-blank.md:1:1 empty note, skipped',
      'notes/03-binary.md:1:1 not a text file (binary content); skipped',
      'notes/04-bad-utf8.md:1:1 invalid UTF-8; undecodable bytes shown as �',
      'notes/14-images.md:3:1 not an image file: ./fake.png',
      'notes/14-images.md:5:1 image path leaves the notes folder, refused: ../../etc/passwd',
      'notes/14-images.md:7:1 image path is absolute, refused (keep images inside the notes folder): /etc/passwd',
      'notes/15-dangling.md:1:1 cannot read note (ENOENT); skipped',
    ];
    for (const line of expected) expect(warnings).toContain(line);
    expect(warnings.some((w) => /^notes\/08-yaml\.md:\d+:\d+ invalid front matter, ignored/.test(w))).toBe(true);
    const titles = result.guide.topics.map((t) => t.title);
    for (const t of [
      'Good topic',
      'Latin one',
      'Sixteen bits',
      'With a BOM',
      'Windows lines',
      'Broken front matter',
      'L1',
      '日本語のノート',
      'ملاحظات عربية',
      '🚀 Launch day 🎉',
    ]) {
      expect(titles).toContain(t);
    }
  });

  it('decodes every encoding to the same text and keeps CRLF notes clean', async () => {
    const html = await readFile(path.join(dir, 'out', 'cheatsheet.html'), 'utf8');
    expect(html).toContain('Caf\uFFFD au lait');
    expect(html).toContain('Wide text.');
    expect(html).not.toContain('\uFEFF');
    expect(html).not.toContain('\r');
    const text = (await readPdf(path.join(dir, 'out', 'cheatsheet.pdf'))).pageText.join(' ');
    for (const s of ['This note is fine.', 'Wide text.', 'Still here.']) expect(text).toContain(s);
  });

  it('nests headings six levels deep with skips, and keeps duplicate titles apart', () => {
    const deep = result.guide.topics.find((t) => t.title === 'L1')!;
    expect(deep.children.map((c) => c.title)).toEqual(['L3', 'L2']);
    expect(deep.children[0]!.children[0]!.title).toBe('L6');
    const slugs = result.guide.topics.map((t) => t.slug);
    expect(slugs).toContain('scenario');
    expect(slugs).toContain('scenario-1');
  });

  it('gives CJK, Arabic and emoji titles valid slugs and deck files', () => {
    for (const topic of result.guide.topics) {
      expect(topic.slug).toMatch(/^[\p{L}\p{N}][\p{L}\p{N}\p{M}_-]*$/u);
      expect(existsSync(path.join(dir, 'out', 'slides', `${topic.slug}.html`))).toBe(true);
    }
  });

  it('never copies a file from outside the notes folder, nor a non-image', async () => {
    const assets = await readdir(path.join(dir, 'out', 'assets')).catch(() => [] as string[]);
    expect(assets.filter((a) => /passwd|fake/.test(a))).toEqual([]);
    const html = await readFile(path.join(dir, 'out', 'slides', 'images.html'), 'utf8');
    expect(html).not.toMatch(/<img[^>]+src="[^"]*(passwd|fake)/);
  });

  it('never writes to the notes folder', async () => {
    expect(await hashTree(notes)).toBe(before);
  });

  it('--strict turns the warnings into exit code 4', async () => {
    const r = await cli(['build', '--notes', notes, '--out', path.join(dir, 'strict'), '--offline', '--only', 'pdf', '--strict']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/studyguide: \d+ warnings with --strict/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('long headings', () => {
  /** A question in Chinese as a heading: 82 characters, 246 bytes, 3 times a deck's name limit once slugged. */
  const ZH =
    '为什么在关系型数据库中使用索引可以显著提高查询速度但同时会降低插入更新和删除操作的性能以及如何在实际项目中权衡这些因素来设计合理的索引策略和维护方案呢请详细说明';
  /** A 60-word English heading. */
  const EN = Array.from(
    { length: 60 },
    (_, i) => ['why', 'does', 'an', 'index', 'make', 'reads', 'faster', 'and', 'writes', 'slower'][i % 10],
  ).join(' ');
  let dir: string;
  let out: string;
  let code: number;
  let stderr: string;
  let slugs: { zh: string; en: string; zhSub: string };
  const slides = () => path.join(out, 'slides');
  const deckUrl = (deck: string, slug: string) => `${pathToFileURL(path.join(slides(), `${deck}.html`)).href}#/${slug}`;

  beforeAll(async () => {
    dir = await tempDir();
    const notes = path.join(dir, 'notes');
    await mkdir(notes);
    await writeFile(path.join(notes, '1-zh.md'), `# ${ZH}\n\n索引是一种数据结构。\n\n## ${ZH}：B+树\n\n叶子节点。\n`);
    await writeFile(path.join(notes, '2-en.md'), `# ${EN}\n\nAn index is a data structure.\n\n## ${EN} again\n\nSame prefix.\n`);
    await writeFile(path.join(notes, '3-links.md'), `# Links\n\nSee [[1-zh#${ZH}]] and [[2-en]].\n`);
    out = path.join(dir, 'out');
    ({ code, stderr } = await cli(['build', '--notes', notes, '--out', out, '--offline', '--handout'], { cwd: dir }));
    const topics = (await build({ notes, out: path.join(dir, 'api'), offline: true, only: ['pdf'], browser })).guide.topics;
    slugs = { zh: topics[0]!.slug, en: topics[1]!.slug, zhSub: topics[0]!.children[0]!.slug };
  });

  it('build with exit 0, each deck and handout under a name of at most 64 bytes: cut at a word or character, then a hash', async () => {
    expect({ code, stderr: stderr.replace(/^built .*\n/m, '') }).toEqual({ code: 0, stderr: '' });
    expect(slugs.zh).toMatch(/^为什么在关系型数据库中使用索引可以显-[0-9a-f]{8}$/);
    expect(slugs.en).toMatch(/^why-does-an-index-make-reads-faster-and-writes-slower-[0-9a-f]{8}$/);
    // Sharing the cut prefix, told apart by the hash.
    expect(slugs.zhSub).toMatch(/^为什么在关系型数据库中使用索引可以显-[0-9a-f]{8}$/);
    expect(slugs.zhSub).not.toBe(slugs.zh);
    for (const slug of [slugs.zh, slugs.en]) {
      expect(Buffer.byteLength(slug)).toBeLessThanOrEqual(64);
      expect(existsSync(path.join(slides(), `${slug}.html`))).toBe(true);
      expect(existsSync(path.join(out, 'handouts', `${slug}.pdf`))).toBe(true);
    }
  });

  it('a rebuild gives the same names', async () => {
    const before = (await readdir(slides())).sort();
    const r = await cli(['build', '--notes', path.join(dir, 'notes'), '--out', out, '--offline', '--only', 'slides'], { cwd: dir });
    expect(r.code).toBe(0);
    expect((await readdir(slides())).sort()).toEqual(before);
  });

  it('deep links by the bounded slug land on the slide, in all.html and in the topic deck', async () => {
    for (const [deck, slug] of [
      ['all', slugs.zh],
      ['all', slugs.en],
      ['all', slugs.zhSub],
      [slugs.zh, slugs.zh],
      [slugs.zh, slugs.zhSub],
      [slugs.en, slugs.en],
    ] as const) {
      const page = await browser.newPage();
      await page.goto(deckUrl(deck, slug), { waitUntil: 'load' });
      await page.waitForFunction('window.Reveal && Reveal.isReady()');
      expect({ deck, id: await page.evaluate('Reveal.getCurrentSlide().id') }).toEqual({ deck, id: slug });
      await page.close();
    }
  });

  it('index links, wiki links and cheat sheet anchors all use the bounded slug', async () => {
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    const local = [...index.matchAll(/href="((?:slides|handouts)\/[^"#]+)/g)].map((m) => decodeURI(m[1]!));
    expect(local).toContain(`slides/${slugs.zh}.html`);
    for (const file of local) expect(existsSync(path.join(out, file)), file).toBe(true);
    const sheet = await readFile(path.join(out, 'cheatsheet.html'), 'utf8');
    for (const slug of [slugs.zh, slugs.en, slugs.zhSub]) expect(sheet).toContain(`id="${slug}"`);
    expect(sheet).toContain(`href="#${slugs.zh}"`);
    expect(sheet).toContain(`href="#${slugs.en}"`);
    expect(await readFile(path.join(slides(), 'all.html'), 'utf8')).toContain(`href="#/${slugs.zh}"`);
    expect(await readFile(path.join(slides(), 'links.html'), 'utf8')).toContain(`href="${slugs.zh}.html#/${slugs.zh}"`);
  });
});

describe('hostile notes', () => {
  const HOSTILE = [
    '# Hostile',
    '',
    '<script>document.title = "pwned-script"</script>',
    '',
    'A <b onclick="document.title = \'pwned-click\'">bold</b> word and <kbd>Ctrl</kbd>.',
    '',
    '[click me](javascript:alert(1))',
    '',
    '<iframe src="https://evil.example/"></iframe>',
    '',
    '<object data="movie.swf"></object>',
    '',
    '<svg><script>document.title = "pwned-svg"</script></svg>',
    '',
    '<img src="x.png" onerror="document.body.dataset.pwned = 1">',
    '',
    '<details><summary>More</summary>Hidden answer</details>',
    '',
  ].join('\n');

  it('sanitizes raw HTML in every output, with a warning at each unsafe part', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'notes'));
    await writeFile(path.join(dir, 'notes', 'hostile.md'), HOSTILE);
    const r = await build({ notes: path.join(dir, 'notes'), out: path.join(dir, 'out'), offline: true, cwd: dir });
    const w = warningsOf(r);
    for (const [line, what] of [
      [3, '<script>'],
      [5, 'onclick= handler'],
      [7, 'javascript: URL'],
      [9, '<iframe>'],
      [11, '<object>'],
      [13, '<svg>'],
      [15, 'onerror= handler'],
    ] as const) {
      expect(w.some((m) => m.startsWith(`notes/hostile.md:${line}:`) && m.includes(`unsafe HTML removed: ${what}`))).toBe(true);
    }
    for (const file of ['cheatsheet.html', 'slides/all.html', 'slides/hostile.html', 'index.html']) {
      const html = await readFile(path.join(dir, 'out', file), 'utf8');
      expect(html).not.toMatch(/<script[^>]*>[^<]*pwned|<iframe|<object|<svg|\son(click|error)=|href="javascript:/);
      if (file !== 'index.html') expect(html).toContain('<kbd>Ctrl</kbd>');
    }
  });

  it('with --allow-html keeps raw HTML, yet no script of a note runs while Chromium lays out and prints', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'notes'));
    await writeFile(path.join(dir, 'notes', 'hostile.md'), HOSTILE);
    const r = await build({ notes: path.join(dir, 'notes'), out: path.join(dir, 'out'), offline: true, allowHtml: true, handout: true });
    expect(warningsOf(r).filter((m) => m.includes('unsafe HTML'))).toEqual([]);
    const html = await readFile(path.join(dir, 'out', 'cheatsheet.html'), 'utf8');
    expect(html).toContain('<b onclick=');
    // <details> is read as markdown structure either way: printed open, its answer kept.
    expect(html).toMatch(
      /<div class="sg-details"><div class="sg-summary">More<\/div><div class="sg-details-body">\s*<p>Hidden answer<\/p>/,
    );
    const page = await browser.newPage();
    await page.goto(pathToFileURL(path.join(dir, 'out', 'cheatsheet.html')).href);
    await page.waitForSelector('html[data-studyguide="ready"]');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await page.evaluate(() => ({ title: document.title, pwned: document.body.dataset.pwned ?? null }))).toEqual({
      title: 'Study Guide — cheat sheet',
      pwned: null,
    });
    await page.close();
  });

  it("makes no request but the image fetcher's; the fetcher survives slow, huge, non-image and looping servers", async () => {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(req.url!);
      if (req.url === '/slow.png') setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(), 20_000);
      else if (req.url === '/huge.png')
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(50 * 1024 * 1024) }).end();
      else if (req.url === '/page.png') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not an image</html>');
      else if (req.url === '/loop.png') res.writeHead(302, { location: '/loop.png' }).end();
      else if (req.url === '/ok.png') res.writeHead(200, { 'content-type': 'image/png' }).end(TINY_PNG);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const dir = await tempDir();
      await mkdir(path.join(dir, 'notes'));
      await writeFile(
        path.join(dir, 'notes', 'remote.md'),
        `# Remote\n\n![a](${base}/slow.png)\n\n![b](${base}/huge.png)\n\n![c](${base}/page.png)\n\n![d](${base}/loop.png)\n\n![e](${base}/ok.png)\n`,
      );
      const r = await build({ notes: path.join(dir, 'notes'), out: path.join(dir, 'out'), cwd: dir, only: ['slides'] });
      // The slow server answers after 20 s: "timed out" proves the 3 s limit, not a wait for it; asked once, not again.
      expect(requests.filter((url) => url === '/slow.png')).toHaveLength(1);
      const w = warningsOf(r).join('\n');
      expect(w).toContain(`notes/remote.md:3:1 remote image not available (timed out): ${base}/slow.png`);
      expect(w).toContain(`notes/remote.md:5:1 remote image not available (larger than 10485760 bytes): ${base}/huge.png`);
      expect(w).toContain(`notes/remote.md:7:1 remote image not available (not an image (text/html)): ${base}/page.png`);
      expect(w).toMatch(/notes\/remote\.md:9:1 remote image not available \(.*redirect.*\)/i);
      expect(w).not.toContain('ok.png');
      const deck = await readFile(path.join(dir, 'out', 'slides', 'remote.html'), 'utf8');
      expect(deck).toMatch(/<img src="\.\.\/assets\/[0-9a-f]{10}-[^"]*ok[^"]*\.png"/);

      // --offline: not one request; the cached image is still used.
      requests.length = 0;
      const offline = await build({
        notes: path.join(dir, 'notes'),
        out: path.join(dir, 'out'),
        cwd: dir,
        only: ['slides'],
        offline: true,
      });
      expect(requests).toEqual([]);
      expect(warningsOf(offline).filter((m) => m.includes('--offline'))).toHaveLength(5);
    } finally {
      server.close();
    }
  }, 60_000);
});

// A 1×1 PNG.
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('templates', () => {
  it('a missing partial or a syntax error names the template file and the cause', async () => {
    const dir = await tempDir();
    const notes = path.join(dir, 'notes');
    await mkdir(path.join(notes, '.studyguide', 'templates'), { recursive: true });
    await writeFile(path.join(notes, 'a.md'), '# A\n');
    await writeFile(path.join(notes, '.studyguide', 'templates', 'index.hbs'), '<html>{{> sidebar}}</html>\n');
    await expect(build({ notes, out: path.join(dir, 'out'), offline: true, only: ['pdf'], cwd: dir })).rejects.toThrow(
      /notes\/\.studyguide\/templates\/index\.hbs: template error: The partial sidebar could not be found/,
    );
    await writeFile(path.join(notes, '.studyguide', 'templates', 'index.hbs'), '<html>\n{{#if x}}\n</html>\n');
    const r = await cli(['build', '--notes', notes, '--out', path.join(dir, 'out'), '--offline', '--only', 'pdf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/index\.hbs: template error: Parse error on line \d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('outputs are never lost', () => {
  it('an output folder that cannot be written is a clear error', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'not-a-folder'), 'x');
    const r = await cli(['build', '--notes', NOTES, '--out', path.join(dir, 'not-a-folder'), '--offline', '--only', 'pdf']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^studyguide: cannot write the outputs to .*not-a-folder: (ENOTDIR|EEXIST)/m);
  });

  it("an output that cannot be written is a user error at the note's file:line:column, and the other outputs are written", async () => {
    const dir = await tempDir();
    const notes = path.join(dir, 'notes');
    await mkdir(notes);
    await writeFile(path.join(notes, 'a.md'), '# Alpha\n\nOne.\n');
    await writeFile(path.join(notes, 'b.md'), 'Intro.\n\n# Blocked\n\nTwo.\n');
    // Built once (the folder is the build's), then a folder where the deck goes: the rename over it
    // fails (EISDIR), as a full disk or a refused name would.
    expect((await cli(['build', '--notes', 'notes', '--out', 'out', '--offline'], { cwd: dir })).code).toBe(0);
    await rm(path.join(dir, 'out', 'slides', 'blocked.html'));
    await mkdir(path.join(dir, 'out', 'slides', 'blocked.html'), { recursive: true });
    const r = await cli(['build', '--notes', 'notes', '--out', 'out', '--offline'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'studyguide: cannot write an output (the others are written): notes/b.md:3:1: out/slides/blocked.html: a folder is in the way (EISDIR)\n',
    );
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    for (const file of ['cheatsheet.pdf', 'index.html', 'flashcards.tsv', 'slides/all.html', 'slides/alpha.html'])
      expect(existsSync(path.join(dir, 'out', file)), file).toBe(true);
  });

  it('a target that cannot write its own page (slides/ is a file) fails alone: the cheat sheet and flashcards are written', async () => {
    const dir = await tempDir();
    // Built once (the folder is the build's), then a file where the slides' folder goes.
    expect((await cli(['build', '--notes', NOTES, '--out', 'out', '--offline'], { cwd: dir })).code).toBe(0);
    await rm(path.join(dir, 'out', 'slides'), { recursive: true });
    await writeFile(path.join(dir, 'out', 'slides'), 'in the way');
    const r = await cli(['build', '--notes', NOTES, '--out', 'out', '--offline'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^studyguide: cannot write \d+ outputs \(the others are written\): out\/slides\/\S+: a file is in the way \(ENOTDIR\)/m,
    );
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    for (const file of ['cheatsheet.pdf', 'flashcards.pdf', 'flashcards.tsv'])
      expect(existsSync(path.join(dir, 'out', file)), file).toBe(true);
  });

  it('a partial build (--only pdf, no --handout) keeps the outputs it did not make', async () => {
    const out = await tempDir();
    await build({ notes: NOTES, out, offline: true, handout: true });
    const decks = (await readdir(path.join(out, 'slides'))).filter((f) => f.endsWith('.html'));
    await build({ notes: NOTES, out, offline: true, only: ['pdf'] });
    await build({ notes: NOTES, out, offline: true, only: ['slides'] });
    expect((await readdir(path.join(out, 'slides'))).filter((f) => f.endsWith('.html'))).toEqual(decks);
    expect(existsSync(path.join(out, 'handouts', 'all.pdf'))).toBe(true);
    expect(existsSync(path.join(out, 'flashcards.pdf'))).toBe(true);
  }, 180_000); // three full builds, each launching Chromium: a hang guard, not a speed check
});

describe('browser faults', () => {
  const ownChromium = () =>
    descendants(process.pid)
      .filter((p) => /chrom/i.test(p.name))
      .map((p) => p.pid);

  /** A builder whose browser is killed (SIGKILL) the first `kills` times it is ready. */
  async function killingBuilder(kills: number, start?: () => Promise<Browser>) {
    const keep = new Set([browser.process()!.pid!, ...ownChromium()]); // the tests' own browser lives on
    const startedBrowser = start?.();
    const builder = createBuilder({
      notes: NOTES,
      offline: true,
      out: await tempDir(),
      startedBrowser,
      reporter: {
        stage: (name) => {
          if (name !== 'browser' || kills-- <= 0) return;
          for (const pid of ownChromium()) if (!keep.has(pid)) process.kill(pid, 'SIGKILL');
        },
        warn() {},
        info() {},
      },
    });
    const alive = () => ownChromium().filter((p) => !keep.has(p));
    /** Chromium's helper processes leave right after the browser (on a busy machine, some seconds after). */
    const leftOver = async () => {
      await until(() => alive().length === 0, 'Chromium to exit', 30_000).catch(() => {});
      return alive();
    };
    return { builder, leftOver };
  }

  it('Chromium killed mid-build: one retry with a new browser, and the build succeeds', async () => {
    const { builder, leftOver } = await killingBuilder(1);
    try {
      expect((await builder.build()).pdfPages).toBeGreaterThan(0);
    } finally {
      await builder.close();
    }
    expect(await leftOver()).toEqual([]);
  });

  it('Chromium killed mid-layout (the cheat sheet or the slides on their page): one retry, and the build succeeds', async () => {
    let killed = '';
    let first: Browser | undefined;
    const { builder, leftOver } = await killingBuilder(0, async () => {
      first = await launchBrowser(findBrowser()!);
      first.on('targetchanged', (target: Target) => {
        if (killed || !/\.cheatsheet\.\d+\.html$|\.fit\.\d+\.html$/.test(target.url())) return;
        killed = path.basename(target.url());
        first!.process()!.kill('SIGKILL');
      });
      return first;
    });
    try {
      expect((await builder.build()).pdfPages).toBeGreaterThan(0);
    } finally {
      await builder.close();
    }
    expect(killed).not.toBe('');
    expect(first!.connected).toBe(false);
    expect(await leftOver()).toEqual([]);
  });

  it('Chromium killed twice: a clear error, and no Chromium left running', async () => {
    const { builder, leftOver } = await killingBuilder(2);
    await expect(builder.build()).rejects.toThrow(/the browser failed twice/);
    await builder.close();
    expect(await leftOver()).toEqual([]);
  });
});

describe('copies of notes are only read', () => {
  it('building the bundled notes leaves them byte for byte', async () => {
    const dir = await tempDir();
    const notes = path.join(dir, 'notes');
    await mkdir(notes);
    for (const f of await readdir(NOTES)) await copyFile(path.join(NOTES, f), path.join(notes, f));
    const before = await hashTree(notes);
    await build({ notes, out: path.join(dir, 'out'), offline: true, handout: true });
    expect(await hashTree(notes)).toBe(before);
  });
});
