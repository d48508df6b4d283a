/**
 * Nothing left behind: a build, a watch or a serve killed by any signal
 * leaves no Chromium running, no port taken and whole outputs; two builds
 * into one folder take turns.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../src/builder.js';
import { LOCK_FILE, lockOutputs } from '../src/lock.js';
import { NOTES, readPdf, spawnCli, stillRunning, tempDir, until } from './helpers.js';

/** The outputs of a full build of the bundled notes are all there and readable. */
async function expectWholeOutputs(out: string) {
  expect((await readPdf(path.join(out, 'cheatsheet.pdf'))).pages).toBeGreaterThan(0);
  // The manifest: each output the build made, with the target that made it.
  const manifest = Object.keys(JSON.parse(await readFile(path.join(out, '.studyguide-outputs.json'), 'utf8')) as Record<string, string>);
  expect(manifest.length).toBeGreaterThan(2);
  for (const rel of manifest) expect(existsSync(path.join(out, rel)), rel).toBe(true);
  for (const deck of manifest.filter((f) => f.endsWith('.html')))
    expect(readFileSync(path.join(out, deck), 'utf8')).toMatch(/<\/html>\s*$/);
}

/** No temporary file and no lock are left in the output folder. */
async function expectNoLeftovers(out: string) {
  const names = await readdir(out, { recursive: true });
  expect(names.filter((n) => /\.tmp$|\.\d+\.html$|\.fit[.-]/.test(n) || n === LOCK_FILE)).toEqual([]);
}

/** The build after a killed one takes over its lock at once (it names a dead process) and sweeps up its temporaries. */
async function expectNextBuildClean(out: string, ...args: string[]) {
  const next = spawnCli(['build', '--notes', NOTES, '--out', out, '--offline', ...args]);
  expect(await next.exited).toBe(0);
  expect(next.stderr()).not.toMatch(/waiting for/);
  await expectNoLeftovers(out);
}

/** Wait until `pids` have all exited (Chromium's helpers follow the browser within moments). */
const gone = (pids: number[]) => until(() => stillRunning(pids).length === 0, `Chromium (${pids.join(', ')}) to exit`, 30_000);

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('killed builds leave nothing behind', () => {
  it('a build killed with SIGKILL mid-layout leaves the previous sheet (PDF and HTML) intact and no Chromium of it running', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'out');
    await build({ notes: NOTES, out, offline: true, only: ['pdf'] });
    const previous = await readFile(path.join(out, 'cheatsheet.pdf'));
    const previousHtml = await readFile(path.join(out, 'cheatsheet.html'), 'utf8');
    // A corpus whose layout takes seconds.
    const notes = path.join(dir, 'notes');
    await mkdir(notes);
    await writeFile(path.join(notes, 'list.md'), `# Long\n\n${Array.from({ length: 6000 }, (_, i) => `- entry ${i}`).join('\n')}\n`);
    const run = spawnCli(['build', '--notes', notes, '--out', out, '--offline', '--only', 'pdf'], { STUDYGUIDE_PROGRESS: '1' });
    await run.waitFor(/browser/);
    // The page Chromium lays out is written just before it does.
    await until(() => existsSync(path.join(out, `.cheatsheet.${run.child.pid}.html`)), 'the layout to start', 60_000);
    const itsChromium = run.chromium();
    expect(itsChromium.length).toBeGreaterThan(0);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(run.stderr()).not.toMatch(/cheatsheet\s+\d+ pages/); // it really died inside the PDF stage
    // Its browser goes with it (it reads its commands from a pipe the dead build held), not on laying out orphaned.
    await gone(itsChromium);
    expect((await readFile(path.join(out, 'cheatsheet.pdf'))).equals(previous)).toBe(true);
    expect(await readFile(path.join(out, 'cheatsheet.html'), 'utf8')).toBe(previousHtml); // the two still match
    await expectNextBuildClean(out, '--only', 'pdf');
  }, 120_000);

  it.each([
    ['SIGKILL', null],
    ['SIGINT', 0], // Ctrl-C: a clean exit
  ] as const)(
    '`studyguide watch` stopped with %s leaves no Chromium running and whole outputs',
    async (signal, code) => {
      const out = path.join(await tempDir(), 'out');
      const run = spawnCli(['watch', '--notes', NOTES, '--out', out, '--offline']);
      await run.waitFor(/watching/);
      const itsChromium = run.chromium();
      expect(itsChromium.length).toBeGreaterThan(0); // kept warm between builds
      run.child.kill(signal);
      expect(await run.exited).toBe(code);
      await gone(itsChromium);
      await expectWholeOutputs(out);
      await expectNoLeftovers(out);
    },
    120_000,
  );

  it('`studyguide serve` killed with SIGKILL mid-build frees its port, leaves no Chromium running and whole outputs', async () => {
    const out = path.join(await tempDir(), 'out');
    await build({ notes: NOTES, out, offline: true });
    const port = await freePort();
    const run = spawnCli(['serve', '--notes', NOTES, '--out', out, '--offline', '--port', String(port)]);
    // The server listens before the first build; kill it while that build has its browser.
    await until(() => run.chromium().length > 0, 'serve to start its browser', 60_000);
    expect(existsSync(path.join(out, LOCK_FILE))).toBe(true);
    const itsChromium = run.chromium();
    run.child.kill('SIGKILL');
    await run.exited;
    await gone(itsChromium);
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => again.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => again.close(resolve));
    await expectWholeOutputs(out);
    await expectNextBuildClean(out);
  }, 120_000);
});

describe('one build at a time per output folder', () => {
  it('two builds into one folder: the second waits, says so, and both finish with whole outputs', async () => {
    const out = path.join(await tempDir(), 'out');
    const first = spawnCli(['build', '--notes', NOTES, '--out', out, '--offline', '--handout'], { STUDYGUIDE_PROGRESS: '1' });
    await first.waitFor(/✓ load/); // it holds the lock from before loading until its last write
    const second = spawnCli(['build', '--notes', NOTES, '--out', out, '--offline', '--only', 'pdf', '--columns', '3']);
    await second.waitFor(/waiting for the studyguide build writing to .*out \(pid \d+, since .*\) to finish/);
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
    expect(first.stderr()).not.toMatch(/waiting for/);
    await expectWholeOutputs(out);
    expect(existsSync(path.join(out, 'handouts', 'all.pdf'))).toBe(true);
    await expectNoLeftovers(out);
  }, 180_000);

  it('two builders in one process take turns too, and a lock of a dead process is taken over at once', async () => {
    const out = path.join(await tempDir(), 'out');
    const waits: string[] = [];
    const a = await lockOutputs(out, (line) => waits.push(line));
    let bHeld = false;
    const b = lockOutputs(out, (line) => waits.push(line)).then((lock) => {
      bHeld = true;
      return lock;
    });
    await until(() => waits.length === 1, 'the second lock to wait');
    expect(bHeld).toBe(false);
    await a.release();
    await (await b).release();
    expect(existsSync(path.join(out, LOCK_FILE))).toBe(false);

    // A lock left by a process that is gone.
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.once('exit', resolve));
    await writeFile(path.join(out, LOCK_FILE), JSON.stringify({ pid: dead.pid, host: os.hostname(), token: 'x', since: 'then' }));
    const c = await lockOutputs(out, (line) => waits.push(line));
    expect(waits.length).toBe(1);
    await c.release();
    // An unreadable lock (cut short by a crash of the machine) is not a reason to wait forever.
    await writeFile(path.join(out, LOCK_FILE), '{"pid":');
    await (await lockOutputs(out, (line) => waits.push(line))).release();
    expect(waits.length).toBe(1);
  });
});
