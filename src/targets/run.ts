/** Running the targets of a build: all at once, each with its cache, each able to wait for another's result. */
import type { Browser } from 'puppeteer-core';
import { blockedWarning } from '../report.js';
import type { Target, TargetInput, TargetResult } from './target.js';

/**
 * Start every target at once; a target can wait for another's result
 * (`resultOf`). Requests a target's pages tried to make outside the output
 * folder become its warnings. Each target's outcome comes back, failed or not:
 * one that could not write its page (a full disk) leaves the others' outputs.
 */
export function runTargets(
  targets: Target[],
  input: TargetInput,
  caches: Map<string, unknown>,
  browser: () => Promise<Browser>,
  /** A target finished: its name, and what it made in a few words. */
  done: (name: string, detail: string) => void,
  /** No rebuild follows: a target's cache (its open page) is released as soon as it is done, not kept. */
  once = false,
): Promise<PromiseSettledResult<TargetResult>[]> {
  const running = new Map<string, Promise<TargetResult>>();
  const resultOf = <S>(name: string) => (running.get(name) ?? Promise.resolve(null)) as Promise<TargetResult<S> | null>;
  for (const target of targets) {
    if (target.createCache && !caches.has(target.name)) caches.set(target.name, target.createCache());
    const blocked = new Set<string>();
    const ctx = { browser, cache: caches.get(target.name), onBlocked: (url: string) => blocked.add(url), resultOf };
    const result = Promise.resolve()
      .then(() => target.build(input, ctx))
      .then(async (r) => {
        // A page kept for a rebuild that will not come holds memory while the other targets work.
        if (once) await target.dispose?.(caches.get(target.name));
        const warnings = [...blocked].map((url) => blockedWarning(url));
        const withBlocked = { ...r, messages: [...r.messages, ...warnings] };
        done(target.name, target.describe?.(r.summary) ?? `${r.files.length} files`);
        return withBlocked;
      });
    result.catch(() => undefined); // awaited below; a target waiting for this one sees the same rejection
    running.set(target.name, result);
  }
  return Promise.allSettled(targets.map((target) => running.get(target.name)!));
}
