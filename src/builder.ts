/**
 * A build that can run again: watch mode keeps one builder, and so one warm
 * browser and the caches (each note's parse, each slide's fit, each diagram),
 * for the whole session. The builder owns the browser (unless lent one),
 * replaces it once when it crashes, and holds the output folder's lock while a
 * build writes. `build()` is one builder used once and closed.
 */
import type { Browser } from 'puppeteer-core';
import { ensureBrowser, launchBrowser } from './browser.js';
import { createPipelineCache, runBuild, type BuildResult } from './build.js';
import { TARGETS } from './targets/registry.js';
import { ExitCode, firstLine, UserError } from './errors.js';
import { lockOutputs } from './lock.js';
import { silentReporter, type Reporter } from './report.js';
import { resolveSettings, shown, type ResolvedSettings, type SettingsInput } from './settings.js';

/** How the pipeline runs, as opposed to what it makes (the settings). */
export interface Runtime {
  /** Working directory: relative paths resolve against it and messages show paths relative to it. */
  cwd?: string;
  reporter?: Reporter;
  /** A browser to use and leave open (the caller owns it); otherwise the builder launches one and closes it. */
  browser?: Browser | Promise<Browser>;
  /** A browser already starting for this builder, which takes it over (closes it, replaces it if it crashes). */
  startedBrowser?: Promise<Browser>;
  /**
   * The builder builds once: each target closes its page as soon as it is done, which lowers the
   * build's peak memory, instead of keeping it for a rebuild (watch mode).
   */
  once?: boolean;
}

/** The API's options: settings as in a config file (src/settings.ts), and the runtime. */
export type BuildOptions = SettingsInput & Runtime;

export interface Builder {
  /** Build with `settings` when given (watch passes them, re-read when the config file changes), else with the builder's options. */
  build(settings?: ResolvedSettings): Promise<BuildResult>;
  /** Close the browser; the builder cannot build after this. */
  close(): Promise<void>;
}

export async function build(options: BuildOptions): Promise<BuildResult> {
  const builder = createBuilder({ ...options, once: true });
  try {
    return await builder.build();
  } finally {
    await builder.close();
  }
}

export function createBuilder(options: BuildOptions): Builder {
  const cache = createPipelineCache();
  const reporter = options.reporter ?? silentReporter;
  const borrowed = options.browser !== undefined;
  let own: ResolvedSettings | null = null;
  // A borrowed browser is used as it is; an owned one (started by the CLI, or launched here) is closed and replaced when it crashes.
  let browserReady: Promise<Browser> | null = options.browser ? Promise.resolve(options.browser) : (options.startedBrowser ?? null);
  browserReady?.catch(() => undefined); // reported where it is awaited
  let closed = false;
  const launch = () => {
    browserReady ??= Promise.resolve().then(() => launchBrowser(ensureBrowser((line) => reporter.info(line))));
    browserReady.catch(() => {
      browserReady = null; // a failed launch is tried again on the next build
    });
    return browserReady;
  };
  const dropBrowser = async () => {
    await Promise.all(TARGETS.map((t) => cache.targets.has(t.name) && t.dispose?.(cache.targets.get(t.name))));
    const old = browserReady;
    browserReady = null;
    // A browser that never started, or is gone already, has nothing left to close.
    if (!borrowed && old) await (await old.catch(() => null))?.close().catch(() => undefined);
  };
  return {
    async build(given) {
      if (closed) throw new Error('builder is closed');
      const settings = given ?? (own ??= await resolveSettings({ given: options, cwd: options.cwd }));
      // One build at a time writes to a folder (src/lock.ts); in watch mode, the lock is held per build, not for the session.
      const lock = await lockOutputs(settings.out, (line) => reporter.info(line)).catch((error) => {
        throw asUserError(error, settings);
      });
      try {
        return await runBuild(settings, cache, launch, reporter, options.once ?? false);
      } catch (error) {
        if (borrowed || !isBrowserFailure(error)) throw asUserError(error, settings);
        // The browser crashed or hung: one more try with a fresh one.
        reporter.info(`the browser failed (${firstLine(error)}); retrying once with a new one`);
        await dropBrowser();
        try {
          return await runBuild(settings, cache, launch, reporter, options.once ?? false);
        } catch (again) {
          if (!isBrowserFailure(again)) throw asUserError(again, settings);
          await dropBrowser();
          const advice = 'check that Chromium runs here, or try --only pdf / --only slides';
          throw new UserError(`the browser failed twice (${firstLine(again)}); ${advice}`, ExitCode.BrowserFailed, { cause: again });
        }
      } finally {
        reporter.running?.(null); // a failed build's progress line goes too
        await lock.release();
      }
    },
    async close() {
      closed = true;
      await dropBrowser();
    },
  };
}

/** A crash, a lost connection or a timeout of the browser, as opposed to a problem of the input. */
function isBrowserFailure(error: unknown): boolean {
  const e = error as Error;
  if (!e || e instanceof UserError) return false;
  return (
    ['TargetCloseError', 'ProtocolError', 'TimeoutError', 'ConnectionClosedError'].includes(e.name) ||
    /Target closed|Session closed|Connection closed|browser has disconnected|detached|Navigation failed because browser|crashed|Page crashed/i.test(
      e.message ?? '',
    )
  );
}

/** File system errors on the outputs become one clear line; everything else passes unchanged. */
function asUserError(error: unknown, settings: ResolvedSettings): unknown {
  const e = error as NodeJS.ErrnoException;
  if (e && ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'EISDIR', 'EEXIST', 'EDQUOT', 'ENAMETOOLONG'].includes(e.code ?? '')) {
    const where = e.path ? ` (${e.path})` : '';
    return new UserError(`cannot write the outputs to ${shown(settings, settings.out)}: ${e.code}${where}`, ExitCode.CannotWrite, {
      cause: error,
    });
  }
  return error;
}
