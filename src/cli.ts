#!/usr/bin/env node
/** Command line: `studyguide build | watch | serve`. Input errors are one line, never a stack trace. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { BuildOptions, BuildResult, OutputKind } from './build.js';
import { BUNDLED_TEMPLATES, DEFAULTS } from './defaults.js';
import { findNotes } from './load.js';
import { CONFIG_FILE, configToOptions, loadConfig } from './config.js';
import { UserError } from './errors.js';
import { consoleReporter, formatMessage, type Reporter } from './report.js';
import type { Server } from './serve.js';


const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function outputsList(value: string): OutputKind[] {
  const kinds = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const kind of kinds) {
    if (kind !== 'pdf' && kind !== 'slides') throw new InvalidArgumentError(`"${kind}" is not an output (pdf, slides)`);
  }
  return kinds as OutputKind[];
}

const wholeNumber = (min: number, max: number, what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected ${what} from ${min} to ${max}`);
  return n;
};

function points(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 3 || n > 30) throw new InvalidArgumentError('expected a size in points from 3 to 30');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** The options every command that builds takes. */
function buildOptions(command: Command): Command {
  return command
    .option('--notes <dir>', 'folder of markdown notes', 'notes')
    .option('--out <dir>', 'output folder', 'output')
    .option('--only <outputs>', 'build only these outputs: pdf, slides (comma separated)', outputsList)
    .option('--config <file>', `options from a JSON or JS file (default: ${CONFIG_FILE} if present)`)
    .option('--offline', 'do not fetch remote images (they become placeholders)', false)
    .option('--strict', 'treat warnings as errors (exit code 4)', false)
    .option('--allow-html', "trust the notes' raw HTML: do not sanitize it", false)
    .option('--title <text>', 'title of the guide (default: the notes folder name)')
    .addOption(new Option('--paper <size>', 'cheat sheet paper size').choices(['A4', 'Letter']).default(DEFAULTS.paper))
    .option('--landscape', 'cheat sheet in landscape orientation', false)
    .option('--columns <n>', 'cheat sheet columns', wholeNumber(1, 12, 'a whole number'), DEFAULTS.columns)
    .option('--pages <n>', 'fit the cheat sheet to at most N pages, at the largest type that fits', wholeNumber(1, 100, 'a whole number of pages'))
    .option('--font-size <pt>', 'cheat sheet body size in points (the start size with --pages)', points, DEFAULTS.fontPt)
    .option('--min-font-size <pt>', 'legibility floor when fitting to --pages', points, DEFAULTS.minFontPt)
    .option('--topics <pattern>', 'cheat sheet only topics whose slug or title matches (glob, repeatable)', collect, [])
    .option('--tags <tags>', 'cheat sheet only topics with one of these tags (comma separated, repeatable; with --topics, both must hold)', collect, [])
    .option('--no-images', 'leave images out of the cheat sheet')
    .option('--theme <name>', 'reveal.js theme for the decks', DEFAULTS.theme)
    .option('--css <file>', 'your own stylesheet for the decks (repeatable)', collect, [])
    .option('--fragments', 'show list items one by one', false)
    .option('--handout', 'also print each deck to handouts/<deck>.pdf', false)
    .option('--handout-layout <CxR>', 'slides per handout page: columns x rows, e.g. 2x3', '1x1')
    .option('--handout-notes', 'print speaker notes under each slide in handouts', false)
    .option('--glossary', 'add the glossary as the last section of the cheat sheet', false)
    .option('--shuffle', 'shuffle the quiz deck', false)
    .option('--seed <n>', 'seed for --shuffle: the same order every time', wholeNumber(0, 2 ** 31 - 1, 'a whole number'));
}

/** Flags given on the command line win over the config file, which wins over the defaults. */
async function resolveOptions(opts: Record<string, any>, command: Command, reporter: Reporter): Promise<BuildOptions> {
  const config = configToOptions(await loadConfig(opts.config));
  const fromCli = (key: string) => command.getOptionValueSource(key) === 'cli';
  const pick = <T>(key: string, cli: T, fromConfig: T | undefined): T => (fromCli(key) || fromConfig === undefined ? cli : fromConfig);
  return {
    notes: pick('notes', opts.notes, config.notes),
    out: pick('out', opts.out, config.out),
    only: pick('only', opts.only, config.only),
    paper: pick('paper', opts.paper, config.paper),
    landscape: pick('landscape', opts.landscape, config.landscape),
    columns: pick('columns', opts.columns, config.columns),
    fontPt: pick('fontSize', opts.fontSize, config.fontPt),
    pages: pick('pages', opts.pages, config.pages),
    minFontPt: pick('minFontSize', opts.minFontSize, config.minFontPt),
    topics: pick('topics', opts.topics.length ? opts.topics : undefined, config.topics),
    tags: pick('tags', opts.tags.length ? opts.tags : undefined, config.tags),
    images: pick('images', opts.images, config.images),
    title: pick('title', opts.title, config.title),
    theme: pick('theme', opts.theme, config.theme),
    css: pick('css', opts.css.length ? opts.css : undefined, config.css) ?? [],
    fragments: pick('fragments', opts.fragments, config.fragments),
    handout: pick('handout', opts.handout, config.handout),
    handoutLayout: pick('handoutLayout', opts.handoutLayout, config.handoutLayout),
    handoutNotes: pick('handoutNotes', opts.handoutNotes, config.handoutNotes),
    offline: pick('offline', opts.offline, config.offline),
    allowHtml: pick('allowHtml', opts.allowHtml, config.allowHtml),
    glossary: pick('glossary', opts.glossary, config.glossary),
    shuffle: pick('shuffle', opts.shuffle, config.shuffle),
    seed: pick('seed', opts.seed, config.seed),
    strict: pick('strict', opts.strict, config.strict),
    reporter,
  };
}

function summary(result: BuildResult, out: string): string {
  const parts = [
    `${result.topics} topics`,
    result.pdfPages === null ? null : `PDF ${result.pdfPages} page${result.pdfPages === 1 ? '' : 's'} at ${result.pdfFontPt} pt`,
    result.decks ? `${result.decks} decks, ${result.slides} slides` : null,
    `${result.study.cards} flashcards`,
    result.study.openQuestions + result.study.toFill ? `${result.study.openQuestions + result.study.toFill} to review` : null,
    `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}`,
    `${result.seconds.toFixed(1)} s`,
  ].filter(Boolean);
  return `built ${out}/: ${parts.join(' · ')}`;
}

/** Things to do before the process leaves on Ctrl-C (close the browser, the server). */
export type Cleanups = (() => Promise<void>)[];

export function createProgram(cleanups: Cleanups = []): Command {
  const program = new Command('studyguide')
    .description('Turn a folder of markdown study notes into a PDF cheat sheet and reveal.js slide decks.')
    .version(pkg.version)
    .showHelpAfterError();

  buildOptions(program.command('build').description('build the cheat sheet PDF, the slide decks and index.html'))
    .option('--json', 'print the result as JSON on stdout (stages timed in ms)', false)
    .action(async (opts, command: Command) => {
      const reporter = consoleReporter();
      const options = await resolveOptions(opts, command, reporter);
      // Chromium boots while the rest of the pipeline's modules load and the notes are parsed.
      await findNotes(options.notes);
      const browser = import('./browser.js').then(({ ensureBrowser, launchBrowser }) => launchBrowser(ensureBrowser((line) => reporter.info(line))));
      browser.catch(() => undefined);
      const { build } = await import('./build.js');
      let result: BuildResult;
      try {
        result = await build({ ...options, startedBrowser: browser });
      } finally {
        await (await browser.catch(() => null))?.close().catch(() => undefined);
      }
      for (const warning of result.warnings) reporter.warn(formatMessage(warning));
      for (const notice of result.notices) reporter.info(formatMessage(notice));
      reporter.info(summary(result, options.out));
      if (options.strict && result.warnings.length > 0) {
        process.stderr.write(`studyguide: ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'} with --strict\n`);
        process.exitCode = 4;
      }
      if (opts.json) {
        const { guide: _guide, warnings, notices, ...rest } = result;
        process.stdout.write(`${JSON.stringify({ ...rest, warnings: warnings.map(formatMessage), notices: notices.map(formatMessage), maxRssKb: process.resourceUsage().maxRSS })}\n`);
      }
    });

  const watching = async (opts: Record<string, any>, command: Command, withServer: boolean) => {
    const reporter = consoleReporter(process.stderr, false);
    const options = await resolveOptions(opts, command, reporter);
    const templates = { dirs: [path.join(path.resolve(options.notes), '.studyguide', 'templates'), BUNDLED_TEMPLATES] };
    const [{ serve }, { watch }] = await Promise.all([import('./serve.js'), import('./watch.js')]);
    let server: Server | null = null;
    if (withServer) server = await serve(options.out, opts.port, templates);
    const watcher = watch({
      ...options,
      configFile: opts.config ?? CONFIG_FILE,
      onBuild: ({ result, error, changed }) => {
        const why = changed.length ? ` (${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', …' : ''})` : '';
        if (result) {
          for (const warning of result.warnings) reporter.warn(formatMessage(warning));
          for (const notice of result.notices) reporter.info(formatMessage(notice));
          reporter.info(`${summary(result, options.out)}${why}`);
          server?.reload();
        } else {
          const message = error instanceof UserError ? error.message : (error as Error)?.stack ?? String(error);
          reporter.info(`build failed${why}: ${message}\nstill watching; fix it and save`);
          server?.failed(message);
        }
      },
    });
    cleanups.push(async () => {
      await watcher.close();
      await server?.close();
    });
    await watcher.ready;
    reporter.info(`watching ${options.notes}/ and the templates${server ? `; serving ${server.url} (live PDF: ${server.url}__studyguide/pdf)` : ''} — Ctrl-C to stop`);
    await new Promise(() => undefined); // runs until Ctrl-C
  };

  buildOptions(program.command('watch').description('build, then rebuild after every change to the notes or templates'))
    .option('--serve', 'also serve the output folder with live reload', false)
    .option('--port <n>', 'port for --serve on 127.0.0.1', wholeNumber(1, 65535, 'a port'), 8077)
    .action((opts, command: Command) => watching(opts, command, opts.serve));

  buildOptions(program.command('serve').description('watch, and serve the output folder on 127.0.0.1 with live reload'))
    .option('--port <n>', 'port on 127.0.0.1', wholeNumber(1, 65535, 'a port'), 8077)
    .action((opts, command: Command) => watching(opts, command, true));

  return program;
}

async function main(argv: string[]): Promise<void> {
  const cleanups: Cleanups = [];
  // Ctrl-C: close what is open (puppeteer also kills its browser), then leave.
  const stop = (code: number) => async () => {
    await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
    process.exit(cleanups.length ? 0 : code);
  };
  process.once('SIGINT', stop(130));
  process.once('SIGTERM', stop(143));
  try {
    await createProgram(cleanups).parseAsync(argv);
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`studyguide: ${error.message}\n`);
      process.exitCode = error.exitCode;
      await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
      return;
    }
    process.stderr.write(`studyguide: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

await main(process.argv);
