/**
 * The package as a user gets it: `npm pack`, installed from the tarball into
 * an empty folder (no browser download: puppeteer-core), then
 * `npx studyguide build` finds the system's Chromium.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NOTES, ROOT, readPdf, tempDir } from './helpers.js';

const run = promisify(execFile);

describe('the packed package', () => {
  it('installs from its tarball without downloading a browser, and `npx studyguide build` works', async () => {
    const dir = await tempDir('studyguide-pack-');
    // dist/ is already compiled by `npm test`; prepack would recompile it under the other test files' feet.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((f) => f.path);
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('templates/cheatsheet.hbs');
    // The layout engine and the other in-page programs travel bundled (src/page/ → dist/page/).
    expect(files).toContain('dist/page/cheatsheet.js');
    expect(files.filter((f) => /^(test|notes|src|bench)\//.test(f))).toEqual([]);

    const app = path.join(dir, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, packed!.filename)], { cwd: app });
    const installed = await readdir(path.join(app, 'node_modules'));
    expect(installed).toContain('studyguide');
    expect(installed).not.toContain('puppeteer'); // the package that downloads Chrome at install

    const { stderr } = await run('npx', ['studyguide', 'build', '--notes', NOTES, '--out', 'out', '--offline'], { cwd: app });
    expect(stderr).toMatch(/^built out\/: 6 topics · PDF \d+ pages?/m);
    expect((await readPdf(path.join(app, 'out', 'cheatsheet.pdf'))).pages).toBeGreaterThan(0);
    expect(existsSync(path.join(app, 'out', 'slides', 'all.html'))).toBe(true);
    // sql.js is loaded from node_modules (not bundled), its WebAssembly with it.
    expect(existsSync(path.join(app, 'out', 'flashcards.apkg'))).toBe(true);
  }, 300_000);
});
