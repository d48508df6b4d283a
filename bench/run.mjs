#!/usr/bin/env node
/**
 * `npm run bench`: everything measured from outside, as a user would time it,
 * in one run on this machine (medians; raw samples in bench/results.json):
 *
 * - the floor: a separate Node process that launches Chromium and prints a
 *   trivial page to PDF (cold), and a trivial print in a warm browser;
 * - cold builds: a fresh `studyguide build --offline` process per run, wall
 *   clock from spawn to exit, each into a fresh output folder: the bundled
 *   notes (full, and `--only pdf`), ×50, 500 files and a ≥ 500 KB exam-prep
 *   corpus of long nested lists; per MB of notes;
 * - md-to-pdf on the same notes (concatenated into one file), timed the same
 *   way, interleaved with our `--only pdf` runs (installed on demand into
 *   bench/.tools, which is gitignored);
 * - the warm rebuild: `studyguide watch` as a child process; after a one-line
 *   append to a note, the time from the save until every output whose bytes
 *   change is on disk, read from the files' own timestamps;
 * - peak memory (PSS) of the whole process tree, Chromium included, for ×50;
 * - one highlighted `python` block of 5,000 and of 20,000 lines (a pasted source
 *   file): cold builds, and their ratio (splitting a block is linear in its lines).
 *
 * - the PowerPoint: the bundled notes built `--only slides` and `--only slides,pptx`,
 *   interleaved: what building the .pptx files adds, against the decks' own time.
 *
 * The table goes to stdout and into docs/performance.md between the bench markers.
 * Flags: --quick (fewer runs; writes neither results.json nor docs/performance.md),
 * --only GROUPS (some measures only; writes neither), --skip-md-to-pdf,
 * --from-results (render bench/results.json again, measure nothing). Not part
 * of `npm test`: timings depend on the machine.
 */
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { concatenatedNotes, copiesOfNotes, examPrep, flatNotes, longCode, measure } from './corpora.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const TOOLS = path.join(ROOT, 'bench', '.tools');
const MD_TO_PDF = { version: '5.2.5', puppeteer: '24' };
/** The page the table is written into, between the markers. */
const PAGE = path.join(ROOT, 'docs', 'performance.md');
const MARKERS = ['<!-- bench:start -->', '<!-- bench:end -->'];

/** Groups of measures `--only` can pick. */
const GROUPS = ['small', 'warm', 'big', 'code', 'sheet', 'pptx'];
const USAGE = `usage: npm run bench -- [--quick] [--only GROUPS] [--skip-md-to-pdf] [--from-results] (or node bench/run.mjs …)
  --quick            fewer runs; writes neither bench/results.json nor docs/performance.md
  --only GROUPS      only these measures, comma separated: small (floor, notes ×1, md-to-pdf), warm (watch),
                     big (×50, 500 files, exam-prep, memory), code (5,000/20,000-line code blocks),
                     sheet (--pages 2 on the 500-file corpus against the same without --pages),
                     pptx (the bundled notes, --only slides against --only slides,pptx);
                     writes neither bench/results.json nor docs/performance.md
  --skip-md-to-pdf   leave md-to-pdf out (it is installed into bench/.tools on first use)
  --from-results     measure nothing: write the table into docs/performance.md again from bench/results.json
  --help             this text`;
const FLAGS = ['quick', 'skip-md-to-pdf', 'from-results', 'help'];
let parsed;
try {
  parsed = parseArgs({
    options: { ...Object.fromEntries(FLAGS.map((f) => [f, { type: 'boolean' }])), only: { type: 'string' } },
    strict: true,
  });
  const unknown = (parsed.values.only ?? '').split(',').filter((g) => g && !GROUPS.includes(g));
  if (unknown.length) throw new Error(`unknown group for --only: ${unknown.join(', ')} (groups: ${GROUPS.join(', ')})`);
} catch (error) {
  process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
  process.exit(2);
}
// A flag it does not know must not start a 15-minute run that rewrites docs/performance.md.
if (parsed.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const flags = parsed.values;
const QUICK = flags.quick === true;
const ONLY = flags.only ? flags.only.split(',').filter(Boolean) : GROUPS;
/** Some measures only: the table is partial, and neither results.json nor docs/performance.md is written. */
const PARTIAL = ONLY.length < GROUPS.length;
const runs = (group) => ONLY.includes(group);
/** Runs of the small measures (floor, notes ×1, md-to-pdf), the most runs of a big corpus, and edits per note in watch mode. */
const SMALL_RUNS = QUICK ? 2 : 5;
const BIG_RUNS = QUICK ? 1 : 3;
/** A big corpus gets another run only while its runs so far plus one more fit in this (the exam corpus can take minutes). */
const BIG_BUDGET_MS = 100_000;
const EDITS = QUICK ? 2 : 7;
const QUIET_MS = 300;
const POLL_MS = 5;
/** Longest wait for one edit's outputs (the watcher's own report of the build also ends the wait). */
const EDIT_TIMEOUT_MS = 60_000;

const { ensureBrowser, launchBrowser } = await import(path.join(ROOT, 'dist', 'browser.js'));

const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const log = (line) => process.stderr.write(`${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const MB = 1e6;

/**
 * Memory of a process and all its descendants, in kB: the sum of their PSS
 * (proportional set size), so pages Chromium's processes share count once.
 */
async function treePssKb(root) {
  const parents = new Map();
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    parents.set(Number(entry), Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? 0));
  }
  const wanted = [root];
  for (let i = 0; i < wanted.length; i++) for (const [child, parent] of parents) if (parent === wanted[i]) wanted.push(child);
  let total = 0;
  for (const pid of wanted) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    total += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
  }
  return total;
}

/**
 * Run a command and time it like `time` does: wall clock from just before the
 * spawn to the process's exit. Resolves after its output closed too (a
 * lingering child would otherwise overlap the next run). With `sampleMemory`,
 * also the peak PSS of its process tree (reading /proc costs CPU: timed runs
 * do not sample).
 */
function runTimed(command, args, { cwd = ROOT, env = process.env, sampleMemory = false } = {}) {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let exited = null;
    const started = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code, signal) => (exited = { ms: performance.now() - started, code, signal }));
    if (sampleMemory) {
      (async () => {
        while (exited === null) {
          peak = Math.max(peak, await treePssKb(child.pid));
          await sleep(100);
        }
      })();
    }
    child.once('close', () => {
      if (exited.code !== 0)
        reject(new Error(`${path.basename(args[0] ?? command)} exited ${exited.code ?? exited.signal}: ${stderr.slice(-2000)}`));
      else resolve({ ms: exited.ms, stdout, stderr, peakTreeKb: peak });
    });
  });
}

/** One cold build in a fresh output folder; returns the wall clock and the build's own JSON report. */
async function coldBuild(notes, extra = [], sampleMemory = false) {
  const out = await mkdtemp(path.join(os.tmpdir(), 'sg-bench-out-'));
  try {
    const r = await runTimed(process.execPath, [CLI, 'build', '--notes', notes, '--out', out, '--offline', '--json', ...extra], {
      cwd: path.dirname(notes),
      sampleMemory,
    });
    const json = JSON.parse(r.stdout.trim().split('\n').pop());
    return {
      ms: r.ms,
      treePeakKb: r.peakTreeKb,
      nodeMaxRssKb: json.maxRssKb,
      pages: json.pdfPages,
      slides: json.slides,
      timings: json.timings,
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** The cold floor, once: a separate Node process that launches Chromium (as the build does) and prints a trivial page. */
function coldFloor() {
  const script = `
    const { ensureBrowser, launchBrowser } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'browser.js'))});
    const browser = await launchBrowser(ensureBrowser(() => {}));
    const page = await browser.newPage();
    await page.setContent('<p>hello</p>');
    await page.pdf();
    await browser.close();`;
  return runTimed(process.execPath, ['--input-type=module', '-e', script]).then((r) => ({ ms: r.ms }));
}

/** Trivial prints in a browser that is already up (the warm floor). */
async function warmPrints(count) {
  const browser = await launchBrowser(ensureBrowser(() => {}));
  try {
    const page = await browser.newPage();
    await page.setContent('<p>warm-up</p>');
    await page.pdf();
    const samples = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await page.setContent(`<p>hello ${i}</p>`);
      await page.pdf();
      samples.push(performance.now() - t);
    }
    return samples;
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------- md-to-pdf

const toolRequire = () => createRequire(path.join(TOOLS, 'node_modules', 'md-to-pdf', 'package.json'));

/** Versions of md-to-pdf and of the puppeteer it resolves, or null when not installed. */
function installedMdToPdf() {
  try {
    const require = toolRequire();
    const own = require('./package.json').version;
    const puppeteer = require(require.resolve('puppeteer/package.json')).version;
    return { mdToPdf: own, puppeteer, cli: path.join(TOOLS, 'node_modules', 'md-to-pdf', 'dist', 'cli.js') };
  } catch {
    return null;
  }
}

const HOW_TO_RUN_MD_TO_PDF = `PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix bench/.tools md-to-pdf@${MD_TO_PDF.version} puppeteer@${MD_TO_PDF.puppeteer}, then npm run bench`;

/**
 * md-to-pdf 5.2.5 wants `puppeteer >=8`, whose newest major needs Node 22 and
 * downloads its own Chrome: install it once into bench/.tools with puppeteer
 * 24 (Node 20, no download) and drive the system Chromium. Returns its paths
 * and versions, or why it is skipped.
 */
async function ensureMdToPdf() {
  if (flags['skip-md-to-pdf']) return { skipped: 'skipped (--skip-md-to-pdf)' };
  const ok = (found) => found?.mdToPdf === MD_TO_PDF.version && found.puppeteer.split('.')[0] === MD_TO_PDF.puppeteer;
  let found = installedMdToPdf();
  if (!ok(found)) {
    log(`installing md-to-pdf@${MD_TO_PDF.version} with puppeteer@${MD_TO_PDF.puppeteer} into bench/.tools (once)`);
    await mkdir(TOOLS, { recursive: true });
    const manifest = path.join(TOOLS, 'package.json');
    if (!existsSync(manifest))
      await writeFile(
        manifest,
        `${JSON.stringify({ private: true, description: 'Tools npm run bench compares with (gitignored).' }, null, 2)}\n`,
      );
    const npm = spawnSync(
      'npm',
      ['install', '--prefix', TOOLS, '--no-audit', '--no-fund', `md-to-pdf@${MD_TO_PDF.version}`, `puppeteer@${MD_TO_PDF.puppeteer}`],
      { env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' }, encoding: 'utf8', timeout: 600_000 },
    );
    found = installedMdToPdf();
    if (npm.status !== 0 || !found) {
      const why = (npm.error?.message ?? npm.stderr ?? '').trim().split('\n').slice(-3).join(' ');
      return { skipped: `skipped: installing md-to-pdf failed (${why || `npm exited ${npm.status}`}); to run it: ${HOW_TO_RUN_MD_TO_PDF}` };
    }
  }
  if (!ok(found))
    return {
      skipped: `skipped: bench/.tools has md-to-pdf ${found.mdToPdf} resolving puppeteer ${found.puppeteer}, not ${MD_TO_PDF.version} with ${MD_TO_PDF.puppeteer}.x; remove bench/.tools and run again`,
    };
  return found;
}

/** One cold md-to-pdf run on `file` (a fresh process and browser); returns the wall clock and the PDF's page count. */
async function mdToPdfRun(tool, file, executablePath) {
  const pdf = file.replace(/\.md$/, '.pdf');
  await rm(pdf, { force: true });
  const launch = JSON.stringify({ executablePath, args: ['--no-sandbox'] });
  const r = await runTimed(process.execPath, [tool.cli, file, '--launch-options', launch], { cwd: path.dirname(file) });
  const bytes = await readFile(pdf);
  if (bytes.subarray(0, 5).toString() !== '%PDF-') throw new Error('md-to-pdf wrote no PDF');
  return { ms: r.ms, pages: (bytes.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length };
}

// ---------------------------------------------------------------- watch mode

/** Files under `dir` (relative paths), optionally leaving out the asset folders a rebuild never rewrites. */
async function filesUnder(dir, { assets = true } = {}) {
  const all = await readdir(dir, { recursive: true }).catch(() => []);
  const files = [];
  for (const f of all) {
    if (!assets && /^(fonts|slides[/\\]reveal)([/\\]|$)/.test(f)) continue;
    const s = await stat(path.join(dir, f)).catch(() => null);
    if (s?.isFile()) files.push({ path: f.split(path.sep).join('/'), mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, size: s.size });
  }
  return files;
}

async function hashes(dir) {
  const map = new Map();
  for (const f of await filesUnder(dir))
    map.set(
      f.path,
      createHash('sha1')
        .update(await readFile(path.join(dir, f.path)))
        .digest('hex'),
    );
  return map;
}

/** What a user sees, not the pipeline's bookkeeping (.studyguide-outputs.json, .cache/, temporary files). */
const isOutput = (p) => !p.split('/').some((part) => part.startsWith('.'));

/** The watcher's default debounce in the build being measured (dist/watch.js), or null if it cannot be read. */
async function debounceMs() {
  const text = await readFile(path.join(ROOT, 'dist', 'watch.js'), 'utf8').catch(() => '');
  const found = /debounceMs\s*\?\?\s*(\d+)/.exec(text);
  return found ? Number(found[1]) : null;
}

/**
 * `studyguide watch` in its own process group (so its Chromium is killed with
 * it), and the number of builds it reported on stderr (used only to know a
 * build is over before the next edit, never to stop a clock).
 */
function startWatcher(notes, out) {
  const child = spawn(process.execPath, [CLI, 'watch', '--notes', notes, '--out', out, '--offline'], {
    cwd: path.dirname(notes),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = { child, stderr: '', exited: null };
  child.stdout.on('data', () => {});
  child.stderr.on('data', (d) => (state.stderr += d));
  child.once('exit', (code, signal) => (state.exited = code ?? signal));
  state.builds = () => (state.stderr.match(/^(built |build failed)/gm) ?? []).length;
  state.alive = () => {
    if (state.exited !== null) throw new Error(`studyguide watch exited (${state.exited}): ${state.stderr.slice(-2000)}`);
  };
  return state;
}

/** Stop the watcher: SIGTERM to its process group (it closes its browser), SIGKILL if it lingers. */
async function stopWatcher(state) {
  const group = -state.child.pid;
  const signal = (sig) => {
    try {
      process.kill(group, sig);
    } catch {}
  };
  if (state.exited === null) {
    signal('SIGTERM');
    for (let i = 0; i < 100 && state.exited === null; i++) await sleep(50);
  }
  signal('SIGKILL'); // whatever is left of the group (a Chromium process that outlived its parent)
}

/** Until no output changed for QUIET_MS and the watcher has reported `builds` builds. */
async function quiet(state, out, builds) {
  const deadline = performance.now() + 180_000;
  let last = '';
  let since = performance.now();
  for (;;) {
    state.alive();
    const now = JSON.stringify(await filesUnder(out, { assets: false }));
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (state.builds() >= builds && performance.now() - since >= QUIET_MS) return;
    if (performance.now() > deadline) throw new Error(`studyguide watch did not settle: ${state.stderr.slice(-1000)}`);
    await sleep(25);
  }
}

/**
 * Warm rebuilds, measured from outside by the files' timestamps. For the
 * smallest and the largest note: one untimed edit first, to learn which
 * outputs a one-line append changes (by content); then EDITS timed appends,
 * interleaved. Each clock starts just before the append (or at the note's own
 * mtime, if the file system's coarser clock put it earlier) and stops at the
 * latest ctime of those outputs (outputs are written to a temporary file and
 * renamed: ctime is the rename, when the new file is on disk under its name),
 * once every one of them has an mtime after the save.
 */
async function warmRebuild(dir) {
  const notes = path.join(dir, 'notes');
  const out = path.join(dir, 'out');
  await copiesOfNotes(ROOT, notes, 1);
  const sizes = [];
  for (const f of (await readdir(notes)).filter((n) => n.endsWith('.md')))
    sizes.push({ file: f, bytes: (await stat(path.join(notes, f))).size });
  sizes.sort((a, b) => a.bytes - b.bytes);
  const edited = [
    { role: 'smallest', ...sizes[0] },
    { role: 'largest', ...sizes[sizes.length - 1] },
  ];
  const state = startWatcher(notes, out);
  const onSignal = () => {
    try {
      process.kill(-state.child.pid, 'SIGKILL');
    } catch {}
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const started = performance.now();
    while (!/^watching /m.test(state.stderr)) {
      state.alive();
      if (performance.now() - started > 180_000) throw new Error(`studyguide watch did not start: ${state.stderr}`);
      await sleep(50);
    }
    await quiet(state, out, 1);
    const decks = (await readdir(path.join(out, 'slides'))).filter((f) => f.endsWith('.html'));

    // Which outputs a one-line append changes, by content (bytes that do not change need not be rewritten).
    // Twice: the first append to a note can change more than the next ones (04-vpc.md ends with a question, an
    // open question the index lists until a line follows it); the second is what every timed edit looks like.
    for (const note of edited) {
      const slug = note.file.replace(/^\d+-/, '').replace(/\.md$/, '');
      note.deck = `slides/${slug}.html`;
      if (!decks.includes(`${slug}.html`)) throw new Error(`no deck ${note.deck} for ${note.file} (slides/: ${decks.join(', ')})`);
      for (const round of ['first', 'steady']) {
        const before = await hashes(out);
        const builds = state.builds();
        const t = Date.now();
        await appendFile(path.join(notes, note.file), `\nA line the bench appended to learn what changes (${round}).\n`);
        await quiet(state, out, builds + 1);
        const after = await hashes(out);
        const names = [...new Set([...before.keys(), ...after.keys()])].sort();
        const changed = names.filter((p) => before.get(p) !== after.get(p));
        const rewritten = (await filesUnder(out)).filter((f) => f.mtimeMs >= t - 20).map((f) => f.path);
        note[round] = { changed, rewrittenSameBytes: rewritten.filter((p) => !changed.includes(p)) };
      }
      note.waitFor = note.steady.changed.filter(isOutput);
      const candidates = ['cheatsheet.pdf', 'cheatsheet.html', 'slides/all.html', note.deck, 'flashcards.tsv', 'index.html'];
      note.candidatesUnchanged = candidates.filter((p) => !note.waitFor.includes(p));
      note.samples = [];
      log(
        `  ${note.role} note ${note.file} (${note.bytes} B): the first append changes ${note.first.changed.join(', ')}; ` +
          `the next ones ${note.steady.changed.join(', ')}`,
      );
    }

    // Timed edits, the two notes in turn. Polling stops when every output in waitFor is rewritten, or (should
    // one of them keep its bytes this time) once the watcher reported the build and went quiet; either way the
    // sample ends at the last output this edit actually rewrote, by its timestamps.
    for (let i = 0; i < EDITS; i++) {
      for (const note of edited) {
        const file = path.join(notes, note.file);
        const builds = state.builds();
        const wrote = Date.now();
        await appendFile(file, `\nEdit ${i + 1} by the bench: one more line to rebuild.\n`);
        const start = Math.min(wrote, (await stat(file)).mtimeMs);
        const deadline = performance.now() + EDIT_TIMEOUT_MS;
        let seen = null;
        while (seen === null) {
          const stats = await Promise.all(note.waitFor.map((p) => stat(path.join(out, p)).catch(() => null)));
          if (stats.every((s) => s && s.mtimeMs > start)) seen = Date.now();
          else if (state.builds() > builds || performance.now() > deadline) break;
          else {
            state.alive();
            await sleep(POLL_MS);
          }
        }
        await quiet(state, out, builds + 1);
        const rewritten = (await filesUnder(out)).filter((f) => isOutput(f.path) && f.mtimeMs > start);
        const last = rewritten.reduce(
          (a, f) => (Math.max(f.mtimeMs, f.ctimeMs) > Math.max(a?.mtimeMs ?? 0, a?.ctimeMs ?? 0) ? f : a),
          null,
        );
        const names = rewritten.map((f) => f.path);
        note.samples.push({
          ms: last ? Math.max(last.mtimeMs, last.ctimeMs) - start : NaN,
          seenMs: seen === null ? null : seen - start,
          last: last?.path ?? null,
          builds: state.builds() - builds,
          notRewritten: note.waitFor.filter((p) => !names.includes(p)),
          notWaitedFor: names.filter((p) => !note.waitFor.includes(p)),
        });
      }
    }
    for (const note of edited) {
      const ok = note.samples.filter((s) => Number.isFinite(s.ms));
      note.medianMs = median(ok.map((s) => s.ms));
      note.medianSeenMs = median(ok.filter((s) => s.seenMs !== null).map((s) => s.seenMs));
      note.irregular = note.samples.filter((s) => s.notRewritten.length || s.notWaitedFor.length || s.builds !== 1).length;
      log(
        `  ${note.role} note: ${Math.round(note.medianMs)} ms save → all on disk (median of ${ok.length}; ` +
          `seen by polling ${Math.round(note.medianSeenMs)} ms; ${note.irregular} irregular edits)`,
      );
    }
    return { edits: EDITS, pollMs: POLL_MS, quietMs: QUIET_MS, debounceMs: await debounceMs(), notes: edited };
  } finally {
    await stopWatcher(state);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// ---------------------------------------------------------------- big corpora

/** Cold builds of a big corpus: up to BIG_RUNS, fewer when they would not fit in BIG_BUDGET_MS. */
async function bigCorpus(name, notes) {
  const { files, bytes } = await measure(notes);
  const samples = [];
  const spent = () => samples.reduce((sum, s) => sum + s.ms, 0);
  while (samples.length < BIG_RUNS && (samples.length === 0 || spent() + median(samples.map((s) => s.ms)) <= BIG_BUDGET_MS)) {
    samples.push(await coldBuild(notes));
    log(`  ${name}: run ${samples.length}: ${Math.round(samples.at(-1).ms)} ms`);
  }
  const ms = median(samples.map((s) => s.ms));
  const stages = {};
  for (const key of Object.keys(samples[0].timings)) stages[key] = median(samples.map((s) => s.timings[key]));
  return {
    name,
    files,
    bytes,
    runs: samples.length,
    ms,
    msPerMb: ms / (bytes / MB),
    stages,
    pages: samples[0].pages,
    slides: samples[0].slides,
    samples,
  };
}

// ---------------------------------------------------------------- output

function chromiumVersion(executablePath) {
  const r = spawnSync(executablePath, ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').trim().replace(/ built on .*$/, '') || 'unknown';
}

/** What the edits that did not rewrite exactly the outputs waited for did instead (all counted in their time). */
function irregular(n) {
  const also = [...new Set(n.samples.flatMap((s) => s.notWaitedFor))];
  const not = [...new Set(n.samples.flatMap((s) => s.notRewritten))];
  const builds = n.samples.filter((s) => s.builds !== 1).length;
  const what = [
    also.length ? `also rewrote ${also.map((p) => `\`${p}\``).join(', ')} (counted in their time)` : '',
    not.length ? `left ${not.map((p) => `\`${p}\``).join(', ')} as it was` : '',
    builds ? `${builds} took other than one build` : '',
  ].filter(Boolean);
  return `${n.irregular} of ${n.samples.length} edits ${what.join('; ')}.`;
}

function render(results) {
  const { floor = { coldMs: NaN, warmMs: NaN }, x1, x1Pdf, md, x50, big500, exam, warm, memory, code } = results;
  const ms = (v) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '—');
  const times = (v, of) => (Number.isFinite(v) ? `${v.toFixed(2)}× ${of}` : '—');
  const met = (ok) => (ok === null ? '—' : ok ? 'yes' : 'no');
  const kb = (b) => `${Math.round(b / 1000)} kB`;
  const perMb = (c) => `${(c.msPerMb / 1000).toFixed(2)} s/MB`;
  const corpusRow = (c, label) => [
    `cold build, ${label} (${c.files} files, ${kb(c.bytes)}; ${c.pages} pages, ${c.slides} slides; n=${c.runs}) — ${perMb(c)}`,
    ms(c.ms),
    times(c.ms / floor.coldMs, 'floor'),
    '—',
    '—',
  ];
  const smallRows = x1
    ? [
        [`floor: Chromium launch + trivial print, separate process (n=${floor.cold.length})`, ms(floor.coldMs), '1.00× floor', '—', '—'],
        [
          `floor: trivial print in a warm browser (n=${floor.warm.length})`,
          ms(floor.warmMs),
          times(floor.warmMs / floor.coldMs, 'floor'),
          '—',
          '—',
        ],
        [
          `cold build, notes ×1, full (${x1.files} files, ${kb(x1.bytes)}; ${x1.pages} pages, ${x1.slides} slides; n=${x1.samples.length})`,
          ms(x1.ms),
          times(x1.ms / floor.coldMs, 'floor'),
          '≤ 2× floor',
          met(x1.ms <= 2 * floor.coldMs),
        ],
        [
          `cold build, notes ×1, \`--only pdf\` (${x1Pdf.pages} pages; n=${x1Pdf.samples.length})`,
          ms(x1Pdf.ms),
          times(x1Pdf.ms / floor.coldMs, 'floor'),
          '—',
          '—',
        ],
        md.skipped
          ? [`md-to-pdf ${MD_TO_PDF.version}, the same notes as one file: ${md.skipped}`, '—', '—', '—', '—']
          : [
              `md-to-pdf ${md.mdToPdf} (puppeteer ${md.puppeteer}), the same notes as one file (${md.pages} pages; n=${md.samples.length})`,
              ms(md.ms),
              times(md.ms / floor.coldMs, 'floor'),
              '—',
              '—',
            ],
        [
          'PDF only: `studyguide build --only pdf` ÷ md-to-pdf, same notes, same run',
          md.skipped ? '—' : `${(x1Pdf.ms / md.ms).toFixed(2)}×`,
          '—',
          '< 1.0',
          met(md.skipped ? null : x1Pdf.ms / md.ms < 1),
        ],
      ]
    : [];
  const examRatio = exam ? exam.msPerMb / x50.msPerMb : NaN;
  const bigRows = x50
    ? [
        corpusRow(x50, 'notes ×50'),
        corpusRow(big500, '500 files'),
        corpusRow(exam, 'exam-prep, long nested lists'),
        ['exam-prep ms/MB ÷ notes ×50 ms/MB', `${examRatio.toFixed(2)}×`, '—', '≤ 2', met(examRatio <= 2)],
      ]
    : [];
  const warmRows = warm
    ? warm.notes.map((n) => [
        `warm rebuild in \`watch\`, one line appended to the ${n.role} note (${n.file}, ${n.bytes} B): save → the ${n.waitFor.length} changed outputs on disk (n=${n.samples.filter((x) => Number.isFinite(x.ms)).length})`,
        ms(n.medianMs),
        `${times(n.medianMs / floor.coldMs, 'floor')}; ${times(n.medianMs / floor.warmMs, 'warm print')}`,
        '≤ 0.25× floor',
        met(n.medianMs <= 0.25 * floor.coldMs),
      ])
    : [];
  const memoryRows = memory
    ? [
        [
          'peak memory, notes ×50 cold build, process tree with Chromium (PSS)',
          `${Math.round(memory.treePeakKb / 1024)} MB`,
          `Node alone ${Math.round(memory.nodeMaxRssKb / 1024)} MB (RSS)`,
          '≤ 500 MB',
          met(memory.treePeakKb / 1024 <= 500),
        ],
      ]
    : [];
  const codeRows = code
    ? [
        ...[code.small, code.large].map((c) => [
          `cold build, one highlighted \`python\` block of ${c.lines.toLocaleString('en')} lines (${kb(c.bytes)}; ${c.pages} pages, ${c.slides} slides; n=${c.runs})`,
          ms(c.ms),
          times(c.ms / floor.coldMs, 'floor'),
          '—',
          '—',
        ]),
        ['20,000-line block ÷ 5,000-line block, full build', `${code.ratio.toFixed(2)}×`, '—', '≤ 5', met(code.ratio <= 5)],
      ]
    : [];
  const sheet = results.sheet;
  const sheetRows = sheet
    ? [
        ...[sheet.all, sheet.fitted].map((c) => [
          `cold build, 500 files, \`--only pdf${c === sheet.fitted ? ' --pages 2' : ''}\` (${c.pages} pages; n=${c.samples.length})`,
          ms(c.ms),
          times(c.ms / floor.coldMs, 'floor'),
          '—',
          '—',
        ]),
        [
          'the sheet chosen to fit 2 pages ÷ the whole sheet, same notes, same run',
          `${sheet.ratio.toFixed(2)}×`,
          '—',
          '≤ 1.5',
          met(sheet.ratio <= 1.5),
        ],
      ]
    : [];
  const pptx = results.pptx;
  const pptxRows = pptx
    ? [
        ...[pptx.decks, pptx.withPptx].map((c) => [
          `cold build, notes ×1, \`--only slides${c === pptx.withPptx ? ',pptx' : ''}\` (${c.slides} slides; n=${c.samples.length})`,
          ms(c.ms),
          times(c.ms / floor.coldMs, 'floor'),
          '—',
          '—',
        ]),
        [
          "what the PowerPoint adds ÷ the decks' own build, same notes, same run",
          `${pptx.added.toFixed(2)}×`,
          '—',
          '≤ 1',
          met(pptx.added <= 1),
        ],
      ]
    : [];
  const rows = [...smallRows, ...bigRows, ...warmRows, ...memoryRows, ...codeRows, ...sheetRows, ...pptxRows];
  const m = results.machine;
  const lines = [
    `Machine: ${m.cpus} cores (${m.cpuModel}), load ${m.loadAtStart} at start; Node ${m.node}; ${m.chromium}; ${m.date}.`,
    '',
    '| measure | median | ratio | target | met? |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.map((cell) => String(cell).replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
    ...(warm?.notes ?? []).map((n) => {
      const list = (ps) => ps.map((p) => `\`${p}\``).join(', ');
      const firstOnly = n.first.changed.filter((p) => !n.steady.changed.includes(p));
      const sameBytes = [...new Set([...n.first.rewrittenSameBytes, ...n.steady.rewrittenSameBytes])];
      return (
        `- ${n.file}: a one-line append changes (so rewrites) ${list(n.steady.changed)}` +
        (firstOnly.length ? ` (the first append also ${list(firstOnly)})` : '') +
        (n.candidatesUnchanged.length ? `; ${list(n.candidatesUnchanged)} keep their bytes and are not rewritten` : '') +
        (sameBytes.length ? `; rewritten with the same bytes: ${list(sameBytes)}` : '') +
        `. Seen by polling every ${POLL_MS} ms: median ${ms(n.medianSeenMs)}.` +
        (n.irregular ? ` ${irregular(n)}` : '')
      );
    }),
    `- ${warm ? `Warm rebuilds include watch mode's debounce (${warm.debounceMs ?? '?'} ms in the build measured). ` : ''}Cold builds are whole processes (\`node dist/cli.js build --offline\`, spawn to exit), each into a fresh output folder; md-to-pdf is timed the same way, in runs interleaved with ours. 1 kB = 10^3 bytes, 1 MB = 10^6 bytes.`,
    ...(code
      ? [
          '- Long code: one note with one fenced `python` block; the slides show its first 2,000 lines (the default `--slide-code-lines`), the cheat sheet all of it.',
        ]
      : []),
  ];
  return lines.join('\n');
}

/** Put the table into docs/performance.md, between the markers (the rest of the page is left as written). */
async function updatePage(block) {
  const shown = path.relative(ROOT, PAGE);
  const text = await readFile(PAGE, 'utf8').catch(() => null);
  const start = text?.indexOf(MARKERS[0]) ?? -1;
  const end = text?.indexOf(MARKERS[1]) ?? -1;
  if (text === null || start < 0 || end < start) {
    log(`${shown} ${text === null ? 'not found' : `has no ${MARKERS.join(' … ')} markers`}: not updated`);
    return;
  }
  await writeFile(PAGE, `${text.slice(0, start + MARKERS[0].length)}\n${block}\n${text.slice(end)}`);
  log(`${shown}: the table between the bench markers written`);
}

// ---------------------------------------------------------------- the run

if (flags['from-results']) {
  // Render the last run's bench/results.json again (after a change to the table's layout), without measuring.
  const block = render(JSON.parse(await readFile(path.join(ROOT, 'bench', 'results.json'), 'utf8')));
  process.stdout.write(`${block}\n`);
  await updatePage(block);
  process.exit(0);
}

const work = await mkdtemp(path.join(os.tmpdir(), 'sg-bench-'));
try {
  const executablePath = ensureBrowser(() => {});
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
    loadAtStart: os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' '),
    node: process.version,
    chromium: chromiumVersion(executablePath),
    date: new Date().toISOString(),
  };
  const results = { machine, quick: QUICK, only: PARTIAL ? ONLY : undefined };
  if (runs('small')) {
    const md = await ensureMdToPdf();
    if (md.skipped) log(`md-to-pdf comparison ${md.skipped}`);

    log(`floor, notes ×1 (full and --only pdf)${md.skipped ? '' : ' and md-to-pdf'}: ${SMALL_RUNS} interleaved rounds`);
    const x1Notes = path.join(work, 'x1', 'notes');
    await copiesOfNotes(ROOT, x1Notes, 1);
    const oneFile = path.join(work, 'md-to-pdf', 'notes.md');
    await concatenatedNotes(ROOT, oneFile);
    const floorCold = [];
    const x1Samples = [];
    const x1PdfSamples = [];
    const mdSamples = [];
    const steps = [
      async () => floorCold.push(await coldFloor()),
      async () => x1Samples.push(await coldBuild(x1Notes)),
      async () => x1PdfSamples.push(await coldBuild(x1Notes, ['--only', 'pdf'])),
      ...(md.skipped ? [] : [async () => mdSamples.push(await mdToPdfRun(md, oneFile, executablePath))]),
    ];
    for (let round = 0; round < SMALL_RUNS; round++) {
      // A different order each round, so none of them always runs right after the same one.
      for (let k = 0; k < steps.length; k++) await steps[(k + round) % steps.length]();
      log(
        `  round ${round + 1}: floor ${Math.round(floorCold.at(-1).ms)}, ×1 ${Math.round(x1Samples.at(-1).ms)}, ×1 pdf ${Math.round(x1PdfSamples.at(-1).ms)}` +
          (md.skipped ? '' : `, md-to-pdf ${Math.round(mdSamples.at(-1).ms)}`) +
          ' ms',
      );
    }
    const warmSamples = await warmPrints(SMALL_RUNS * 2);
    const floor = {
      cold: floorCold.map((s) => s.ms),
      coldMs: median(floorCold.map((s) => s.ms)),
      warm: warmSamples,
      warmMs: median(warmSamples),
    };
    const x1Size = await measure(x1Notes);
    const x1 = {
      ...x1Size,
      ms: median(x1Samples.map((s) => s.ms)),
      pages: x1Samples[0].pages,
      slides: x1Samples[0].slides,
      samples: x1Samples,
    };
    const x1Pdf = { ...x1Size, ms: median(x1PdfSamples.map((s) => s.ms)), pages: x1PdfSamples[0].pages, samples: x1PdfSamples };
    const mdResult = md.skipped ? md : { ...md, ms: median(mdSamples.map((s) => s.ms)), pages: mdSamples[0].pages, samples: mdSamples };
    Object.assign(results, { floor, x1, x1Pdf, md: mdResult });
  }
  if (runs('warm')) {
    log('warm rebuild: studyguide watch in a child process, one-line appends');
    const warm = await warmRebuild(path.join(work, 'warm'));
    results.warm = warm;
  }
  if (runs('big')) {
    log('cold builds of the big corpora');
    const x50Notes = path.join(work, 'x50', 'notes');
    await copiesOfNotes(ROOT, x50Notes, 50);
    const x50 = await bigCorpus('notes ×50', x50Notes);
    const flatDir = path.join(work, 'flat500', 'notes');
    await flatNotes(ROOT, flatDir, 500);
    const big500 = await bigCorpus('500 files', flatDir);
    const examDir = path.join(work, 'exam', 'notes');
    await examPrep(examDir);
    const exam = await bigCorpus('exam-prep', examDir);

    log('peak memory: one more notes ×50 build, sampling its process tree');
    const memorySample = await coldBuild(x50Notes, [], true);
    const memory = { treePeakKb: memorySample.treePeakKb, nodeMaxRssKb: memorySample.nodeMaxRssKb, ms: memorySample.ms };
    Object.assign(results, { x50, big500, exam, memory });
  }
  if (runs('code')) {
    log('cold builds of one long highlighted code block');
    const builds = {};
    for (const [name, lines] of [
      ['small', 5000],
      ['large', 20000],
    ]) {
      const dir = path.join(work, `code-${lines}`, 'notes');
      await longCode(dir, lines);
      builds[name] = { lines, ...(await bigCorpus(`python block, ${lines} lines`, dir)) };
    }
    results.code = { ...builds, ratio: builds.large.ms / builds.small.ms };
    log(`  20,000 ÷ 5,000 lines: ${results.code.ratio.toFixed(2)}×`);
  }
  if (runs('sheet')) {
    log('the exam sheet: --pages 2 on the 500-file corpus, interleaved with the same build without --pages');
    const dir = path.join(work, 'sheet500', 'notes');
    await flatNotes(ROOT, dir, 500);
    const all = [];
    const fitted = [];
    for (let round = 0; round < BIG_RUNS; round++) {
      all.push(await coldBuild(dir, ['--only', 'pdf']));
      fitted.push(await coldBuild(dir, ['--only', 'pdf', '--pages', '2']));
      log(`  round ${round + 1}: whole ${Math.round(all.at(-1).ms)}, --pages 2 ${Math.round(fitted.at(-1).ms)} ms`);
    }
    const summary = (samples) => ({ ms: median(samples.map((x) => x.ms)), pages: samples[0].pages, samples });
    results.sheet = { all: summary(all), fitted: summary(fitted) };
    results.sheet.ratio = results.sheet.fitted.ms / results.sheet.all.ms;
  }
  if (runs('pptx')) {
    log('the PowerPoint: notes ×1, --only slides interleaved with --only slides,pptx');
    const dir = path.join(work, 'pptx', 'notes');
    await copiesOfNotes(ROOT, dir, 1);
    const decks = [];
    const withPptx = [];
    for (let round = 0; round < SMALL_RUNS; round++) {
      // A different order each round, so neither always runs right after the other.
      const pair = [
        async () => decks.push(await coldBuild(dir, ['--only', 'slides'])),
        async () => withPptx.push(await coldBuild(dir, ['--only', 'slides,pptx'])),
      ];
      for (let k = 0; k < 2; k++) await pair[(k + round) % 2]();
      log(`  round ${round + 1}: slides ${Math.round(decks.at(-1).ms)}, slides,pptx ${Math.round(withPptx.at(-1).ms)} ms`);
    }
    const summary = (samples) => ({ ms: median(samples.map((x) => x.ms)), slides: samples[0].slides, samples });
    results.pptx = { decks: summary(decks), withPptx: summary(withPptx) };
    results.pptx.added = (results.pptx.withPptx.ms - results.pptx.decks.ms) / results.pptx.decks.ms;
    log(`  the PowerPoint adds ${results.pptx.added.toFixed(2)}× the decks' own build`);
  }
  const block = render(results);
  process.stdout.write(`${block}\n`);
  if (QUICK || PARTIAL) log(`${QUICK ? '--quick' : '--only'}: bench/results.json and docs/performance.md left as they were`);
  else {
    await writeFile(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    await updatePage(block);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
