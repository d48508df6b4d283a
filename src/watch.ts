/**
 * `studyguide watch`: rebuild after every save. One builder (and so one warm
 * browser) for the whole session; bursts of saves are debounced; builds never
 * overlap and the last save always wins; a failing build is reported and
 * watching goes on. The config file is watched too, and re-read when it changes.
 */
import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import type { BuildResult } from './build.js';
import { createBuilder, type BuildOptions } from './builder.js';
import { loadConfig } from './config.js';
import { isInside, RESULTS_DIR } from './paths.js';
import { resolveSettings, type ResolvedSettings, type SettingName } from './settings.js';
import { BUNDLED_TEMPLATES } from './templates.js';

export interface WatchOptions extends BuildOptions {
  /** The config file to read, and re-read when it changes (it may not exist yet). */
  config?: string;
  /**
   * Quiet time after the last change before a build starts: long enough to take the events
   * of one save together (an editor's truncate and write come within a millisecond or two).
   */
  debounceMs?: number;
  /** A build starts (after the changes in `changed`). */
  onBuildStart?: (changed: string[]) => void;
  /** After each build: its result, or the error it failed with. */
  onBuild?: (outcome: { result?: BuildResult; error?: unknown; changed: string[] }) => void;
  /** The settings already resolved (a command resolves them once): the first build takes them as they are. */
  settings?: ResolvedSettings;
  /** Settings the session cannot change while it runs (a server's folder and port): a config file that changes them is not applied. */
  fixed?: readonly SettingName[];
  /** The config file changed settings in `fixed`: they keep their values until a restart. */
  onUnapplied?: (names: SettingName[]) => void;
}

export interface Watcher {
  /** Resolves once the first build is done and the watcher is listening. */
  ready: Promise<void>;
  /** Stop watching, wait for a running build, close the browser. */
  close(): Promise<void>;
}

export function watch(options: WatchOptions): Watcher {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const builder = createBuilder(options);
  const debounceMs = options.debounceMs ?? 20;
  const configFile = options.config ? path.resolve(cwd, options.config) : null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let dirty = false;
  let closed = false;
  let changed = new Set<string>();
  let settings: ResolvedSettings | null = options.settings ?? null;

  /** The settings, resolved again after the config file changed (and until they resolve). */
  const currentSettings = async (files: string[]) => {
    const configChanged = configFile !== null && files.some((file) => path.resolve(cwd, file) === configFile);
    if (settings && !configChanged) return settings;
    // The config file may not exist (yet): then the defaults and the options given hold.
    const config = configFile && existsSync(configFile) ? await loadConfig(configFile, cwd) : null;
    const resolved = await resolveSettings({ given: options, config, cwd });
    const unapplied = settings ? (options.fixed ?? []).filter((name) => !isDeepStrictEqual(resolved[name], settings![name])) : [];
    const next =
      settings && unapplied.length ? { ...resolved, ...Object.fromEntries(unapplied.map((name) => [name, settings![name]])) } : resolved;
    if (unapplied.length) options.onUnapplied?.(unapplied);
    if (watcher && settings && next.notes !== settings.notes) {
      watcher.unwatch(settings.notes);
      watcher.add(next.notes);
    }
    settings = next;
    return settings;
  };

  /** Build until no change arrived during the last build: the last save wins. */
  const run = async () => {
    do {
      dirty = false;
      const files = [...changed];
      changed = new Set();
      options.onBuildStart?.(files);
      try {
        const result = await builder.build(await currentSettings(files));
        options.onBuild?.({ result, changed: files });
      } catch (error) {
        options.onBuild?.({ error, changed: files });
      }
    } while (dirty && !closed);
  };
  const trigger = () => {
    if (closed) return;
    if (running) {
      dirty = true;
      return;
    }
    running = run().finally(() => {
      running = null;
    });
  };
  const schedule = (file: string) => {
    changed.add(path.relative(cwd, file) || file);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      trigger();
    }, debounceMs);
  };

  let watcher: FSWatcher | null = null;
  const ready = (async () => {
    // The notes folder may come from the config file: resolve first (a failure is the first build's, reported by onBuild).
    const first = await currentSettings([]).catch(() => null);
    const notes = first?.notes ?? path.resolve(cwd, options.notes ?? 'notes');
    watcher = chokidarWatch([notes, BUNDLED_TEMPLATES, ...(configFile ? [configFile] : [])], {
      ignoreInitial: true,
      // Outputs never live in the notes folder (refused), but editors' swap files do, and study results may: the live
      // quiz appends to them as it goes (the next build reads them; an answer is no reason to build).
      ignored: (file) =>
        /(^|[/\\])(\.#|#.*#$|.*~$|.*\.sw[px]$)/.test(path.basename(file)) ||
        /[/\\]node_modules[/\\]/.test(file) ||
        isInside(settings?.results ?? path.join(notes, RESULTS_DIR), path.resolve(cwd, file)),
    });
    // A new folder is no change yet (its files come as their own events): the live quiz's first answer makes `.studyguide/results/`.
    watcher.on('all', (event, file) => event !== 'addDir' && schedule(file));
    await new Promise<void>((resolve) => watcher!.once('ready', () => resolve()));
    trigger();
    await running;
  })();

  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await ready.catch(() => undefined); // its failure was the first build's, reported by onBuild
      await watcher?.close();
      await running?.catch(() => undefined); // likewise reported by onBuild
      await builder.close();
    },
  };
}
