#!/usr/bin/env node
/** Command line: `studyguide build [options]`. Input errors are one line, never a stack trace. */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { build, DEFAULTS, type OutputKind } from './build.js';
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
    .addOption(new Option('--paper <size>', 'cheat sheet paper size').choices(['A4', 'Letter']).default(DEFAULTS.paper))
    .option('--landscape', 'cheat sheet in landscape orientation', false)
    .option('--columns <n>', 'cheat sheet columns', positiveInt, DEFAULTS.columns)
    .option('--font-size <pt>', 'cheat sheet body text size in points', points, DEFAULTS.fontPt)
    .option('--title <text>', 'title of the guide (default: the notes folder name)')
    .option('--theme <name>', 'reveal.js theme for the decks', DEFAULTS.theme)
    .option('--offline', 'do not fetch remote images (they become placeholders)', false)
    .action(async (opts) => {
      const reporter = consoleReporter();
      const result = await build({
        notes: opts.notes,
        out: opts.out,
        only: opts.only,
        paper: opts.paper,
        landscape: opts.landscape,
        columns: opts.columns,
        fontPt: opts.fontSize,
        title: opts.title,
        theme: opts.theme,
        offline: opts.offline,
        reporter,
      });
      for (const warning of result.warnings) reporter.warn(formatMessage(warning));
      const parts = [
        `${result.topics} topics`,
        result.pdfPages === null ? null : `PDF ${result.pdfPages} page${result.pdfPages === 1 ? '' : 's'}`,
        result.decks ? `${result.decks} decks, ${result.slides} slides` : null,
        `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}`,
        `${result.seconds.toFixed(1)} s`,
      ].filter(Boolean);
      reporter.info(`built ${opts.out}/: ${parts.join(' · ')}`);
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
