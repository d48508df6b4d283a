/** The command line: help, version, and one-line errors with the right exit codes (no stack traces). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI, NOTES, ROOT, cli, tempDir } from './helpers.js';

const exec = promisify(execFile);

describe('studyguide CLI', () => {
  it('prints help and version', async () => {
    const help = await cli(['build', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--notes', '--out', '--only', '--paper', '--offline']) expect(help.stdout).toContain(flag);
    const version = await cli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('a missing notes folder is a one-line error, exit 2', async () => {
    const r = await cli(['build', '--notes', 'no-such-folder', '--out', await tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('studyguide: notes folder not found: no-such-folder (pass --notes DIR)');
  });

  it('a folder with no markdown is a one-line error, exit 2', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'notes'));
    await writeFile(path.join(dir, 'notes', 'readme.txt'), 'not markdown');
    const r = await cli(['build', '--notes', path.join(dir, 'notes'), '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^studyguide: no markdown \(\*\.md\) found in .*\n$/);
  });

  it('no browser found: names the fix, exit 3, no stack trace', async () => {
    const r = await cli(['build', '--notes', NOTES, '--out', await tempDir()], {
      env: { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('PUPPETEER_EXECUTABLE_PATH=/nonexistent/chrome is not an executable file');
    expect(r.stderr).toContain('apt-get install chromium');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects bad option values with a clear message', async () => {
    const r = await cli(['build', '--only', 'pdf,video']);
    expect(r.code).not.toBe(0);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`option '--only <outputs>' argument 'pdf,video' is invalid. expected a list of "pdf", "slides", "cards"`);
    const p = await cli(['build', '--paper', 'A3']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain(`argument 'A3' is invalid. expected "A4" or "Letter"`);
  });

  it('a bad setting stops the build before Chromium starts: --theme nosuch exits 2', async () => {
    const out = path.join(await tempDir(), 'out');
    // With no browser to start, a build that got as far as Chromium would exit 3 (no browser) instead.
    const r = await cli(['build', '--notes', NOTES, '--out', out, '--theme', 'nosuch'], {
      env: { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^studyguide: unknown theme "nosuch" \(reveal\.js themes: .*\bwhite\b.*\)$/);
    expect(existsSync(out)).toBe(false);
    const layout = await cli(['build', '--notes', NOTES, '--out', out, '--handout-layout', '9x9'], {
      env: { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome' },
    });
    expect(layout.code).toBe(2);
    expect(layout.stderr).toContain('expected "COLUMNSxROWS", 1–4 columns by 1–6 rows');
  });

  it('paths in a config file resolve against the file, not the working directory', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'guide'));
    await cp(NOTES, path.join(dir, 'guide', 'notes'), { recursive: true });
    await writeFile(
      path.join(dir, 'guide', 'studyguide.config.json'),
      JSON.stringify({ notes: 'notes', out: 'out', only: ['pdf'], offline: true }),
    );
    const r = await cli(['build', '--config', 'guide/studyguide.config.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('built guide/out/');
    expect(existsSync(path.join(dir, 'guide', 'out', 'cheatsheet.pdf'))).toBe(true);
  });

  it('refuses an output folder inside the notes folder', async () => {
    const r = await cli(['build', '--notes', NOTES, '--out', path.join(NOTES, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/inside the notes folder/);
  });

  it('--only pdf builds only the cheat sheet; --offline fetches nothing and says so', async () => {
    const out = await tempDir();
    const r = await cli(['build', '--notes', NOTES, '--out', out, '--only', 'pdf', '--offline']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/PDF \d+ pages?/);
    expect(r.stderr).not.toMatch(/decks/);
    expect(r.stderr.match(/remote image not fetched \(--offline\)/g)).toHaveLength(3);
  });

  it('takes options from studyguide.config.json; flags override it; a bad key is named', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'studyguide.config.json'),
      JSON.stringify({ notes: NOTES, out: path.join(dir, 'out'), only: ['pdf'], pages: 2, offline: true }),
    );
    const ok = await exec(process.execPath, [CLI, 'build'], { cwd: dir });
    expect(ok.stderr).toMatch(/PDF 2 pages at [\d.]+ pt/);
    const flag = await exec(process.execPath, [CLI, 'build', '--pages', '3'], { cwd: dir });
    expect(flag.stderr).toMatch(/PDF 3 pages at [\d.]+ pt/);

    await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ pages: 2, colums: 4 }));
    const bad = await cli(['build', '--config', path.join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: unknown key "colums"/);
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ paper: 'A3' }));
    expect((await cli(['build', '--config', path.join(dir, 'bad.json')])).stderr).toMatch(/"paper" must be "A4" or "Letter"/);
  });

  it('reads studyguide.config.js (default export) too', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'studyguide.config.js'),
      `export default ${JSON.stringify({ notes: NOTES, out: path.join(dir, 'out'), only: ['pdf'], pages: 2, offline: true })};\n`,
    );
    await writeFile(path.join(dir, 'package.json'), '{"type": "module"}');
    const ok = await exec(process.execPath, [CLI, 'build'], { cwd: dir });
    expect(ok.stderr).toMatch(/PDF 2 pages at [\d.]+ pt/);
  });

  it('the pipeline is importable as a package: import { build } from "studyguide"', async () => {
    const { stdout } = await exec(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('studyguide'); console.log(typeof m.build, typeof m.createBuilder, typeof m.watch)",
      ],
      { cwd: ROOT },
    );
    expect(stdout.trim()).toBe('function function function');
  });
});
