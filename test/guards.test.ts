/**
 * The tool touches only its own files and serves only its own outputs: a hostile manifest, symlinks
 * out of the output folder, guard bypasses, config input that throws, loops or never settles,
 * scripted SVGs, damaged images, embed cycles, a folder that is not the build's. Real builds (the
 * CLI as a user runs it), a real server on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST } from '../src/output.js';
import { serve } from '../src/serve.js';
import { BUNDLED_TEMPLATES } from '../src/templates.js';
import { CLI, cli, png, tempDir } from './helpers.js';

/** A folder of notes: one note with `body`. */
async function notesWith(dir: string, files: Record<string, string | Buffer> = { 'a.md': '# A\n\nA fact.\n' }): Promise<string> {
  const notes = path.join(dir, 'notes');
  await mkdir(notes, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(notes, name), content);
  return notes;
}

/** Every file under `dir` with the hash of its bytes: "unchanged" means this is equal before and after. */
async function checksums(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  }
  return out;
}

const build = (args: string[], cwd: string) => cli(['build', '--offline', ...args], { cwd });

describe('pruning deletes only what the build wrote', () => {
  it('a manifest entry "../victim.txt" is ignored with a warning: the victim survives', async () => {
    const dir = await tempDir();
    const notes = await notesWith(dir);
    await mkdir(path.join(dir, 'm', 'out'), { recursive: true });
    await writeFile(path.join(dir, 'm', 'victim.txt'), 'x');
    await writeFile(path.join(dir, 'm', 'out', MANIFEST), JSON.stringify({ '../victim.txt': 'decks', '/etc/hostname': 'cheatsheet' }));
    const r = await build(['--notes', notes, '--out', 'm/out', '--only', 'pdf,slides'], dir);
    expect(r.code).toBe(0);
    expect(await readFile(path.join(dir, 'm', 'victim.txt'), 'utf8')).toBe('x');
    expect(r.stderr).toContain(`${MANIFEST}: "../victim.txt" is not a path inside the output folder; ignored (never removed)`);
    // The next manifest records only the build's own outputs.
    expect(Object.keys(JSON.parse(await readFile(path.join(dir, 'm', 'out', MANIFEST), 'utf8')))).not.toContain('../victim.txt');
  }, 120_000);

  it('a manifest entry that is a symlink, or under a symlinked folder, is not followed; an unparsable manifest counts as empty', async () => {
    const dir = await tempDir();
    const notes = await notesWith(dir);
    const out = path.join(dir, 'out');
    expect((await build(['--notes', notes, '--out', out, '--only', 'pdf'], dir)).code).toBe(0);
    const outside = path.join(dir, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'keep.txt'), 'keep');
    await symlink(path.join(outside, 'keep.txt'), path.join(out, 'link.txt'));
    await symlink(outside, path.join(out, 'elsewhere'));
    const manifest = JSON.parse(await readFile(path.join(out, MANIFEST), 'utf8')) as Record<string, string>;
    await writeFile(
      path.join(out, MANIFEST),
      JSON.stringify({ ...manifest, 'link.txt': 'cheatsheet', 'elsewhere/keep.txt': 'cheatsheet' }),
    );
    expect((await build(['--notes', notes, '--out', out, '--only', 'pdf'], dir)).code).toBe(0);
    expect(await readFile(path.join(outside, 'keep.txt'), 'utf8')).toBe('keep');
    await writeFile(path.join(out, MANIFEST), '{ not json');
    // Nothing is pruned by it; the outputs it would have listed are no longer known as the build's.
    const again = await build(['--notes', notes, '--out', out, '--only', 'pdf'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not written by studyguide .*pass --force/);
    expect(await readFile(path.join(outside, 'keep.txt'), 'utf8')).toBe('keep');
  }, 120_000);
});

describe("the output folder is the build's, and only then", () => {
  it("a folder of someone else's files (an index.html) is refused, exit 2, untouched; --force builds there and leaves the others alone", async () => {
    const dir = await tempDir();
    const notes = await notesWith(dir);
    const out = path.join(dir, 'site');
    await mkdir(out);
    await writeFile(path.join(out, 'index.html'), '<p>my site</p>');
    await writeFile(path.join(out, 'about.html'), '<p>about</p>');
    const before = await checksums(out);
    const r = await build(['--notes', notes, '--out', out, '--only', 'pdf'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'studyguide: output folder site/ holds files studyguide did not write (about.html, index.html); choose an empty or new --out, or pass --force to build there (they are left alone)',
    );
    expect(await checksums(out)).toEqual(before);
    const forced = await build(['--notes', notes, '--out', out, '--only', 'pdf', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('--force: building into site/, which holds files studyguide did not write (about.html, index.html)');
    expect(await readFile(path.join(out, 'about.html'), 'utf8')).toBe('<p>about</p>');
    expect(existsSync(path.join(out, 'cheatsheet.pdf'))).toBe(true);
  }, 120_000);

  it('with a manifest, an output is not written over a file the manifest does not list', async () => {
    const dir = await tempDir();
    const notes = await notesWith(dir);
    const out = path.join(dir, 'out');
    expect((await build(['--notes', notes, '--out', out, '--only', 'pdf'], dir)).code).toBe(0);
    // The decks were never built here: a slides/all.html found there is someone else's.
    await mkdir(path.join(out, 'slides'));
    await writeFile(path.join(out, 'slides', 'all.html'), 'mine');
    const r = await build(['--notes', notes, '--out', out, '--only', 'slides'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('out/slides/all.html: not written by studyguide');
    expect(await readFile(path.join(out, 'slides', 'all.html'), 'utf8')).toBe('mine');
  }, 120_000);
});

describe('guards compare real paths', () => {
  it('--out as a symlink to the notes folder, --out notes/..x and notes inside --out: exit 2, the notes folder unchanged', async () => {
    const dir = await tempDir();
    const notes = await notesWith(dir);
    const before = await checksums(notes);
    await symlink(notes, path.join(dir, 'link'));
    const viaLink = await build(['--notes', 'notes', '--out', 'link'], dir);
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr.trim()).toBe(
      'studyguide: output folder link is the notes folder; choose another --out (notes are never written to)',
    );
    const dotted = await build(['--notes', 'notes', '--out', 'notes/..x'], dir);
    expect(dotted.code).toBe(2);
    expect(dotted.stderr).toContain('output folder notes/..x is inside the notes folder');
    const around = await build(['--notes', 'notes', '--out', '.'], dir);
    expect(around.code).toBe(2);
    expect(around.stderr).toContain('notes folder notes is inside the output folder ., where a build removes its old outputs');
    expect(await checksums(notes)).toEqual(before);
    expect(existsSync(path.join(notes, '..x'))).toBe(false);
  });
});

describe('the study results folder', () => {
  it('may be in the notes folder (its default), never where a build prunes, never around the notes: exit 2, nothing written', async () => {
    const dir = await tempDir();
    const notes = await notesWith(dir);
    const before = await checksums(notes);
    const inOut = await build(['--notes', 'notes', '--out', 'out', '--results', 'out/results'], dir);
    expect(inOut.code).toBe(2);
    expect(inOut.stderr).toContain('results folder out/results and output folder out overlap, and a build removes its old outputs');
    const elsewhere = path.join(await tempDir(), 'out');
    const around = await build(['--notes', 'notes', '--out', elsewhere, '--results', '.'], dir);
    expect(around.code).toBe(2);
    expect(around.stderr).toContain('results folder . holds the notes folder; choose a folder for the results alone');
    // --quiz presents the quiz deck: without the decks there is none.
    const quiz = await cli(['present', '--notes', 'notes', '--out', 'out', '--only', 'pdf', '--quiz'], { cwd: dir });
    expect(quiz.code).toBe(2);
    expect(quiz.stderr).toContain('--quiz presents the quiz deck: --only must include slides');
    expect(await checksums(notes)).toEqual(before);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
    expect(existsSync(elsewhere)).toBe(false);
  });
});

describe('config is data, then code', () => {
  it('a JSON key "constructor" or "__proto__" is an unknown key, exit 2', async () => {
    const dir = await tempDir();
    await notesWith(dir);
    for (const key of ['constructor', '__proto__', 'toString']) {
      await writeFile(path.join(dir, 'studyguide.config.json'), `{"${key}": 1}`);
      const r = await build([], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^studyguide: studyguide\\.config\\.json: unknown key "${key}" \\(known: notes, out, `));
    }
  });

  it('a .js config that throws, from a getter or at its top level, is a user error naming the file and line, exit 2', async () => {
    const dir = await tempDir();
    await notesWith(dir);
    await writeFile(path.join(dir, 'package.json'), '{"type": "module"}');
    await writeFile(path.join(dir, 'getter.js'), 'export default {\n  columns: 2,\n  get title() { throw new Error("no title"); },\n};\n');
    const getter = await build(['--config', 'getter.js'], dir);
    expect(getter.code).toBe(2);
    expect(getter.stderr.trim()).toBe('studyguide: getter.js:3:23: cannot load: Error: no title');
    await writeFile(path.join(dir, 'syntax.js'), 'const x = ;\nexport default {};\n');
    const syntax = await build(['--config', 'syntax.js'], dir);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr.trim()).toBe("studyguide: syntax.js:1:11: cannot load: SyntaxError: Unexpected token ';'");
  });

  it('a .js config that loops forever exits 2 with a message (hang guard: the test timeout)', async () => {
    const dir = await tempDir();
    await notesWith(dir);
    await writeFile(path.join(dir, 'package.json'), '{"type": "module"}');
    await writeFile(path.join(dir, 'studyguide.config.js'), 'while (true) {}\nexport default {};\n');
    const r = await build([], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'studyguide: studyguide.config.js: did not give its settings within 10 s (a loop, or an await that never ends?)',
    );
  }, 15_000);

  it('Ctrl-C stops the tool while a .js config loops (it runs in a worker: the tool hears the signal)', async () => {
    const dir = await tempDir();
    await notesWith(dir);
    await writeFile(path.join(dir, 'package.json'), '{"type": "module"}');
    await writeFile(path.join(dir, 'loop.js'), 'while (true) {}\nexport default {};\n');
    const child = spawn(process.execPath, [CLI, 'build', '--config', 'loop.js'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(String(code ?? signal))));
    // Most likely in the config by then; a Ctrl-C earlier, while Node starts, ends the process as well (by the signal).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    child.kill('SIGINT');
    expect(['130', 'SIGINT']).toContain(await exited);
  }, 9_000);

  it('a top-level await that never settles exits 2; a setInterval left running does not keep the build alive', async () => {
    const dir = await tempDir();
    await notesWith(dir);
    await writeFile(path.join(dir, 'package.json'), '{"type": "module"}');
    await writeFile(path.join(dir, 'never.js'), 'await new Promise(() => {});\nexport default {};\n');
    const never = await build(['--config', 'never.js'], dir);
    expect(never.code).toBe(2);
    expect(never.stderr.trim()).toBe(
      'studyguide: never.js: cannot load: it never finished loading (a top-level await that never settles?)',
    );
    await writeFile(path.join(dir, 'timer.js'), 'setInterval(() => {}, 100);\nexport default { only: ["pdf"] };\n');
    const timer = await build(['--config', 'timer.js', '--out', 'out'], dir);
    expect(timer.code).toBe(0);
    expect(timer.stderr).toMatch(/^built out\/: /m);
  }, 60_000);
});

describe('images and embeds', () => {
  it('a scripted SVG reaches assets/ without <script> or handlers; a corrupt or 30000×30000 PNG and an embed cycle are warned at file:line', async () => {
    const dir = await tempDir();
    const corrupt = png(1, 1);
    corrupt[corrupt.length - 20]! ^= 0xff; // inside IDAT
    await notesWith(dir, {
      'a.md': '# A\n\n![evil](evil.svg)\n\n![huge](huge.png)\n\n![bad](bad.png)\n\n![fine](fine.png)\n\n![[b]]\n',
      'b.md': '# B\n\nB text.\n\n![[a]]\n',
      'evil.svg':
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(document.domain)</script>' +
        '<image href="https://example.com/x.png"/><rect width="10" height="10" fill="red"/></svg>',
      'huge.png': png(30_000, 30_000, { declared: true }),
      'bad.png': corrupt,
      'fine.png': png(1, 1),
    });
    const r = await build(['--notes', 'notes', '--out', 'out'], dir);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((line) => line.startsWith('warning '));
    expect(warnings).toEqual([
      'warning notes/a.md:3:1 SVG sanitized (removed onload= handler, <script>, external reference): evil.svg',
      'warning notes/a.md:5:1 image declares 30000×30000 pixels, too large to decode (at most 50 megapixels): huge.png',
      'warning notes/a.md:7:1 corrupt PNG image (bad checksum in chunk IDAT): bad.png',
      'warning notes/a.md:11:1 embed cycle (b → a → b): the embed that closes it is shown as a note, not repeated',
    ]);
    const assets = await readdir(path.join(dir, 'out', 'assets'));
    expect(assets.filter((f) => f.endsWith('.png'))).toEqual([expect.stringMatching(/-fine\.png$/)]);
    const svg = await readFile(
      path.join(
        dir,
        'out',
        'assets',
        assets.find((f) => f.endsWith('.svg'))!,
      ),
      'utf8',
    );
    expect(svg).not.toMatch(/<script|onload|example\.com/i);
    expect(svg).toContain('<rect width="10" height="10" fill="red"');
  }, 120_000);
});

describe('serving resolves real paths', () => {
  it('a symlink out of the output folder and the dotfiles are 404; pages and assets carry nosniff and a CSP (assets sandboxed)', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'out');
    await notesWith(dir);
    expect((await build(['--notes', 'notes', '--out', 'out', '--only', 'pdf'], dir)).code).toBe(0);
    await symlink('/etc', path.join(out, 'etcdir'));
    await writeFile(path.join(dir, 'secret.txt'), 'secret');
    await symlink(path.join(dir, 'secret.txt'), path.join(out, 'secret.txt'));
    await mkdir(path.join(out, 'assets'), { recursive: true });
    await writeFile(path.join(out, 'assets', 'x.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const server = await serve(out, 0, { dirs: [BUNDLED_TEMPLATES] });
    try {
      const get = (p: string) => fetch(new URL(p, server.url));
      for (const p of [
        '/etcdir/passwd',
        '/secret.txt',
        `/${MANIFEST}`,
        '/.studyguide.lock',
        '/.cache/',
        '/assets/../.studyguide-outputs.json',
      ])
        expect({ p, status: (await get(p)).status }).toEqual({ p, status: 404 });
      const page = await get('/index.html');
      expect(page.status).toBe(200);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const policy = page.headers.get('content-security-policy')!;
      expect(policy).toMatch(/default-src 'self'/);
      expect(policy).toMatch(/script-src 'self' 'sha256-[^']+'/); // the live-reload script, by its hash
      expect(policy).toMatch(/connect-src 'self'/);
      const asset = await get('/assets/x.svg');
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toBe('image/svg+xml');
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
      expect(asset.headers.get('content-security-policy')).toMatch(/sandbox/);
      expect((await get('/cheatsheet.pdf')).headers.get('content-security-policy')).not.toMatch(/sandbox/);
      for (const answer of [await get('/nothing-here'), await fetch(new URL('/index.html', server.url), { method: 'DELETE' })])
        expect([answer.headers.get('x-content-type-options'), answer.headers.get('content-security-policy')]).toEqual([
          'nosniff',
          expect.stringContaining('sandbox'),
        ]);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('long builds', () => {
  it('show each stage while it runs (STUDYGUIDE_PROGRESS_AFTER_MS=0: at once), one line a stage off a terminal', async () => {
    const dir = await tempDir();
    await notesWith(dir);
    const r = await cli(['build', '--offline', '--notes', 'notes', '--out', 'out', '--only', 'pdf'], {
      cwd: dir,
      env: { STUDYGUIDE_PROGRESS: '1', STUDYGUIDE_PROGRESS_AFTER_MS: '0' },
    });
    expect(r.code).toBe(0);
    const running = r.stderr.split('\n').filter((line) => line.startsWith('… '));
    for (const stage of ['load', 'parse', 'render', 'browser', 'cheatsheet'])
      expect(running.some((line) => line.startsWith(`… ${stage}`))).toBe(true);
  }, 60_000);
});
