#!/usr/bin/env node
/** Command line: `studyguide build [options]`. Input errors are one line, never a stack trace. */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { build, DEFAULTS, type OutputKind } from './build.js';
import { CONFIG_FILE, configToOptions, loadConfig } from './config.js';
import { UserError } from './errors.js';
import { consoleReporter, formatMessage } from './report.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function outputsList(value: string): OutputKind[] {
  const kinds = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const kind of kinds) {
    if (kind !== 'pdf' && kind !== 'slides') throw new InvalidArgumentError(`"${kind}" is not an output (pdf, slides)`);
  }
  return kinds as OutputKind[];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 12) throw new InvalidArgumentError('expected a whole number from 1 to 12');
  return n;
}

function pageCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('expected a whole number of pages from 1 to 100');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

function points(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 3 || n > 30) throw new InvalidArgumentError('expected a size in points from 3 to 30');
  return n;
}

export function createProgram(): Command {
  const program = new Command('studyguide')
    .description('Turn a folder of markdown study notes into a PDF cheat sheet and reveal.js slide decks.')
    .version(pkg.version)
    .showHelpAfterError();

  program
    .command('build')
    .description('build the cheat sheet PDF, the slide decks and index.html')
    .option('--notes <dir>', 'folder of markdown notes', 'notes')
    .option('--out <dir>', 'output folder', 'output')
    .option('--only <outputs>', 'build only these outputs: pdf, slides (comma separated)', outputsList)
    .option('--config <file>', `options from a JSON file (default: ${CONFIG_FILE} if present)`)
    .option('--offline', 'do not fetch remote images (they become placeholders)', false)
    .option('--title <text>', 'title of the guide (default: the notes folder name)')
    .addOption(new Option('--paper <size>', 'cheat sheet paper size').choices(['A4', 'Letter']).default(DEFAULTS.paper))
    .option('--landscape', 'cheat sheet in landscape orientation', false)
    .option('--columns <n>', 'cheat sheet columns', positiveInt, DEFAULTS.columns)
    .option('--pages <n>', 'fit the cheat sheet to at most N pages, at the largest type that fits', pageCount)
    .option('--font-size <pt>', 'cheat sheet body size in points (the start size with --pages)', points, DEFAULTS.fontPt)
    .option('--min-font-size <pt>', 'legibility floor when fitting to --pages', points, DEFAULTS.minFontPt)
    .option('--topics <pattern>', 'cheat sheet only topics whose slug or title matches (glob, repeatable)', collect, [])
    .option('--no-images', 'leave images out of the cheat sheet')
    .option('--theme <name>', 'reveal.js theme for the decks', DEFAULTS.theme)
    .option('--css <file>', 'your own stylesheet for the decks (repeatable)', collect, [])
    .option('--fragments', 'show list items one by one', false)
    .option('--handout', 'also print each deck to handouts/<deck>.pdf', false)
    .option('--handout-layout <CxR>', 'slides per handout page: columns x rows, e.g. 2x3', '1x1')
    .option('--handout-notes', 'print speaker notes under each slide in handouts', false)
    .action(async (opts, command: Command) => {
      const reporter = consoleReporter();
      const config = configToOptions(await loadConfig(opts.config));
      // Flags given on the command line win over the config file, which wins over defaults.
      const fromCli = (key: string) => command.getOptionValueSource(key) === 'cli';
      const pick = <T>(key: string, cli: T, fromConfig: T | undefined): T => (fromCli(key) || fromConfig === undefined ? cli : fromConfig);
      const notes = pick('notes', opts.notes, config.notes);
      const out = pick('out', opts.out, config.out);
      const result = await build({
        notes,
        out,
        only: pick('only', opts.only, config.only),
        paper: pick('paper', opts.paper, config.paper),
        landscape: pick('landscape', opts.landscape, config.landscape),
        columns: pick('columns', opts.columns, config.columns),
        fontPt: pick('fontSize', opts.fontSize, config.fontPt),
        pages: pick('pages', opts.pages, config.pages),
        minFontPt: pick('minFontSize', opts.minFontSize, config.minFontPt),
        topics: pick('topics', opts.topics.length ? opts.topics : undefined, config.topics),
        images: pick('images', opts.images, config.images),
        title: pick('title', opts.title, config.title),
        theme: pick('theme', opts.theme, config.theme),
        css: pick('css', opts.css.length ? opts.css : undefined, config.css) ?? [],
        fragments: pick('fragments', opts.fragments, config.fragments),
        handout: pick('handout', opts.handout, config.handout),
        handoutLayout: pick('handoutLayout', opts.handoutLayout, config.handoutLayout),
        handoutNotes: pick('handoutNotes', opts.handoutNotes, config.handoutNotes),
        offline: pick('offline', opts.offline, config.offline),
        reporter,
      });
      for (const warning of result.warnings) reporter.warn(formatMessage(warning));
      const parts = [
        `${result.topics} topics`,
        result.pdfPages === null ? null : `PDF ${result.pdfPages} page${result.pdfPages === 1 ? '' : 's'} at ${result.pdfFontPt} pt`,
        result.decks ? `${result.decks} decks, ${result.slides} slides` : null,
        `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}`,
        `${result.seconds.toFixed(1)} s`,
      ].filter(Boolean);
      reporter.info(`built ${out}/: ${parts.join(' · ')}`);
    });
  return program;
}

async function main(argv: string[]): Promise<void> {
  // Ctrl-C: puppeteer closes the browser on SIGINT; leave with the conventional code.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`studyguide: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`studyguide: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

await main(process.argv);
