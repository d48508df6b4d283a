/**
 * `studyguide watch`: rebuild after every save. One builder (and so one warm
 * browser) for the whole session; bursts of saves are debounced; builds never
 * overlap and the last save always wins; a failing build is reported and
 * watching goes on.
 */
import path from 'node:path';
import { watch as chokidarWatch } from 'chokidar';
import { createBuilder, type BuildOptions, type BuildResult } from './build.js';
import { BUNDLED_TEMPLATES } from './templates.js';

export interface WatchOptions extends BuildOptions {
  /** Quiet time after the last change before a build starts. */
  debounceMs?: number;
  /** Also watch this config file. */
  configFile?: string;
  /** A build starts (after the changes in `changed`). */
  onBuildStart?: (changed: string[]) => void;
  /** After each build: its result, or the error it failed with. */
  onBuild?: (outcome: { result?: BuildResult; error?: unknown; changed: string[] }) => void;
}

export interface Watcher {
  /** Resolves once the first build is done and the watcher is listening. */
  ready: Promise<void>;
  /** Stop watching, wait for a running build, close the browser. */
  close(): Promise<void>;
}

export function watch(options: WatchOptions): Watcher {
  const cwd = options.cwd ?? process.cwd();
  const builder = createBuilder(options);
  const debounceMs = options.debounceMs ?? 80;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let dirty = false;
  let closed = false;
  let changed = new Set<string>();

  /** Build until no change arrived during the last build: the last save wins. */
  const run = async () => {
    do {
      dirty = false;
      const files = [...changed];
      changed = new Set();
      options.onBuildStart?.(files);
      try {
        const result = await builder.build();
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

  const targets = [path.resolve(cwd, options.notes), BUNDLED_TEMPLATES];
  if (options.configFile) targets.push(path.resolve(cwd, options.configFile));
  const watcher = chokidarWatch(targets, {
    ignoreInitial: true,
    // Outputs never live in the notes folder (refused), but editors' swap files do.
    ignored: (file) => /(^|[/\\])(\.#|#.*#$|.*~$|.*\.sw[px]$)/.test(path.basename(file)) || /[/\\]node_modules[/\\]/.test(file),
  });
  watcher.on('all', (_event, file) => schedule(file));

  const ready = (async () => {
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    trigger();
    await running;
  })();

  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
      await running?.catch(() => undefined);
      await builder.close();
    },
  };
}
