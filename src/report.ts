/** What the user sees: progress per stage, warnings with positions, a one-line summary. */
import { VFileMessage } from 'vfile-message';

export interface Reporter {
  /** A stage finished: name, what it did, how long it took. */
  stage(name: string, detail: string, ms: number): void;
  /** What runs now (a stage, or targets at once), until the next call; null: the build is over. */
  running?(what: string | null): void;
  warn(line: string): void;
  info(line: string): void;
}

/** `notes/01-cloud-hsm.md:3:1 image not found: ./ss/hsm-1.webp` */
export function formatMessage(message: VFileMessage): string {
  const where = message.file ? `${message.file}:${message.line ?? 1}:${message.column ?? 1} ` : '';
  return `${where}${message.reason}`;
}

/** Stages are shown on a terminal, or when STUDYGUIDE_PROGRESS=1. */
export function consoleReporter(
  stream: NodeJS.WriteStream = process.stderr,
  verbose = (stream.isTTY ?? false) || process.env.STUDYGUIDE_PROGRESS === '1',
): Reporter {
  const color = stream.isTTY && !process.env.NO_COLOR;
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
  const yellow = (s: string) => (color ? `\x1b[33m${s}\x1b[39m` : s);
  const ticker = verbose ? progressLine(stream, dim) : null;
  const write = (text: string) => {
    ticker?.clear();
    stream.write(text);
  };
  return {
    stage(name, detail, ms) {
      if (verbose) write(`${dim('✓')} ${name.padEnd(11)} ${detail} ${dim(`${Math.round(ms)} ms`)}\n`);
    },
    running(what) {
      ticker?.set(what);
    },
    warn(line) {
      write(`${yellow('warning')} ${line}\n`);
    },
    info(line) {
      write(`${line}\n`);
    },
  };
}

/** A stage still running after this long is shown as running, with its seconds (STUDYGUIDE_PROGRESS_AFTER_MS for tests). */
const PROGRESS_AFTER_MS = Number(process.env.STUDYGUIDE_PROGRESS_AFTER_MS ?? 2000);

/**
 * `… cheatsheet, decks (12 s)` while a stage runs longer than PROGRESS_AFTER_MS: on a terminal one
 * line, rewritten each second and cleared before anything else is written; elsewhere (progress
 * asked for with STUDYGUIDE_PROGRESS=1) one line per stage that runs that long.
 */
function progressLine(stream: NodeJS.WriteStream, dim: (s: string) => string) {
  let what: string | null = null;
  let since = 0;
  /** When the build began: once it has run that long, each stage is shown as it starts (a synchronous one cannot tick). */
  let began: number | null = null;
  let shown = false;
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    const now = performance.now();
    if (what === null || (now - since < PROGRESS_AFTER_MS && now - began! < PROGRESS_AFTER_MS)) return;
    const line = `${dim('…')} ${what} ${dim(`(${Math.floor((performance.now() - since) / 1000)} s)`)}`;
    if (stream.isTTY) stream.write(`\r\x1b[K${line}`);
    else if (!shown) stream.write(`${line}\n`);
    shown = true;
  };
  return {
    set(next: string | null) {
      this.clear();
      what = next;
      since = performance.now();
      began = next === null ? null : (began ?? since);
      shown = false;
      if (timer) clearInterval(timer);
      timer = next === null ? null : setInterval(tick, Math.min(1000, Math.max(PROGRESS_AFTER_MS, 50)));
      // A progress line is no reason to keep the process alive.
      timer?.unref();
      tick();
    },
    clear() {
      if (shown && stream.isTTY) stream.write('\r\x1b[K');
      if (stream.isTTY) shown = false;
    },
  };
}

export const silentReporter: Reporter = { stage() {}, warn() {}, info() {} };

/** A message that only informs (`fatal: undefined`, like vfile's `file.info()`): printed, never a warning, never fails --strict. */
export function infoMessage(reason: string, ruleId: string): VFileMessage {
  const message = new VFileMessage(reason, { ruleId, source: 'studyguide' });
  message.fatal = undefined;
  return message;
}

/** A warning about the build, not about one note: `ruleId` names the check, `source` is always `studyguide`. */
export function buildWarning(reason: string, ruleId: string): VFileMessage {
  const message = new VFileMessage(reason, { ruleId, source: 'studyguide' });
  message.fatal = false;
  return message;
}

/**
 * Times the stages of a build: each `stage` call ends one stage, reports it and records its
 * milliseconds; `next` says what runs now (for the progress line of a long build).
 */
export function stageTimer(reporter: Reporter) {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const stage = (name: string, detail: string, next?: string | null) => {
    const now = performance.now();
    timings[name] = now - mark;
    reporter.stage(name, detail, now - mark);
    mark = now;
    if (next !== undefined) reporter.running?.(next);
  };
  return { stage, timings, running: (what: string | null) => reporter.running?.(what) };
}

/** A page of the build tried to load something off the machine: blocked, and reported. */
export const blockedWarning = (url: string) =>
  buildWarning(`the browser tried to load a non-local resource (blocked): ${url}`, 'blocked-request');
