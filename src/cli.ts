#!/usr/bin/env node
/** Command line: `studyguide build | watch | serve`. Flags and --help come from the settings table; input errors are one line, never a stack trace. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { BuildResult } from './build.js';
import { CONFIG_FILE, findConfig, loadConfig } from './config.js';
import { ExitCode, UserError } from './errors.js';
import { consoleReporter, formatMessage, type Reporter } from './report.js';
import type { Server } from './serve.js';
import {
  flagOf,
  resolveSettings,
  SETTINGS,
  shown,
  type Command as CommandName,
  type ResolvedSettings,
  type Setting,
  type SettingName,
  type SettingsInput,
} from './settings.js';
import { BUNDLED_TEMPLATES } from './templates.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** One flag per setting the command takes, checked by the setting's own check. */
function withSettings(command: Command, name: CommandName): Command {
  for (const key of Object.keys(SETTINGS) as SettingName[]) {
    const setting: Setting<unknown> = SETTINGS[key];
    if (setting.commands && !setting.commands.includes(name)) continue;
    const option = new Option(flagOf(key), setting.help);
    if (setting.arg) {
      option.argParser((text: string, previous: unknown) => {
        // Commander hands the default in as the previous value: a list given on the command line starts empty.
        const value = setting.fromText!(text, previous === setting.default ? undefined : previous);
        if (setting.check(value) === undefined) throw new InvalidArgumentError(`expected ${setting.expects}`);
        return value;
      });
      const noDefault = setting.default === undefined || (Array.isArray(setting.default) && setting.default.length === 0);
      if (!noDefault)
        option.default(
          setting.default,
          setting.show?.(setting.default) ?? (Array.isArray(setting.default) ? setting.default.join(',') : undefined),
        );
    }
    command.addOption(option);
  }
  return command.option('--config <file>', `settings from a JSON or JS file (default: ${CONFIG_FILE}, or .js, if present)`);
}

/** The settings given on the command line (not commander's defaults: the config file comes between). */
function givenFlags(command: Command): SettingsInput {
  const opts = command.opts();
  const keys = (Object.keys(SETTINGS) as SettingName[]).filter((key) => command.getOptionValueSource(key) === 'cli');
  return Object.fromEntries(keys.map((key) => [key, opts[key]]));
}

/** Flags win over the config file, which wins over the defaults. */
async function settingsOf(command: Command): Promise<ResolvedSettings> {
  return resolveSettings({ given: givenFlags(command), config: await loadConfig(command.opts().config) });
}

function summary(result: BuildResult, out: string): string {
  const parts = [
    `${result.topics} topics`,
    result.pdfPages === null ? null : `PDF ${result.pdfPages} page${result.pdfPages === 1 ? '' : 's'} at ${result.pdfFontPt} pt`,
    result.selfTestPages === null
      ? null
      : `self-test ${result.selfTestPages} page${result.selfTestPages === 1 ? '' : 's'}` +
        (result.selfTestLeftOut
          ? ` (${result.selfTestLeftOut} more block${result.selfTestLeftOut === 1 ? '' : 's'} left out for its key)`
          : ''),
    result.decks ? `${result.decks} decks, ${result.slides} slides` : null,
    `${result.study.cards} flashcards`,
    result.study.openQuestions + result.study.toFill ? `${result.study.openQuestions + result.study.toFill} to review` : null,
    `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}`,
    `${result.seconds.toFixed(1)} s`,
  ].filter(Boolean);
  return `built ${out}/: ${parts.join(' · ')}`;
}

function report(result: BuildResult, reporter: Reporter): void {
  for (const warning of result.warnings) reporter.warn(formatMessage(warning));
  for (const notice of result.notices) reporter.info(formatMessage(notice));
  if (result.sheetLeftOut) reporter.info(`cheat sheet: ${result.sheetLeftOut} (listed in index.html and cheatsheet-left-out.json)`);
}

/** Things to do before the process leaves on Ctrl-C (close the browser, the server). */
export type Cleanups = (() => Promise<void>)[];

export function createProgram(cleanups: Cleanups = []): Command {
  const program = new Command('studyguide')
    .description('Turn a folder of markdown study notes into a PDF cheat sheet and reveal.js slide decks.')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();

  withSettings(program.command('build').description('build the cheat sheet PDF, the slide decks and index.html'), 'build')
    .option('--json', 'print the result as JSON on stdout (stages timed in ms)', false)
    .action(async (opts, command: Command) => {
      const reporter = consoleReporter();
      // Every setting is checked before Chromium starts; then it boots while the pipeline's modules load and the notes are parsed.
      const settings = await settingsOf(command);
      const browser = import('./browser.js').then(({ ensureBrowser, launchBrowser }) =>
        launchBrowser(ensureBrowser((line) => reporter.info(line))),
      );
      browser.catch(() => undefined); // its failure is the builder's to report, where it awaits it
      const { createBuilder } = await import('./builder.js');
      const builder = createBuilder({ reporter, startedBrowser: browser, once: true });
      let result: BuildResult;
      try {
        result = await builder.build(settings);
      } finally {
        await builder.close();
      }
      report(result, reporter);
      reporter.info(summary(result, shown(settings, settings.out)));
      if (settings.strict && result.warnings.length > 0) {
        process.stderr.write(`studyguide: ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'} with --strict\n`);
        process.exitCode = ExitCode.StrictWarnings;
      }
      if (opts.json) {
        const { guide: _guide, warnings, notices, ...rest } = result;
        const json = {
          ...rest,
          warnings: warnings.map(formatMessage),
          notices: notices.map(formatMessage),
          maxRssKb: process.resourceUsage().maxRSS,
        };
        process.stdout.write(`${JSON.stringify(json)}\n`);
      }
    });

  const watching = async (command: Command, withServer: boolean, presenting = false) => {
    const reporter = consoleReporter(process.stderr, false);
    const settings = await settingsOf(command);
    const out = shown(settings, settings.out);
    const templates = { dirs: [path.join(settings.notes, '.studyguide', 'templates'), BUNDLED_TEMPLATES] };
    const [{ serve }, { watch }, { createFollow, lanAddresses, terminalQr }] = await Promise.all([
      import('./serve.js'),
      import('./watch.js'),
      import('./present.js'),
    ]);
    let server: Server | null = null;
    // --quiz: the session's results file, made before anything else (the one write under the notes folder).
    const quiz =
      presenting && settings.quiz
        ? await Promise.all([import('./live-quiz.js'), import('./results-file.js')]).then(([{ createLiveQuiz }, { openResultsFile }]) => {
            const results = openResultsFile(settings.results);
            process.stdout.write(`results: ${results.path}\n`);
            return createLiveQuiz({ results, log: (line) => reporter.info(line) });
          })
        : undefined;
    const follow = presenting
      ? await createFollow(templates, (line) => reporter.info(line), { duration: settings.duration, quiz })
      : undefined;
    const lan = presenting && settings.lan ? lanAddresses() : [];
    if (presenting && settings.lan && lan.length === 0) reporter.info('present: no LAN address found; serving on 127.0.0.1 only');
    if (withServer)
      server = await serve(settings.out, settings.port, templates, { follow, hosts: ['127.0.0.1', ...lan] }).catch((error: unknown) => {
        quiz?.close(); // a port in use: no session, no results file
        throw error;
      });
    const watcher = watch({
      ...givenFlags(command),
      // The file the first build read (a .js one too); with none, the .json one a user may create meanwhile.
      config: command.opts().config ?? (await findConfig(process.cwd())) ?? CONFIG_FILE,
      settings,
      // What the server was started with stays until a restart.
      fixed: withServer ? ['out', 'port', 'lan', 'deck', 'duration', 'quiz', 'results'] : [],
      onUnapplied: (names) =>
        reporter.info(`the config file changed ${names.join(', ')}: restart to apply (the server goes on as it started)`),
      reporter,
      onBuild: ({ result, error, changed }) => {
        const why = changed.length ? ` (${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', …' : ''})` : '';
        if (result) {
          report(result, reporter);
          reporter.info(`${summary(result, out)}${why}`);
          server?.reload();
        } else {
          const message = error instanceof UserError ? error.message : ((error as Error)?.stack ?? String(error));
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
    const serving = server ? `; serving ${server.url} (live PDF: ${server.url}__studyguide/pdf)` : '';
    reporter.info(`watching ${shown(settings, settings.notes)}/ and the templates${serving} — Ctrl-C to stop`);
    if (server && follow) {
      const base = `http://${lan[0] ?? '127.0.0.1'}:${server.port}/slides/${quiz ? 'quiz' : settings.deck}.html`;
      if (quiz && !existsSync(path.join(settings.out, 'slides', 'quiz.html')))
        reporter.info('present --quiz: the notes have no cards yet, so there is no quiz deck (it comes with the first card)');
      process.stdout.write(`audience: ${base}\npresenter: ${base}?presenter=${follow.token()}\n`);
      if (lan.length > 0) process.stdout.write(`\nscan to follow:\n${terminalQr(base)}\n`);
    }
    await new Promise(() => undefined); // runs until Ctrl-C
  };

  withSettings(
    program.command('watch').description('build, then rebuild after every change to the notes, the templates or the config file'),
    'watch',
  )
    .option('--serve', 'also serve the output folder with live reload', false)
    .action((opts, command: Command) => watching(command, opts.serve));

  withSettings(program.command('serve').description('watch, and serve the output folder on 127.0.0.1 with live reload'), 'serve').action(
    (_opts, command: Command) => watching(command, true),
  );

  withSettings(
    program.command('present').description("serve, and let everyone follow the presenter's deck on their own device (--lan for the room)"),
    'present',
  ).action((_opts, command: Command) => watching(command, true, true));

  return program;
}

/** How long Ctrl-C waits for the browser and the server to close before the process leaves anyway. */
const CLEANUP_MS = 5000;

async function main(argv: string[]): Promise<void> {
  const cleanups: Cleanups = [];
  // Ctrl-C: close what is open (puppeteer also kills its browser), then leave; a cleanup that
  // hangs (a browser that does not answer) does not keep the process alive.
  const stop = (code: number) => async () => {
    const giveUp = new Promise((resolve) => setTimeout(resolve, CLEANUP_MS).unref());
    await Promise.race([Promise.allSettled(cleanups.map((cleanup) => cleanup())), giveUp]);
    process.exit(cleanups.length ? ExitCode.Ok : code);
  };
  // The handlers end the process themselves (`process.exit`): nothing awaits them.
  process.once('SIGINT', () => void stop(ExitCode.Interrupted)());
  process.once('SIGTERM', () => void stop(ExitCode.Terminated)());
  try {
    await createProgram(cleanups).parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed the message (and the help); --help and --version end here too.
      process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
      return;
    }
    if (error instanceof UserError) {
      process.stderr.write(`studyguide: ${error.message}\n`);
      process.exitCode = error.exitCode;
      await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
      return;
    }
    process.stderr.write(`studyguide: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = ExitCode.Internal;
  }
}

await main(process.argv);
