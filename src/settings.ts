/**
 * Every setting in one table: its name (the config-file key, the flag in
 * kebab-case), what a valid value is, its default and its help. The command
 * line's flags and --help, the config file's checks and the API's options all
 * come from here, and `resolveSettings` turns them, once and before any
 * browser work, into the `ResolvedSettings` the pipeline takes.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, UserError } from './errors.js';
import { isInside, realPathOf, RESULTS_DIR } from './paths.js';
import { listThemes } from './render/assets.js';

/** How one setting is given and checked. `T` is the resolved value. */
export interface Setting<T> {
  /** Placeholder of the flag's value (`--columns <n>`); none for on/off flags. */
  arg?: string;
  help: string;
  /** What a valid value is, for messages: "a whole number from 1 to 12". */
  expects: string;
  default: T;
  /** A value as given (config file, API, or a flag's text after `fromText`) → the setting, or `undefined` when invalid. */
  check(value: unknown): T | undefined;
  /** The text of a flag → a value for `check`; lists add up over repeated flags. */
  fromText?(text: string, previous: unknown): unknown;
  /** A path, or paths: resolved against the config file's folder when given there, else the working directory. */
  path?: boolean;
  /** A value as --help shows it, when the value itself does not read well. */
  show?(value: T): string;
  /** Only these commands take the flag (default: every command that builds). */
  commands?: Command[];
}

export type Command = 'build' | 'watch' | 'serve' | 'present';

/** `30m`, `1h`, `1h30m`, `90s`, or minutes alone (`45`) → seconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?\s*$/i.exec(text);
  const minutesAlone = /^\s*(\d+)\s*$/.exec(text);
  const seconds = minutesAlone
    ? Number(minutesAlone[1]) * 60
    : m && (m[1] || m[2] || m[3])
      ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
      : undefined;
  return seconds && seconds > 0 && seconds <= 24 * 3600 ? seconds : undefined;
}

const duration: Setting<number | undefined> = {
  arg: 'time',
  help: "present: the talk's length (30m, 1h30m): the speaker view paces it",
  expects: 'a length of time such as 30m, 1h30m or 90s',
  default: undefined,
  check: (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : typeof v === 'string' ? parseDuration(v) : undefined),
  fromText: (text) => parseDuration(text) ?? text,
  show: (v) => (v === undefined ? 'none' : `${v} s`),
  commands: ['present'],
};

const onOff = (help: string, defaultValue = false): Setting<boolean> => ({
  help,
  expects: 'true or false',
  default: defaultValue,
  check: (v) => (typeof v === 'boolean' ? v : undefined),
});

const whole = <D extends number | undefined>(
  min: number,
  max: number,
  defaultValue: D,
  arg: string,
  help: string,
  commands?: Command[],
): Setting<number | D> => ({
  arg,
  help,
  expects: `a whole number from ${min} to ${max}`,
  default: defaultValue,
  check: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined),
  fromText: Number,
  ...(commands ? { commands } : {}),
});

const points = (defaultValue: number, help: string): Setting<number> => ({
  arg: 'pt',
  help,
  expects: 'a size in points from 3 to 30',
  default: defaultValue,
  check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 3 && v <= 30 ? v : undefined),
  fromText: Number,
});

const text = <D extends string | undefined>(
  arg: string,
  help: string,
  defaultValue: D,
  more: Partial<Setting<string>> = {},
): Setting<string | D> => ({
  arg,
  help,
  expects: 'text',
  default: defaultValue,
  check: (v) => (typeof v === 'string' && v.length > 0 ? v : undefined),
  fromText: String,
  ...more,
});

const oneOf = <C extends string>(choices: readonly C[], defaultValue: C, arg: string, help: string): Setting<C> => ({
  arg,
  help,
  expects: choices.map((c) => `"${c}"`).join(' or '),
  default: defaultValue,
  check: (v) => (choices.includes(v as C) ? (v as C) : undefined),
  fromText: String,
});

/** Comma separated on the command line, repeatable; a JSON list in a config file. */
const list = <C extends string = string>(
  arg: string,
  help: string,
  more: { choices?: readonly C[]; default?: C[]; path?: boolean; expects?: string } = {},
): Setting<C[]> => ({
  arg,
  help,
  expects: more.expects ?? (more.choices ? `a list of ${more.choices.map((c) => `"${c}"`).join(', ')}` : 'a list of text'),
  default: more.default ?? [],
  check: (v) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0 && (!more.choices || more.choices.includes(x as C)))
      ? (v as C[])
      : undefined,
  fromText: (value, previous) => [
    ...((previous as string[] | undefined) ?? []),
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ],
  ...(more.path ? { path: true } : {}),
});

/**
 * pdf: the cheat sheet; slides: the decks (and handouts); cards: flashcards.pdf; pptx: the decks as
 * PowerPoint (opt-in: not in the default). flashcards.tsv, flashcards.apkg and index.html come with any.
 */
export const OUTPUTS = ['pdf', 'slides', 'cards', 'pptx'] as const;
export type OutputKind = (typeof OUTPUTS)[number];
const DEFAULT_OUTPUTS: OutputKind[] = ['pdf', 'slides', 'cards'];

/** Whether the build writes the PowerPoint decks: `--pptx` with the decks, or `pptx` in `--only`. */
export const wantsPptx = (settings: Pick<ResolvedSettings, 'only' | 'pptx'>) =>
  settings.only.includes('pptx') || (settings.pptx && settings.only.includes('slides'));
/** Whether the build fits the decks: for the HTML decks, and for what is made from them (the PowerPoint). */
export const wantsDecks = (settings: Pick<ResolvedSettings, 'only'>) => settings.only.includes('slides') || settings.only.includes('pptx');
export const PAPERS = ['A4', 'Letter'] as const;
export type Paper = (typeof PAPERS)[number];

/** Slides per handout page. */
export interface HandoutLayout {
  cols: number;
  rows: number;
}

/** The decks' slide size in CSS px: reveal.js scales it to any screen; slides are fitted at it. */
export interface SlideSize {
  width: number;
  height: number;
}

/**
 * Two whole numbers written `AxB` on the command line or in a config file (`"1280x720"`, `"2x3"`), or
 * given as an object with just those two keys (the API); each within its range.
 */
function pair<A extends string, B extends string>(
  keys: [A, B],
  ranges: [[number, number], [number, number]],
  more: { arg: string; help: string; expects: string; default: Record<A | B, number> },
): Setting<Record<A | B, number>> {
  const [a, b] = keys;
  const inRange = (n: unknown, [min, max]: [number, number]): n is number =>
    typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
  return {
    ...more,
    show: (v) => `${v[a]}x${v[b]}`,
    check(v) {
      const given = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
      const m = typeof v === 'string' ? /^(\d+)x(\d+)$/.exec(v.trim()) : null;
      const [x, y] = given ? [given[a], given[b]] : [Number(m?.[1]), Number(m?.[2])];
      const shaped = m || (given && Object.keys(given).length === 2);
      return shaped && inRange(x, ranges[0]) && inRange(y, ranges[1]) ? ({ [a]: x, [b]: y } as Record<A | B, number>) : undefined;
    },
    fromText: String,
  };
}

const slideSize: Setting<SlideSize> = pair(
  ['width', 'height'],
  [
    [640, 3840],
    [360, 2160],
  ],
  {
    arg: 'WxH',
    help: 'slide size in CSS pixels the decks are fitted at (reveal.js scales them to the screen)',
    expects: '"WIDTHxHEIGHT" in CSS pixels, 640–3840 by 360–2160, e.g. "1280x720"',
    default: { width: 1280, height: 720 },
  },
);

const handoutLayout: Setting<HandoutLayout> = pair(
  ['cols', 'rows'],
  [
    [1, 4],
    [1, 6],
  ],
  {
    arg: 'CxR',
    help: 'slides per handout page: columns x rows, e.g. 2x3',
    expects: '"COLUMNSxROWS", 1–4 columns by 1–6 rows, e.g. "2x3"',
    default: { cols: 1, rows: 1 },
  },
);

export const SETTINGS = {
  notes: text('dir', 'folder of markdown notes', 'notes', { expects: 'a folder path', path: true }),
  out: text('dir', 'output folder', 'output', { expects: 'a folder path', path: true }),
  only: list<OutputKind>(
    'outputs',
    'build only these outputs: pdf (cheat sheet), slides (decks), cards (flashcards.pdf), pptx (the decks as PowerPoint, with the decks); comma separated',
    { choices: OUTPUTS, default: DEFAULT_OUTPUTS },
  ),
  title: text('text', 'title of the guide (default: the notes folder name)', undefined),
  offline: onOff('do not fetch remote images (they become placeholders)'),
  strict: onOff('treat warnings as errors (exit code 4)'),
  force: onOff(
    'write into an output folder that holds files studyguide did not write (they are left alone, or overwritten where an output has their name)',
  ),
  allowHtml: onOff("trust the notes' raw HTML: do not sanitize it"),
  paper: oneOf(PAPERS, 'A4', 'size', 'cheat sheet paper size'),
  landscape: onOff('cheat sheet in landscape orientation'),
  columns: whole(1, 12, 3, 'n', 'cheat sheet columns'),
  pages: whole(
    1,
    100,
    undefined,
    'n',
    'fit the cheat sheet to N pages: the largest type that fits; at the floor, the most important blocks (the rest is listed)',
  ),
  fontSize: points(7.5, 'cheat sheet body size in points (the start size with --pages)'),
  minFontSize: points(6, 'legibility floor when fitting to --pages'),
  maxFontSize: points(12, 'largest body size when fitting to --pages'),
  keepAll: onOff('with --pages: print every block, on more pages if need be, instead of leaving the least important out'),
  topics: list('pattern', 'cheat sheet only topics whose slug or title matches (glob, repeatable)', {
    expects: 'a list of slug or title patterns',
  }),
  tags: list('tags', 'cheat sheet only topics with one of these tags (comma separated, repeatable; with --topics, both must hold)', {
    expects: 'a list of tags',
  }),
  images: onOff('leave images out of the cheat sheet', true),
  theme: text('name', 'reveal.js theme for the decks', 'white', { expects: 'a reveal.js theme name' }),
  css: list('file', 'your own stylesheet for the decks (repeatable)', { path: true, expects: 'a list of stylesheet paths' }),
  fragments: onOff('show list items one by one'),
  slideCodeLines: whole(
    10,
    1_000_000,
    2000,
    'n',
    'slides: a code block longer than N lines shows its first N and how many more (the cheat sheet prints it whole)',
  ),
  slideSize,
  handout: onOff('also print each deck to handouts/<deck>.pdf'),
  handoutLayout,
  handoutNotes: onOff('print speaker notes under each slide in handouts'),
  pptx: onOff('also write each deck as an editable PowerPoint: slides/<deck>.pptx'),
  slideImages: onOff('also write a PNG of every slide, all fragments shown: slides/<deck>/001.png, …'),
  slideImageScale: {
    arg: 'n',
    help: 'slide images: pixels per slide pixel (1.5 makes 1280x720 slides 1920x1080)',
    expects: 'a number from 0.5 to 4',
    default: 1.5,
    check: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0.5 && v <= 4 ? v : undefined),
    fromText: Number,
  } satisfies Setting<number>,
  glossary: onOff('add the glossary as the last section of the cheat sheet'),
  selfTest: onOff("also print cheatsheet-self-test.pdf: the sheet with every card's answer blanked, and an answer key"),
  clozeHighlights: onOff('==highlights== are cloze deletions too: a card per highlight'),
  shuffle: onOff('shuffle the quiz deck'),
  seed: whole(0, 2 ** 31 - 1, undefined, 'n', 'seed for --shuffle: the same order every time'),
  port: whole(1, 65535, 8077, 'n', 'port to serve on (127.0.0.1)', ['watch', 'serve', 'present']),
  lan: { ...onOff('present: serve on the LAN addresses too, so the group joins from their own devices'), commands: ['present'] },
  deck: text('slug', 'present: the deck both links open (a topic slug, or all)', 'all', { commands: ['present'] }),
  duration,
  quiz: {
    ...onOff("present: the quiz deck, live: phones answer each question, the presenter's screen shows the tally, answers go to --results"),
    commands: ['present'],
  },
  results: text(
    'dir',
    `study results: the folder of CSV files builds read (weak cards first) and present --quiz writes (default: <notes>/${RESULTS_DIR.split(path.sep).join('/')})`,
    undefined,
    { expects: 'a folder path', path: true },
  ),
} satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;
type ValueOf<S> = S extends Setting<infer T> ? T : never;

/** Settings after defaults, the config file and the options given were merged and checked; paths are absolute. */
export type ResolvedSettings = { readonly [K in Exclude<SettingName, 'results'>]: ValueOf<(typeof SETTINGS)[K]> } & {
  /** `title`, or the default made from the notes folder's name. */
  readonly title: string;
  /** `results`, or the default in the notes folder. */
  readonly results: string;
  /** The working directory: messages show paths relative to it. */
  readonly cwd: string;
};

/** Settings as a caller gives them: the config file's form (`handoutLayout: "2x3"`), every one optional. */
export type SettingsInput = {
  [K in SettingName]?: K extends 'handoutLayout'
    ? string | HandoutLayout
    : K extends 'slideSize'
      ? string | SlideSize
      : ValueOf<(typeof SETTINGS)[K]>;
};

/** `fontSize` → `--font-size`; an on/off setting that is on by default is turned off with `--no-…`. */
export function flagOf(name: SettingName): string {
  const setting: Setting<unknown> = SETTINGS[name];
  const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  if (!setting.arg) return setting.default === true ? `--no-${kebab}` : `--${kebab}`;
  return `--${kebab} <${setting.arg}>`;
}

export interface SettingsSources {
  /** Options given explicitly (command-line flags, or the API's options): they win. */
  given: SettingsInput;
  /** The config file's values, and the file (paths in it resolve against its folder). */
  config?: { file: string; values: Record<string, unknown> } | null;
  cwd?: string;
}

/**
 * Check a config file's object: every key known, every value valid. `where`
 * names the file in messages.
 */
export function checkConfig(values: unknown, where: string): SettingsInput {
  if (typeof values !== 'object' || values === null || Array.isArray(values))
    throw new UserError(`${where}: expected an object of options`);
  for (const [key, value] of Object.entries(values)) {
    // Own keys only: `__proto__` or `constructor` is an unknown key, not Object.prototype's.
    if (!Object.hasOwn(SETTINGS, key)) throw new UserError(`${where}: unknown key "${key}" (known: ${Object.keys(SETTINGS).join(', ')})`);
    const setting: Setting<unknown> = SETTINGS[key as SettingName];
    if (setting.check(value) === undefined) throw new UserError(`${where}: "${key}" must be ${setting.expects}`);
  }
  return values as SettingsInput;
}

/**
 * Defaults, then the config file, then the options given; every value checked,
 * paths made absolute, and what can be checked without a browser checked now
 * (the notes folder, the theme, the stylesheets), so a bad setting stops the
 * build before anything is printed.
 */
export async function resolveSettings(sources: SettingsSources): Promise<ResolvedSettings> {
  const cwd = path.resolve(sources.cwd ?? process.cwd());
  const values: Record<string, unknown> = {};
  const layers: [SettingsInput, string, (key: string) => string][] = [];
  if (sources.config) {
    const shown = path.relative(cwd, sources.config.file) || sources.config.file;
    layers.push([checkConfig(sources.config.values, shown), path.dirname(sources.config.file), (key) => `${shown}: "${key}"`]);
  }
  layers.push([sources.given, cwd, (key) => flagOf(key as SettingName).split(' ')[0]!]);
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const setting: Setting<unknown> = SETTINGS[name];
    values[name] = setting.default;
    for (const [given, base, label] of layers) {
      const raw = given[name];
      if (raw === undefined) continue;
      const value = setting.check(raw);
      if (value === undefined) throw new UserError(`${label(name)} must be ${setting.expects}`);
      values[name] = setting.path ? resolvePaths(value, base) : value;
    }
  }
  const settings = {
    ...values,
    cwd,
    title: (values.title as string | undefined) ?? defaultTitle(values.notes as string),
    results: (values.results as string | undefined) ?? path.join(values.notes as string, RESULTS_DIR),
  } as ResolvedSettings;
  await checkSettings(settings);
  return Object.freeze(settings);
}

const resolvePaths = (value: unknown, base: string) =>
  Array.isArray(value) ? value.map((p: string) => path.resolve(base, p)) : path.resolve(base, value as string);

/** Title of the guide when none is given: the notes folder's name, unless it is just "notes". */
export function defaultTitle(notesDir: string): string {
  const base = path.basename(notesDir);
  return base && base.toLowerCase() !== 'notes' ? base.replace(/[-_]+/g, ' ') : 'Study Guide';
}

/** A path as the user wrote it relative to the working directory: `notes`, `../x/out`. */
export const shown = (settings: Pick<ResolvedSettings, 'cwd'>, file: string) => path.relative(settings.cwd, file) || '.';

/** The checks that need the file system: they run before any browser work. */
async function checkSettings(settings: ResolvedSettings): Promise<void> {
  const notes = await stat(settings.notes).catch(() => null);
  if (!notes) throw new UserError(`notes folder not found: ${shown(settings, settings.notes)} (pass --notes DIR)`);
  if (!notes.isDirectory()) throw new UserError(`notes path is not a folder: ${shown(settings, settings.notes)}`);
  // Real paths: an --out that is a symlink to the notes, or `notes/..x`, is no way around this.
  const [notesReal, outReal] = await Promise.all([realPathOf(settings.notes), realPathOf(settings.out)]);
  if (isInside(notesReal, outReal)) {
    const where = notesReal === outReal ? 'is the notes folder' : 'is inside the notes folder';
    throw new UserError(`output folder ${shown(settings, settings.out)} ${where}; choose another --out (notes are never written to)`);
  }
  if (isInside(outReal, notesReal)) {
    throw new UserError(
      `notes folder ${shown(settings, settings.notes)} is inside the output folder ${shown(settings, settings.out)}, where a build removes its old outputs; choose another --out`,
    );
  }
  // The results are the one thing written under the notes folder (the live quiz): never where a build prunes.
  const resultsReal = await realPathOf(settings.results);
  if (isInside(outReal, resultsReal) || isInside(resultsReal, outReal))
    throw new UserError(
      `results folder ${shown(settings, settings.results)} and output folder ${shown(settings, settings.out)} overlap, and a build removes its old outputs; choose another --results`,
    );
  if (isInside(resultsReal, notesReal))
    throw new UserError(
      `results folder ${shown(settings, settings.results)} holds the notes folder; choose a folder for the results alone (the default is ${shown(settings, path.join(settings.notes, RESULTS_DIR))})`,
    );
  if (settings.quiz && !settings.only.includes('slides')) throw new UserError('--quiz presents the quiz deck: --only must include slides');
  if (!wantsDecks(settings)) return;
  const themes = await listThemes();
  if (!themes.includes(settings.theme))
    throw new UserError(`unknown theme "${settings.theme}" (reveal.js themes: ${themes.join(', ')})`, ExitCode.BadInput);
  for (const file of settings.css) {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw new UserError(`--css ${shown(settings, file)}: cannot read that file`);
  }
}
