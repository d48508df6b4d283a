/**
 * `studyguide.config.json` (or `.js`, whose default export is the options, run in a worker: src/config-js.ts):
 * the settings of a guide, kept with its notes. Only reading happens here;
 * the checks are the settings table's (src/settings.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_TIMEOUT_MS, runConfigModule } from './config-js.js';
import { firstLine, UserError } from './errors.js';
import { checkConfig } from './settings.js';

export const CONFIG_FILE = 'studyguide.config.json';

export interface ConfigFile {
  /** Absolute path of the file. */
  file: string;
  values: Record<string, unknown>;
}

/**
 * The config file: `file` when given (it must exist), else `studyguide.config.json`
 * or `studyguide.config.js` in `cwd`, else null. Its values are checked here, so a
 * bad file is reported before anything is built.
 */
export async function loadConfig(file: string | undefined, cwd = process.cwd()): Promise<ConfigFile | null> {
  const target = file ? path.resolve(cwd, file) : await findConfig(cwd);
  if (!target) return null;
  const shown = path.relative(cwd, target) || target;
  if (!(await stat(target).catch(() => null))) throw new UserError(`config file not found: ${file}`);
  let values: unknown;
  if (/\.[cm]?js$/.test(target)) {
    // A changed file is imported afresh (watch re-reads it): the query defeats the module cache.
    const outcome = await runConfigModule(target, `${pathToFileURL(target).href}?t=${Date.now()}`);
    if ('timeout' in outcome)
      throw new UserError(
        `${shown}: did not give its settings within ${CONFIG_TIMEOUT_MS / 1000} s (a loop, or an await that never ends?)`,
      );
    if ('error' in outcome)
      throw new UserError(`${shown}${outcome.where ? `:${outcome.where}` : ''}: cannot load: ${outcome.error.split('\n')[0]}`);
    values = outcome.value;
  } else {
    const text = await readFile(target, 'utf8');
    try {
      values = JSON.parse(text);
    } catch (error) {
      throw new UserError(`${shown}${jsonPlace(text, error)}: invalid JSON: ${firstLine(error)}`, undefined, { cause: error });
    }
  }
  checkConfig(values, shown);
  return { file: target, values: values as Record<string, unknown> };
}

/** The config file a folder has, if any. */
export async function findConfig(cwd: string): Promise<string | null> {
  for (const name of [CONFIG_FILE, CONFIG_FILE.replace(/\.json$/, '.js')]) {
    const candidate = path.resolve(cwd, name);
    if (await stat(candidate).catch(() => null)) return candidate;
  }
  return null;
}

/** `:line:column` of a JSON syntax error, from the offset V8 names ("… at position 42"); empty when it names none. */
function jsonPlace(text: string, error: unknown): string {
  const m = /at position (\d+)/.exec(firstLine(error));
  if (!m) return '';
  const before = text.slice(0, Number(m[1])).split('\n');
  return `:${before.length}:${before[before.length - 1]!.length + 1}`;
}
