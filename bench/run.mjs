#!/usr/bin/env node
/**
 * `npm run bench`: cold builds of four corpora, a warm rebuild in watch mode,
 * peak memory, and the floor they are compared with (a bare Chromium launch
 * plus a trivial print, and a warm trivial print). Medians of several runs,
 * measured in one run on this machine; results in bench/results.json.
 * Not part of `npm test`: timings are noisy and depend on the machine.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, appendFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const { watch } = await import(path.join(ROOT, 'dist', 'index.js'));
const { ensureBrowser, launchBrowser } = await import(path.join(ROOT, 'dist', 'browser.js'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const log = (line) => process.stderr.write(`${line}\n`);

/**
 * Memory of a process and all its descendants, in kB: the sum of their PSS
 * (proportional set size), so pages Chromium's processes share count once.
 */
async function treeRssKb(root) {
  const parents = new Map();
  const rss = new Map();
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? 0);
    parents.set(Number(entry), ppid);
  }
  const wanted = new Set();
  const mark = (pid) => {
    wanted.add(pid);
    for (const [child, parent] of parents) if (parent === pid) mark(child);
  };
  mark(root);
  for (const pid of wanted) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    rss.set(pid, Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0));
  }
  let total = 0;
  const walk = (pid) => {
    total += rss.get(pid) ?? 0;
    for (const [child, parent] of parents) if (parent === pid) walk(child);
  };
  walk(root);
  return total;
}

/**
 * Run a command and time it. With `sampleMemory`, also sample the peak memory
 * of its process tree (reading /proc costs CPU: timing runs do not sample).
 */
function runTimed(args, sampleMemory = false) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const sampler = sampleMemory ? setInterval(async () => (peak = Math.max(peak, await treeRssKb(child.pid))), 100) : null;
    child.once('exit', (code) => {
      if (sampler) clearInterval(sampler);
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`exit ${code}: ${stderr}`));
      else resolve({ ms, stdout, peakTreeKb: peak });
    });
  });
}

async function corpus(dir, copies, flat500 = false) {
  const notes = path.join(dir, 'notes');
  await mkdir(notes, { recursive: true });
  const sources = (await readdir(path.join(ROOT, 'notes'))).filter((f) => f.endsWith('.md')).sort();
  const texts = await Promise.all(sources.map((f) => readFile(path.join(ROOT, 'notes', f), 'utf8')));
  if (flat500) {
    for (let i = 0; i < 500; i++) {
      const text = texts[i % texts.length].replace(/^# (.*)$/m, `# $1 (${i + 1})`);
      await writeFile(path.join(notes, `${String(i + 1).padStart(3, '0')}-${sources[i % sources.length]}`), text);
    }
  } else {
    for (let k = 1; k <= copies; k++) {
      const sub = copies === 1 ? notes : path.join(notes, `copy-${String(k).padStart(2, '0')}`);
      await mkdir(sub, { recursive: true });
      for (const [i, f] of sources.entries()) {
        await writeFile(path.join(sub, f), copies === 1 ? texts[i] : texts[i].replace(/^# (.*)$/gm, `# $1 (${k})`));
      }
    }
  }
  let bytes = 0;
  for (const f of await readdir(notes, { recursive: true })) {
    const s = await stat(path.join(notes, f));
    if (s.isFile()) bytes += s.size;
  }
  return { notes, bytes };
}

async function coldBuilds(name, notes, runs) {
  const samples = [];
  // The last run only measures memory (its time is not counted).
  for (let i = 0; i <= runs; i++) {
    const out = await mkdtemp(path.join(os.tmpdir(), 'sg-bench-out-'));
    const memoryRun = i === runs;
    const r = await runTimed([CLI, 'build', '--notes', notes, '--out', out, '--offline', '--json'], memoryRun);
    const json = JSON.parse(r.stdout.trim().split('\n').pop());
    samples.push({
      ms: r.ms,
      timings: json.timings,
      nodeRssKb: json.maxRssKb,
      treeRssKb: r.peakTreeKb,
      pages: json.pdfPages,
      slides: json.slides,
      memoryRun,
    });
    await rm(out, { recursive: true, force: true });
  }
  const timed = samples.filter((s) => !s.memoryRun);
  const stages = {};
  for (const key of Object.keys(timed[0].timings)) stages[key] = median(timed.map((s) => s.timings[key]));
  const result = {
    name,
    runs,
    totalMs: median(timed.map((s) => s.ms)),
    stages,
    peakNodeRssMb: Math.max(...samples.map((s) => s.nodeRssKb)) / 1024,
    peakTreeRssMb: Math.max(...samples.map((s) => s.treeRssKb)) / 1024,
    pdfPages: samples[0].pages,
    slides: samples[0].slides,
  };
  log(`  ${name}: ${Math.round(result.totalMs)} ms (median of ${runs})`);
  return result;
}

async function floor(runs) {
  const script = `
    const { ensureBrowser, launchBrowser } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'browser.js'))});
    const browser = await launchBrowser(ensureBrowser(() => {}));
    const page = await browser.newPage();
    await page.setContent('<p>hello</p>');
    await page.pdf();
    await browser.close();`;
  const cold = [];
  for (let i = 0; i < runs; i++) cold.push((await runTimed(['--input-type=module', '-e', script])).ms);
  const browser = await launchBrowser(ensureBrowser(() => {}));
  const page = await browser.newPage();
  const warm = [];
  for (let i = 0; i < runs * 2; i++) {
    const t = performance.now();
    await page.setContent(`<p>hello ${i}</p>`);
    await page.pdf();
    warm.push(performance.now() - t);
  }
  await browser.close();
  return { coldMs: median(cold), warmPrintMs: median(warm) };
}

async function warmRebuild(dir, edits) {
  const { notes } = await corpus(dir, 1);
  const out = path.join(dir, 'out');
  let resolveBuild = null;
  const watcher = watch({ notes, out, offline: true, onBuild: (o) => resolveBuild?.(o) });
  await watcher.ready;
  const samples = [];
  for (let i = 0; i < edits; i++) {
    const built = new Promise((r) => (resolveBuild = r));
    const t = performance.now();
    await appendFile(path.join(notes, '04-vpc.md'), `\nEdit number ${i}.\n`);
    const outcome = await built;
    if (outcome.error) throw outcome.error;
    samples.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 150));
  }
  await watcher.close();
  return { medianMs: median(samples), samples: samples.map(Math.round) };
}

const work = await mkdtemp(path.join(os.tmpdir(), 'sg-bench-'));
try {
  log('floor: bare Chromium launch + trivial print, warm trivial print');
  const base = await floor(5);
  log('cold builds');
  const corpora = [];
  for (const [name, copies, runs, flat] of [
    ['notes ×1', 1, 5, false],
    ['notes ×10', 10, 3, false],
    ['notes ×50', 50, 3, false],
    ['500 files', 0, 3, true],
  ]) {
    const { notes, bytes } = await corpus(path.join(work, name.replace(/\W+/g, '')), copies, flat);
    corpora.push({
      ...(await coldBuilds(name, notes, runs)),
      bytes,
      files: (await readdir(notes, { recursive: true })).filter((f) => f.endsWith('.md')).length,
    });
  }
  log('warm rebuild after a one-line edit (watch mode)');
  const warm = await warmRebuild(path.join(work, 'warm'), 9);

  const x1 = corpora[0];
  const x50 = corpora[2];
  const parseMsPerMb = corpora.map((c) => ({ name: c.name, msPerMb: (c.stages.load + c.stages.parse + c.stages.tree) / (c.bytes / 1e6) }));
  const results = {
    machine: { cpus: os.cpus().length, node: process.version, date: new Date().toISOString() },
    floor: base,
    corpora,
    warmRebuild: warm,
    parseMsPerMb,
    targets: {
      warmRebuildUnder500ms: warm.medianMs <= 500,
      warmRebuildUnder2xWarmPrint: warm.medianMs <= 2 * base.warmPrintMs,
      coldUnder1_5xFloor: x1.totalMs <= 1.5 * base.coldMs,
      x50Under5xX1: x50.totalMs <= 5 * x1.totalMs,
      x50PeakTreeRssUnder500MB: x50.peakTreeRssMb <= 500,
    },
  };
  await writeFile(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const r = (ms) => `${Math.round(ms)} ms`;
  const ratio = (ms, of) => `${(ms / of).toFixed(2)}×`;
  const rows = [
    ['floor: Chromium launch + trivial print (cold)', r(base.coldMs), '1.00×', ''],
    ['floor: trivial print (warm browser)', r(base.warmPrintMs), ratio(base.warmPrintMs, base.coldMs), ''],
    ...corpora.map((c) => [
      `cold build, ${c.name} (${c.files} files, ${(c.bytes / 1024).toFixed(0)} KB; ${c.pdfPages} pages, ${c.slides} slides)`,
      r(c.totalMs),
      ratio(c.totalMs, base.coldMs),
      `parse+tree ${r(c.stages.load + c.stages.parse + c.stages.tree)}, PDF+decks ${r(c.stages.cheatsheet ?? 0)}; peak memory ${c.peakNodeRssMb.toFixed(0)} MB node (RSS), ${c.peakTreeRssMb.toFixed(0)} MB with Chromium (PSS)`,
    ]),
    [
      'warm rebuild after a one-line edit, notes ×1 (save → all outputs)',
      r(warm.medianMs),
      ratio(warm.medianMs, base.coldMs),
      `${ratio(warm.medianMs, base.warmPrintMs)} a warm trivial print`,
    ],
  ];
  const table = [
    '| measure | median | vs cold floor | notes |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
  process.stdout.write(
    `${table}\n\nparse + tree per MB: ${parseMsPerMb.map((p) => `${p.name} ${Math.round(p.msPerMb)} ms/MB`).join(', ')}\n`,
  );
  process.stdout.write(`targets: ${JSON.stringify(results.targets)}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
