/**
 * `studyguide.config.json` (or `.js`, whose default export is the options):
 * the settings of a guide, kept with its notes. Only reading happens here;
 * the checks are the settings table's (src/settings.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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
  if (/\.m?js$/.test(target)) {
    try {
      // A changed file is imported afresh (watch re-reads it): the query defeats the module cache.
      const module = (await import(`${pathToFileURL(target).href}?t=${Date.now()}`)) as { default?: unknown };
      values = module.default;
    } catch (error) {
      throw new UserError(`${shown}: cannot load: ${firstLine(error)}`, undefined, { cause: error });
    }
  } else {
    try {
      values = JSON.parse(await readFile(target, 'utf8'));
    } catch (error) {
      throw new UserError(`${shown}: invalid JSON: ${firstLine(error)}`, undefined, { cause: error });
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
