/**
 * A `studyguide.config.js` is code: it runs in a worker thread, never in the
 * tool's own thread, with a time limit. A config that loops forever, awaits
 * forever or leaves a timer running then cannot hang or keep the tool alive
 * (the worker is ended), and Ctrl-C is still heard meanwhile.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** How long a config may take to give its settings. */
export const CONFIG_TIMEOUT_MS = 10_000;

/**
 * Runs in the worker (a script, so it needs no file of its own next to the bundle): imports the
 * config and sends back a copy of its default export. The copy is made here, so that getters
 * run here too, and a getter that throws is the config's error, not the tool's.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const fail = (error) => parentPort.postMessage({
  error: error instanceof Error ? error.name + ': ' + error.message : 'threw ' + String(error),
  stack: error instanceof Error ? String(error.stack) : '',
});
import(workerData.url).then((module) => {
  try {
    parentPort.postMessage({ value: structuredClone(module.default) });
  } catch (error) {
    fail(error);
  }
}, fail);
`;

export type ConfigOutcome = { value: unknown } | { error: string; where?: string } | { timeout: true };

/** The default export of the config module `file` (absolute), read in a worker; `url` can defeat the module cache. */
export function runConfigModule(file: string, url = pathToFileURL(file).href, timeoutMs = CONFIG_TIMEOUT_MS): Promise<ConfigOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { url }, stdout: true, stderr: true });
    // What the config prints goes to stderr: stdout is the build's (`--json`).
    worker.stdout.pipe(process.stderr, { end: false });
    worker.stderr.pipe(process.stderr, { end: false });
    let settled = false;
    const finish = (outcome: ConfigOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Whatever the config left running (a timer, a pending promise) ends with its worker.
      void worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ timeout: true }), timeoutMs);
    worker.on('message', (message: { value?: unknown; error?: string; stack?: string }) => {
      if ('value' in message) finish({ value: message.value });
      else {
        const error = message.error ?? 'failed';
        // Node keeps a syntax error's place out of its stack: `node --check` prints it.
        finish({ error, where: placeIn(message.stack ?? '', url) ?? (error.startsWith('SyntaxError') ? syntaxPlace(file) : undefined) });
      }
    });
    worker.on('error', (error) => finish({ error: `${error.name}: ${error.message}`, where: placeIn(String(error.stack), url) }));
    // The worker ran out of things to do before the import settled: an await on what never comes.
    worker.on('exit', (code) =>
      finish({
        error:
          code === 0 ? 'it never finished loading (a top-level await that never settles?)' : `it ended the process (exit code ${code})`,
      }),
    );
  });
}

/** `line:column` of the first place in the config file a stack names. */
function placeIn(stack: string, url: string): string | undefined {
  const base = url.replace(/\?.*$/, '');
  for (const line of stack.split('\n')) {
    const at = line.indexOf(base);
    if (at < 0) continue;
    // `file:///…/x.js?t=1:3:9` in a stack frame; `file:///…/x.js:3` above a syntax error.
    const m = /^(?:\?[^:\s)]*)?:(\d+)(?::(\d+))?/.exec(line.slice(at + base.length));
    if (m) return m[2] ? `${m[1]}:${m[2]}` : m[1];
  }
  return undefined;
}

/** `line:column` of the syntax error in `file`, as `node --check` shows it (the line, then a caret under the column). */
function syntaxPlace(file: string): string | undefined {
  const { stderr } = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: CONFIG_TIMEOUT_MS });
  const lines = (stderr ?? '').split('\n');
  const at = lines.findIndex((line) => line.startsWith(`${file}:`));
  const line = at >= 0 ? /:(\d+)$/.exec(lines[at]!)?.[1] : undefined;
  const caret = at >= 0 ? (lines[at + 2] ?? '').indexOf('^') : -1;
  return line ? (caret >= 0 ? `${line}:${caret + 1}` : line) : undefined;
}
