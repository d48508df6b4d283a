/** Running the targets of a build: at once, each with its cache, each able to wait for the results it declared. */
import type { Browser } from 'puppeteer-core';
import { blockedWarning } from '../report.js';
import type { Summaries, Target, TargetContext, TargetInput, TargetName, TargetResult } from './target.js';

/**
 * Start every target, in the given order: a target's `after` targets come before it in the list, so
 * their results are already under way when it starts, and `resultOf` hands it that promise (null for
 * a target not enabled). Requests a target's pages tried to make outside the output folder become its
 * warnings. Each target's outcome comes back, failed or not: one that could not write its page (a full
 * disk) leaves the others' outputs.
 */
export function runTargets(
  targets: readonly Target[],
  input: TargetInput,
  caches: Map<string, unknown>,
  browser: () => Promise<Browser>,
  /** A target finished: its name, what it made in a few words, and the targets still running. */
  done: (name: string, detail: string, running: string[]) => void,
  /** No rebuild follows: a target's cache (its open page) is released as soon as it is done, not kept. */
  once = false,
): Promise<PromiseSettledResult<TargetResult>[]> {
  const enabled = new Set<string>(targets.map((t) => t.name));
  const running = new Map<string, Promise<TargetResult>>();
  const pending = new Set(enabled);
  for (const target of targets) {
    for (const name of target.after ?? []) {
      if (enabled.has(name) && !running.has(name)) throw new Error(`target ${target.name} uses ${name}, which starts after it`);
    }
    if (target.createCache && !caches.has(target.name)) caches.set(target.name, target.createCache());
    const blocked = new Set<string>();
    const ctx: TargetContext = {
      browser,
      cache: caches.get(target.name),
      onBlocked: (url) => blocked.add(url),
      resultOf: <N extends TargetName>(name: N) => {
        if (!target.after?.includes(name)) throw new Error(`target ${target.name} uses ${name} without naming it in \`after\``);
        return (running.get(name) ?? Promise.resolve(null)) as Promise<TargetResult<Summaries[N]> | null>;
      },
    };
    const result = target.build(input, ctx).then(async (r) => {
      // A page kept for a rebuild that will not come holds memory while the other targets work.
      if (once) await target.dispose?.(caches.get(target.name));
      pending.delete(target.name);
      done(target.name, target.describe?.(r.summary) ?? `${r.files.length} files`, [...pending]);
      return { ...r, messages: [...r.messages, ...[...blocked].map((url) => blockedWarning(url))] };
    });
    result.catch(() => undefined); // awaited below; a target waiting for this one sees the same rejection
    running.set(target.name, result);
  }
  return Promise.allSettled(targets.map((target) => running.get(target.name)!));
}
