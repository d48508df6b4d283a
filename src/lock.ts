/**
 * One build at a time per output folder. Each file is written atomically, but
 * two builds at once could still leave a folder that mixes both (one's PDF,
 * the other's decks), and each one's pruning of stale outputs would delete
 * the other's. So a build holds `.studyguide.lock` in the output folder while
 * it writes; a second build waits for it, and says so.
 *
 * The lock names its process: a lock left by a killed build (SIGKILL leaves
 * no time to remove it) is taken over at once, not after an age-out, which
 * a long synchronous stage could outlast.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCK_FILE = '.studyguide.lock';

export interface OutputLock {
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  host: string;
  /** Tells two builders of one process apart. */
  token: string;
  since: string;
}

/** How often a waiting build looks again; the lock is one small file, so this costs nothing. */
const POLL_MS = 150;

/**
 * Take the lock of `outDir` (created if missing), waiting while another live
 * build holds it. `onWait` is called once, with who holds it, when it has to wait.
 */
export async function lockOutputs(outDir: string, onWait: (holder: string) => void): Promise<OutputLock> {
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: os.hostname(), token: randomBytes(6).toString('hex'), since: new Date().toISOString() };
  const content = JSON.stringify(me);
  let waited = false;
  for (;;) {
    if (await tryCreate(file, content)) break;
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue; // released meanwhile
    const holder = parse(text);
    if (!holder || !alive(holder)) {
      await takeOver(file, text);
      continue;
    }
    if (!waited) {
      waited = true;
      const where = holder.host === me.host ? '' : ` on ${holder.host}`;
      onWait(
        `waiting for the studyguide build writing to ${outDir} (pid ${holder.pid}${where}, since ${holder.since}) to finish; if none is running, delete ${file}`,
      );
    }
    await sleep(POLL_MS);
  }
  // Ctrl-C ends the process with process.exit, which runs no finally: the lock goes then too.
  const onExit = () => removeIfMine(file, content);
  process.once('exit', onExit);
  return {
    async release() {
      process.off('exit', onExit);
      removeIfMine(file, content);
    },
  };
}

/** Create the lock with its content in one step: written to a private file, then linked into place (which fails if the lock exists). */
async function tryCreate(file: string, content: string): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, content);
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Remove a dead holder's lock. Two waiters may both find it dead: each moves
 * the lock aside first, and puts it back if what it moved is no longer the
 * dead one's (the other waiter already took over).
 */
async function takeOver(file: string, stale: string): Promise<void> {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await rename(file, aside);
  } catch {
    return; // gone already
  }
  const moved = await readFile(aside, 'utf8').catch(() => stale);
  // Another build's lock was moved aside by mistake: put it back; if it took the place meanwhile, it holds it.
  if (moved !== stale) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

function parse(text: string): Holder | null {
  try {
    const value = JSON.parse(text) as Holder;
    return Number.isInteger(value.pid) && typeof value.host === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** A holder on another host (a shared folder) cannot be checked here: it counts as alive. */
function alive(holder: Holder): boolean {
  return holder.host !== os.hostname() || processRunning(holder.pid);
}

/** Whether process `pid` runs on this machine (EPERM: it does, as another user's). */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Synchronous, so it can run in an 'exit' handler. Never removes a lock another build has taken since. */
function removeIfMine(file: string, content: string): void {
  try {
    if (readFileSync(file, 'utf8') === content) unlinkSync(file);
  } catch {
    // already gone
  }
}
