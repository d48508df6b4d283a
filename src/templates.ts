/** Handlebars templates and their assets from `templates/` (a notes folder may override them). */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { firstLine, UserError } from './errors.js';

/** The bundled templates folder (next to `dist/` in the package). */
export const BUNDLED_TEMPLATES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'templates');

export interface TemplateSource {
  /** Folders searched in order: the user's overrides first, then the bundled ones. */
  dirs: string[];
  /** Compiled templates by file, kept by a builder across rebuilds: a template is compiled again only when its text changed. */
  compiled?: Map<string, { text: string; render: Template }>;
}

/** A compiled template: context in, HTML out. */
export type Template = (context: unknown) => string;

/** Path of a template file: the first folder that has it wins. */
export function templatePath(source: TemplateSource, name: string): string {
  for (const dir of source.dirs) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new UserError(`template not found: ${name} (looked in ${source.dirs.join(', ')})`);
}

export function readTemplateFile(source: TemplateSource, name: string): Promise<string> {
  return readFile(templatePath(source, name), 'utf8');
}

/** A compiled template; errors name the template file and line. */
export async function loadTemplate(source: TemplateSource, name: string): Promise<Template> {
  const file = templatePath(source, name);
  const text = await readFile(file, 'utf8');
  const known = source.compiled?.get(file);
  if (known?.text === text) return known.render;
  const render = compileTemplate(file, text);
  source.compiled?.set(file, { text, render });
  return render;
}

function compileTemplate(file: string, text: string): Template {
  const hbs = Handlebars.create();
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c'));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  let template: Handlebars.TemplateDelegate;
  try {
    template = hbs.compile(text, { strict: false, noEscape: false });
  } catch (error) {
    throw new UserError(`${path.relative(process.cwd(), file)}: template error: ${firstLine(error)}`, undefined, { cause: error });
  }
  return (context) => {
    try {
      return template(context);
    } catch (error) {
      const message = (error as Error).message.replace(/\s+/g, ' ');
      throw new UserError(`${path.relative(process.cwd(), file)}: template error: ${message}`, undefined, { cause: error });
    }
  };
}

/** Scripts that were templates before the page code moved to src/page/: an override of one is no longer read. */
const RETIRED = ['cheatsheet.js', 'split.js', 'slides-fit.js', 'handout.js', 'flashcards.js', 'mermaid.js', 'follow.js', 'live-reload.js'];

/** The user's overrides (in every folder but the bundled one) of scripts that are no longer templates. */
export function retiredOverrides(source: TemplateSource): string[] {
  const userDirs = source.dirs.filter((dir) => path.resolve(dir) !== BUNDLED_TEMPLATES);
  return userDirs.flatMap((dir) => RETIRED.map((name) => path.join(dir, name)).filter((file) => existsSync(file)));
}

/** The text of every template and stylesheet in the folders (for the characters they add: `content: "»"`, icons). */
export async function templateTexts(source: TemplateSource): Promise<string[]> {
  const files = await Promise.all(
    source.dirs.map(async (dir) => {
      const names = await readdir(dir).catch(() => [] as string[]);
      return names.filter((name) => /\.(hbs|css)$/.test(name)).map((name) => path.join(dir, name));
    }),
  );
  // A template that cannot be read adds no characters here; loading it fails where it is used, with its name.
  return Promise.all(files.flat().map((file) => readFile(file, 'utf8').catch(() => '')));
}
