/**
 * Images as people write them: raw-HTML `<img>`, Obsidian's lookup (next to the
 * note, from the vault root, by name anywhere), and numbered lists whose
 * markers must never be clipped. Real builds through the CLI, the PDF read back.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byNearness, imageKey, nearCandidates, resolveImages, type ImageMap } from '../src/images.js';
import { createHtmlRenderer } from '../src/render/html.js';
import { buildGuide } from '../src/tree.js';
import { ROOT, cli, launchTestBrowser, noteFrom, openDeck, png, readPdf, tempDir, type PdfText } from './helpers.js';

async function put(root: string, file: string, data: string | Buffer): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), data);
}

describe("Obsidian's lookup order", () => {
  it('tries next to the note, then from the vault root (only while inside it)', () => {
    expect(nearCandidates('attachments/x.png', '/v/course/week 1', '/v')).toEqual([
      '/v/course/week 1/attachments/x.png',
      '/v/attachments/x.png',
    ]);
    expect(nearCandidates('x.png', '/v', '/v')).toEqual(['/v/x.png']);
    expect(nearCandidates('../x.png', '/v/a', '/v')).toEqual(['/v/x.png']);
    expect(nearCandidates('../../x.png', '/v/a/b', '/v')).toEqual(['/v/x.png']); // from the root it would leave: not tried
  });

  it('then by name: nearest folder first, ties in natural path order', () => {
    const files = ['/v/z.png', '/v/other/far/z.png', '/v/a/s10/z.png', '/v/a/s9/z.png', '/v/a/z.png', '/v/b/z.png'];
    expect(byNearness(files, '/v/a', '/v')).toEqual([
      '/v/a/z.png', // the note's folder
      '/v/a/s9/z.png', // one folder away, 9 before 10
      '/v/a/s10/z.png',
      '/v/z.png',
      '/v/b/z.png', // two away
      '/v/other/far/z.png', // three away
    ]);
    expect(byNearness([...files].reverse(), '/v/a', '/v')).toEqual(byNearness(files, '/v/a', '/v'));
  });

  describe('on real files', () => {
    let root: string;
    let images: ImageMap;
    let messages: string[];
    const note = () => path.join(root, 'course', 'n.md');
    const found = (url: string) => {
      const image = images.get(imageKey(note(), url));
      return image?.kind === 'file' ? path.relative(root, image.source) : image;
    };

    beforeAll(async () => {
      const base = await tempDir();
      root = path.join(base, 'notes');
      const image = png(2, 2, { rgb: [0, 0, 0] });
      for (const file of [
        'course/x.png',
        'x.png',
        'attachments/x.png',
        'media/y.png',
        'course/deep/y.png',
        'a/z.png',
        'course/sub/z.png',
        'course/s10/t.png',
        'course/s9/t.png',
        '.obsidian/w.png',
        'attachments/inside.png',
      ]) {
        await put(root, file, image);
      }
      await put(base, 'inside.png', image);
      const markdown = ['x.png', 'media/y.png', 'z.png', 'elsewhere/t.png', 'w.png', '../../inside.png', '/etc/hosts']
        .map((u) => `![](${u})`)
        .join('\n\n');
      const guide = buildGuide([noteFrom(`# N\n\n${markdown}\n`, note())], 'T');
      images = await resolveImages(guide, { notesDir: root, cacheDir: path.join(base, 'cache'), offline: true });
      messages = guide.notes[0]!.file.messages.map((m) => `${m.line}: ${m.reason}`);
    });

    it('finds each image where Obsidian would, the same way every time', () => {
      expect(found('x.png')).toBe(path.join('course', 'x.png')); // next to the note, before the root's
      expect(found('media/y.png')).toBe(path.join('media', 'y.png')); // from the root, before a nearer one by name
      expect(found('z.png')).toBe(path.join('course', 'sub', 'z.png')); // by name: nearest
      expect(found('elsewhere/t.png')).toBe(path.join('course', 's9', 't.png')); // unknown folder: by name, natural order
    });

    it('never looks in dot folders, and refuses paths that leave the notes folder before looking', () => {
      expect(found('w.png')).toMatchObject({ kind: 'missing' });
      expect(found('../../inside.png')).toMatchObject({ kind: 'missing' });
      expect(found('/etc/hosts')).toMatchObject({ kind: 'missing' });
      expect(messages).toEqual([
        '11: image not found: w.png',
        '13: image path leaves the notes folder, refused: ../../inside.png',
        '15: image path is absolute, refused (keep images inside the notes folder): /etc/hosts',
      ]);
    });
  });
});

describe('rendering images', () => {
  const noteAbsPath = path.resolve('notes/test.md');
  const images: ImageMap = new Map([
    [imageKey(noteAbsPath, 'a.png'), { kind: 'file', href: 'assets/1-a.png', source: '/x/a.png' }],
    [imageKey(noteAbsPath, 'gone.png'), { kind: 'missing', label: 'gone.png', remote: false }],
  ]);
  const render = (markdown: string, allowHtml = false) =>
    createHtmlRenderer({ allowHtml })
      .renderBlocks(noteFrom(markdown).mdast.children, { images, assetPrefix: '../' }, noteAbsPath)
      .map((b) => b.html)
      .join('\n');

  it('points markdown and raw-HTML images at the copy, keeping their size, each resolved once', () => {
    const image = { type: 'image' as const, url: 'a.png', alt: 'A', data: { hProperties: { width: 300, height: 200 } } };
    const html = createHtmlRenderer().renderBlocks(
      [{ type: 'paragraph', children: [image] }],
      { images, assetPrefix: '../' },
      noteAbsPath,
    )[0]!.html;
    expect(html).toBe('<p><img src="../assets/1-a.png" alt="A" width="300" height="200" loading="eager" decoding="sync"></p>');
    for (const allowHtml of [false, true]) {
      const raw = render('![md](a.png) <img src="a.png" width="120">\n\n<p align="center"><img src="a.png" height="40"></p>\n', allowHtml);
      expect(raw).toContain('<img src="../assets/1-a.png" alt="md" loading="eager" decoding="sync">');
      expect(raw).toContain('<img src="../assets/1-a.png" width="120" loading="eager" decoding="sync">');
      expect(raw).toContain('<p align="center"><img src="../assets/1-a.png" height="40" loading="eager" decoding="sync"></p>');
      expect(raw).not.toContain('data-sg');
    }
  });

  it('makes a missing raw-HTML image the same placeholder as a missing markdown image', () => {
    const placeholder = '<span class="img-missing" role="img" aria-label="image not available: gone.png" title="gone.png">gone.png</span>';
    expect(render('![](gone.png)\n')).toBe(`<p>${placeholder}</p>`);
    expect(render('<img src="gone.png" width="500" onerror="alert(1)">\n')).toBe(placeholder);
  });
});

describe('a build with raw-HTML images, an Obsidian vault and long numbered lists', () => {
  let dir: string;
  let out: string;
  let stderr: string;
  let code: number;
  let sheet: string;
  let pdf: PdfText;
  let browser: Browser;
  const diagram = png(64, 32, { rgb: [30, 90, 200] });
  const pasted = png(40, 20, { rgb: [200, 40, 40] });

  const raw = [
    '# Raw HTML images', // 1
    '',
    '<p align="center"><img src="../images/diagram.png" width="500" alt="Diagram"></p>', // 3
    '',
    'Inline: <a href="https://example.com/docs"><img src="../images/diagram.png" height="40" alt="small"></a> and ![md](../images/diagram.png).', // 5
    '',
    '- a list item with raw HTML:', // 7
    '',
    '  <div>', // 9
    '  <img src="../images/gone.png" width="200">', // 10
    '  </div>',
    '',
    '> <div>', // 13
    '> <img src="missing-in-quote.png">', // 14
    '> </div>',
    '',
    'Hostile: <img src=x onerror=alert(1)> <img src="javascript:alert(1)"> <img src="../images/diagram.png" onerror="alert(2)">', // 17
  ];
  const hostileLine = raw[16]!;
  const obsidian = [
    '# Obsidian vault', // 1
    '',
    '![[Pasted image 1.png|300]]', // 3
    '',
    '![chart](figures/Pasted%20image%201.png)', // 5
    '',
    '![up](../../../../outside.png)', // 7
    '',
    '![secret](secret.png)', // 9
    '',
    '![root](images/diagram.png)', // 11
  ];
  const short = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
  const LONG = 45;
  const lists = [
    '# Numbered lists',
    '',
    ...short.map((word, i) => `${i + 1}. ${word}`),
    '',
    'A long one, split between columns:',
    '',
    ...Array.from(
      { length: LONG },
      (_, i) => `${i + 1}. step ${i + 1}: words enough to wrap over two lines in a column of the cheat sheet, every time`,
    ),
  ].join('\n');

  beforeAll(async () => {
    dir = await tempDir();
    out = path.join(dir, 'out');
    const notes = path.join(dir, 'notes');
    await put(notes, '01-lists.md', `${lists}\n`);
    await put(notes, 'images/diagram.png', diagram);
    await put(notes, 'topics/02-raw.md', `${raw.join('\n')}\n`);
    await put(notes, 'vault/course/week 1/03-obsidian.md', `${obsidian.join('\n')}\n`);
    await put(notes, 'vault/attachments/Pasted image 1.png', pasted);
    await put(notes, 'topics/Pasted image 1.png', png(8, 8, { rgb: [0, 0, 0] })); // same name, farther from the note
    await put(notes, 'vault/attachments/outside.png', pasted); // by name it would be found: the path is refused first
    await put(notes, '.obsidian/secret.png', pasted);
    await put(dir, 'outside.png', pasted);
    ({ code, stderr } = await cli(['build', '--notes', 'notes', '--out', 'out', '--offline'], { cwd: dir }));
    sheet = await readFile(path.join(out, 'cheatsheet.html'), 'utf8');
    pdf = await readPdf(path.join(out, 'cheatsheet.pdf'));
    browser = await launchTestBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const asset = async (bytes: Buffer) => {
    for (const name of await readdir(path.join(out, 'assets'))) {
      if ((await readFile(path.join(out, 'assets', name))).equals(bytes)) return `assets/${name}`;
    }
    return null;
  };

  it('builds, warning once per missing raw-HTML image at file:line:column', () => {
    expect(code).toBe(0);
    const warnings = stderr.split('\n').filter((l) => l.startsWith('warning '));
    const at = (line: number, text: string) => `${line}:${raw[line - 1]!.indexOf(text) + 1}`;
    for (const expected of [
      `notes/topics/02-raw.md:10:3 image not found: ../images/gone.png`,
      `notes/topics/02-raw.md:14:3 image not found: missing-in-quote.png`,
      `notes/topics/02-raw.md:${at(17, '<img src=x')} image not found: x`,
      `notes/topics/02-raw.md:${at(17, '<img src="javascript')} image refused (only local files and http(s) are used): javascript:alert(1)`,
    ]) {
      expect(warnings.filter((w) => w === `warning ${expected}`)).toHaveLength(1);
    }
    expect(warnings.filter((w) => /02-raw\.md:[35]:/.test(w))).toEqual([]); // the images that exist
  });

  it('copies raw-HTML images and points the sheet and the decks at the copy, width and height kept', async () => {
    const href = await asset(diagram);
    expect(href).toMatch(/^assets\/[0-9a-f]{10}-diagram\.png$/);
    expect(sheet).toContain(`<p align="center"><img src="${href}" width="500" alt="Diagram" loading="eager" decoding="sync"></p>`);
    expect(sheet).toContain(
      `<a href="https://example.com/docs"><img src="${href}" height="40" alt="small" loading="eager" decoding="sync"></a>`,
    );
    // The markdown image next to them is resolved once (a second pass would make it a placeholder).
    expect(sheet).toContain(`<img src="${href}" alt="md" loading="eager" decoding="sync">`);
    const deck = await readFile(path.join(out, 'slides', 'raw-html-images.html'), 'utf8');
    expect(deck).toContain(`<img src="../${href}" width="500" alt="Diagram" loading="eager" decoding="sync">`);
    for (const html of [sheet, deck]) expect(html).not.toMatch(/data-sg|src="\.\.\/images\//);
  });

  it('shows every image of the deck in Chromium, with no failed request', async () => {
    for (const name of ['raw-html-images', 'obsidian-vault']) {
      const { page, errors, failed } = await openDeck(browser, pathToFileURL(path.join(out, 'slides', `${name}.html`)).href);
      const shown = (await page.evaluate(
        `[...document.querySelectorAll('.slides img')].map((i) => i.complete && i.naturalWidth > 0)`,
      )) as boolean[];
      expect({ name, errors, failed }).toEqual({ name, errors: [], failed: [] });
      expect(shown.length).toBeGreaterThanOrEqual(name === 'raw-html-images' ? 4 : 3);
      expect(shown.every(Boolean)).toBe(true);
      await page.close();
    }
  });

  it('keeps hostile raw HTML sanitized: handlers gone, javascript: never a URL', async () => {
    expect(hostileLine).toContain('onerror');
    const deck = await readFile(path.join(out, 'slides', 'raw-html-images.html'), 'utf8');
    for (const html of [sheet, deck]) {
      expect(html).not.toMatch(/onerror|alert\(2\)/i);
      expect(html).not.toMatch(/(src|href)="\s*javascript:/i);
    }
    expect(sheet).toContain('aria-label="image not available: x"');
    expect(sheet).toContain(`<img src="${await asset(diagram)}" loading="eager" decoding="sync">`); // found, its handler dropped
  });

  it("finds a vault's images as Obsidian does, and still refuses a path that leaves the notes folder", async () => {
    const href = await asset(pasted);
    expect(href).toMatch(/-Pasted_image_1\.png$/);
    expect(sheet).toContain(`<img src="${href}" alt="Pasted image 1.png" width="300" loading="eager" decoding="sync">`); // by name, from week 1/
    expect(sheet).toContain(`<img src="${href}" alt="chart" loading="eager" decoding="sync">`); // unknown folder: by name
    expect(sheet).toContain(`<img src="${await asset(diagram)}" alt="root" loading="eager" decoding="sync">`); // from the vault root
    expect(await asset(png(8, 8, { rgb: [0, 0, 0] }))).toBeNull(); // the farther file of the same name was not chosen
    const note = 'notes/vault/course/week 1/03-obsidian.md';
    expect(stderr).toContain(`warning ${note}:7:1 image path leaves the notes folder, refused: ../../../../outside.png`);
    expect(stderr).toContain(`warning ${note}:9:1 image not found: secret.png`); // .obsidian is not looked in
    expect(stderr).not.toMatch(/03-obsidian\.md:(3|5|11):/);
  });

  describe('numbered lists in the cheat sheet', () => {
    // A4 portrait, 7 mm margins, 3 columns 3.5 mm apart (templates/cheatsheet.css).
    const pt = (mm: number) => (mm * 72) / 25.4;
    const lefts = [0, 1, 2].map((k) => pt(7 + k * (63 + 3.5)));

    /** The numbers of the list markers as the PDF holds them, and those that start left of their column. */
    function markers(text: PdfText) {
      const found = text.items.filter((i) => /^\d+\.$/.test(i.str.trim()));
      const column = (x: number) => lefts.filter((left) => x >= left - pt(4)).length - 1;
      return {
        numbers: found.map((i) => Number(i.str.trim().slice(0, -1))).sort((a, b) => a - b),
        outside: found.filter((i) => i.x < lefts[column(i.x)]! - 0.01).map((i) => `${i.str} at ${i.x.toFixed(2)}`),
        continued: found.filter((i) => column(i.x) > 0).map((i) => Number(i.str.trim().slice(0, -1))),
      };
    }
    const expected = [...short.map((_, i) => i + 1), ...Array.from({ length: LONG }, (_, i) => i + 1)].sort((a, b) => a - b);

    it('prints every marker whole, inside its column, also in a part that continues at 10 or later', () => {
      const found = markers(pdf);
      expect(found.numbers).toEqual(expected); // a clipped "10." reads "0.", or is lost
      expect(found.outside).toEqual([]);
      expect(pdf.items.some((i) => i.str === '10.') && pdf.items.some((i) => i.str === '11.')).toBe(true);
      // The long list did continue in another column, numbered from 10 or later.
      expect(found.continued.length).toBeGreaterThan(0);
      expect(Math.min(...found.continued)).toBeGreaterThanOrEqual(10);
    });

    it('(control) with the old 3.2 mm padding the same check sees clipped markers', async () => {
      const notes = path.join(dir, 'control');
      await put(notes, '01-lists.md', `${lists}\n`);
      const css = await readFile(path.join(ROOT, 'templates', 'cheatsheet.css'), 'utf8');
      const old = css.replace('padding-left: var(--ol-indent)', 'padding-left: 3.2mm');
      expect(old).not.toBe(css);
      await put(notes, '.studyguide/templates/cheatsheet.css', old);
      const result = await cli(['build', '--notes', 'control', '--out', 'control-out', '--offline', '--only', 'pdf'], { cwd: dir });
      expect(result.code).toBe(0);
      const found = markers(await readPdf(path.join(dir, 'control-out', 'cheatsheet.pdf')));
      // Chromium drops the glyphs of a marker wholly outside the column ("10." reads "0.") and clips the rest.
      expect({ numbers: found.numbers, outside: found.outside.length > 0 }).not.toEqual({ numbers: expected, outside: false });
    });
  });

  it('copies nothing it was not asked for', async () => {
    const copied = await readdir(path.join(out, 'assets'));
    expect(copied).toHaveLength(2);
    expect(existsSync(path.join(out, 'assets', path.basename((await asset(diagram))!)))).toBe(true);
  });
});
