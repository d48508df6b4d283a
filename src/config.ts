/**
 * `studyguide.config.json`: every build option, so a guide's settings live
 * with its notes. CLI flags override it; a bad key is a clear error naming it.
 */
import { readFile, stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { BuildOptions } from './build.js';
import { UserError } from './errors.js';

export const CONFIG_FILE = 'studyguide.config.json';

/** The options a config file may set, with the check each value must pass. */
const KEYS: Record<string, [string, (v: unknown) => boolean]> = {
  notes: ['a folder path', isString],
  out: ['a folder path', isString],
  only: ['a list of "pdf", "slides"', (v) => Array.isArray(v) && v.every((x) => x === 'pdf' || x === 'slides')],
  title: ['text', isString],
  paper: ['"A4" or "Letter"', (v) => v === 'A4' || v === 'Letter'],
  landscape: ['true or false', isBoolean],
  columns: ['a whole number from 1 to 12', (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 12],
  fontSize: ['a size in points from 3 to 30', (v) => isNumber(v) && v >= 3 && v <= 30],
  pages: ['a whole number from 1 to 100', (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100],
  minFontSize: ['a size in points from 3 to 30', (v) => isNumber(v) && v >= 3 && v <= 30],
  topics: ['a list of slug or title patterns', (v) => Array.isArray(v) && v.every(isString)],
  tags: ['a list of tags', (v) => Array.isArray(v) && v.every(isString)],
  images: ['true or false', isBoolean],
  theme: ['a reveal.js theme name', isString],
  css: ['a list of stylesheet paths', (v) => Array.isArray(v) && v.every(isString)],
  fragments: ['true or false', isBoolean],
  handout: ['true or false', isBoolean],
  handoutLayout: ['"COLUMNSxROWS", e.g. "2x3"', (v) => isString(v) && /^\d+x\d+$/.test(v)],
  handoutNotes: ['true or false', isBoolean],
  offline: ['true or false', isBoolean],
  strict: ['true or false', isBoolean],
  allowHtml: ['true or false', isBoolean],
  glossary: ['true or false', isBoolean],
  shuffle: ['true or false', isBoolean],
  seed: ['a whole number', (v) => Number.isInteger(v) && (v as number) >= 0],
};

function isString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}
function isBoolean(v: unknown): v is boolean {
  return typeof v === 'boolean';
}
function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export type ConfigFile = Partial<{
  notes: string;
  out: string;
  only: ('pdf' | 'slides')[];
  title: string;
  paper: 'A4' | 'Letter';
  landscape: boolean;
  columns: number;
  fontSize: number;
  pages: number;
  minFontSize: number;
  topics: string[];
  tags: string[];
  images: boolean;
  theme: string;
  css: string[];
  fragments: boolean;
  handout: boolean;
  handoutLayout: string;
  handoutNotes: boolean;
  offline: boolean;
  strict: boolean;
  allowHtml: boolean;
  glossary: boolean;
  shuffle: boolean;
  seed: number;
}>;

/** Check a parsed config object; `where` names the file in messages. */
export function validateConfig(data: unknown, where: string): ConfigFile {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UserError(`${where}: expected an object of options`);
  for (const [key, value] of Object.entries(data)) {
    const rule = KEYS[key];
    if (!rule) throw new UserError(`${where}: unknown key "${key}" (known: ${Object.keys(KEYS).join(', ')})`);
    if (!rule[1](value)) throw new UserError(`${where}: "${key}" must be ${rule[0]}`);
  }
  return data as ConfigFile;
}

/**
 * Read the config file: the given path (must exist), else `studyguide.config.json`
 * (or `studyguide.config.js`, whose default export is the options) in `cwd`.
 */
export async function loadConfig(file: string | undefined, cwd = process.cwd()): Promise<ConfigFile> {
  const candidates = file ? [file] : [CONFIG_FILE, CONFIG_FILE.replace(/\.json$/, '.js')];
  for (const candidate of candidates) {
    const target = path.resolve(cwd, candidate);
    const shown = path.relative(cwd, target) || target;
    if (!(await stat(target).catch(() => null))) continue;
    if (target.endsWith('.js') || target.endsWith('.mjs')) {
      let module: { default?: unknown };
      try {
        module = (await import(pathToFileURL(target).href)) as { default?: unknown };
      } catch (error) {
        throw new UserError(`${shown}: cannot load: ${(error as Error).message.split('\n')[0]}`);
      }
      return validateConfig(module.default, shown);
    }
    let data: unknown;
    try {
      data = JSON.parse(await readFile(target, 'utf8'));
    } catch (error) {
      throw new UserError(`${shown}: invalid JSON: ${(error as Error).message}`);
    }
    return validateConfig(data, shown);
  }
  if (file) throw new UserError(`config file not found: ${file}`);
  return {};
}

/** Config file keys → build options (the file uses the CLI's names). */
export function configToOptions(config: ConfigFile): Partial<BuildOptions> {
  const { fontSize, minFontSize, ...rest } = config;
  const out: Partial<BuildOptions> = { ...rest };
  if (fontSize !== undefined) out.fontPt = fontSize;
  if (minFontSize !== undefined) out.minFontPt = minFontSize;
  return out;
}
