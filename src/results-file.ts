/**
 * The live quiz's results file: `<results>/<date>-<time>.csv`, one per session, in the format
 * src/results.ts reads (docs/syntax.md#study-results). Each answer is one row, written to the file
 * before the answer is acknowledged: a server killed afterwards (even by SIGKILL: the kernel holds
 * what was written) loses nothing already answered.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { ExitCode, UserError } from './errors.js';

/** The columns, in order. */
export const RESULT_COLUMNS = ['time', 'card', 'question', 'who', 'answer', 'right'] as const;

export type ResultRow = Record<(typeof RESULT_COLUMNS)[number], string>;

export interface ResultsFile {
  /** Its absolute path. */
  path: string;
  /** Append one row, at once. */
  append(row: ResultRow): void;
  /** Close it; a file that got no answer (only its header) is removed. */
  close(): void;
}

const two = (n: number) => String(n).padStart(2, '0');

/** `2026-12-07-193005`: the session's start, local time, sorting as it reads. */
export const sessionName = (at: Date) =>
  `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;

/** A new results file in `dir` (made if need be), named by `at`, its header written; another session's file is never reused. */
export function openResultsFile(dir: string, at = new Date()): ResultsFile {
  let fd: number | null = null;
  let file = '';
  try {
    mkdirSync(dir, { recursive: true });
    for (let n = 1; fd === null; n++) {
      file = path.join(dir, `${sessionName(at)}${n > 1 ? `-${n}` : ''}.csv`);
      try {
        fd = openSync(file, 'wx');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw error;
      }
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UserError(`cannot write the quiz's results in ${dir} (${code}); pass --results DIR`, ExitCode.BadInput, { cause: error });
  }
  const handle = fd;
  const write = (fields: readonly string[]) => {
    const bytes = Buffer.from(stringify([fields], { record_delimiter: 'unix' }));
    for (let at = 0; at < bytes.length;) at += writeSync(handle, bytes, at);
  };
  write(RESULT_COLUMNS);
  let open = true;
  let rows = 0;
  return {
    path: file,
    append(row) {
      if (!open) return;
      write(RESULT_COLUMNS.map((column) => row[column]));
      rows++;
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(handle);
      if (rows === 0) rmSync(file, { force: true });
    },
  };
}
