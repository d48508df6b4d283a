/** What the user sees: progress per stage, warnings with positions, a one-line summary. */
import { VFileMessage } from 'vfile-message';

export interface Reporter {
  /** A stage finished: name, what it did, how long it took. */
  stage(name: string, detail: string, ms: number): void;
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
  return {
    stage(name, detail, ms) {
      if (verbose) stream.write(`${dim('✓')} ${name.padEnd(11)} ${detail} ${dim(`${Math.round(ms)} ms`)}\n`);
    },
    warn(line) {
      stream.write(`${yellow('warning')} ${line}\n`);
    },
    info(line) {
      stream.write(`${line}\n`);
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

/** Times the stages of a build: each call ends one stage, reports it and records its milliseconds. */
export function stageTimer(reporter: Reporter) {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const stage = (name: string, detail: string) => {
    const now = performance.now();
    timings[name] = now - mark;
    reporter.stage(name, detail, now - mark);
    mark = now;
  };
  return { stage, timings };
}

/** A page of the build tried to load something off the machine: blocked, and reported. */
export const blockedWarning = (url: string) =>
  buildWarning(`the browser tried to load a non-local resource (blocked): ${url}`, 'blocked-request');
