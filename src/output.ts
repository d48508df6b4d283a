/** Writing outputs: atomically (temp file + rename), so a failed build leaves the previous ones intact. */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { temporaryName } from './names.js';

/**
 * Make `file` by writing a temporary file next to it (`produce`) and renaming
 * it over the old one: readers see the old file or the new one, never half of
 * one. The temporary name (`.name.PID.hex.tmp`, within the name limit of
 * src/names.ts) lets a later build sweep up after a killed one.
 */
async function replaceAtomically(file: string, produce: (temp: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), temporaryName(path.basename(file), process.pid, randomBytes(4).toString('hex')));
  try {
    await produce(temp);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Remove an intermediate page Chromium laid out, unless STUDYGUIDE_KEEP_TEMP=1 keeps it for debugging. */
export async function discardTemporary(file: string): Promise<void> {
  if (!process.env.STUDYGUIDE_KEEP_TEMP) await rm(file, { force: true });
}

/** Write `data` to `file` atomically; returns false (and leaves the file alone) when it already holds exactly that. */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<boolean> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const current = await readFile(file).catch(() => null);
  if (current && current.equals(bytes)) return false;
  await replaceAtomically(file, (temp) => writeFile(temp, bytes));
  return true;
}

/**
 * Copy a file atomically unless the target is already a copy of it (same size,
 * not older): assets from packages are copied once, not on every build.
 */
export async function copyAtomic(from: string, to: string): Promise<boolean> {
  const [a, b] = await Promise.all([stat(from), stat(to).catch(() => null)]);
  if (b && a.size === b.size && b.mtimeMs >= a.mtimeMs) return false;
  await replaceAtomically(to, (temp) => copyFile(from, temp));
  return true;
}

/** One file a target made, relative to the output folder: its bytes, a file to copy, or "unchanged, still mine". */
export type OutputFile = { path: string } & ({ data: string | Uint8Array } | { copyFrom: string } | { unchanged: true });

/** The outputs of the last build, by the target that made them (for removing what a target no longer makes). */
export const MANIFEST = '.studyguide-outputs.json';

/**
 * The one place outputs are written: each file atomically, bytes that did not
 * change left alone. Returns the paths written (not those already current).
 */
export async function emit(outDir: string, files: OutputFile[], copied?: CopiedFiles): Promise<string[]> {
  const present = listings();
  const written = await Promise.all(
    files.map(async (file) => {
      const to = path.join(outDir, file.path);
      if ('copyFrom' in file) {
        // Copied (or found current) earlier in this session and still there: no stat of either file.
        if (copied?.get(to) === file.copyFrom && (await present(to))) return null;
        const changed = await copyAtomic(file.copyFrom, to);
        copied?.set(to, file.copyFrom);
        return changed ? file.path : null;
      }
      const changed = 'data' in file ? await writeAtomic(to, file.data) : false;
      return changed ? file.path : null;
    }),
  );
  return written.filter((p): p is string => p !== null);
}

/**
 * Package files (fonts, reveal.js, KaTeX) copied into an output folder, by target path, kept by a
 * builder: a rebuild in watch mode does not check hundreds of font files again, only that they are
 * still there (one listing per folder).
 */
export type CopiedFiles = Map<string, string>;

/** Whether a file exists, from one `readdir` per folder (memoized for one call of `emit`). */
function listings(): (file: string) => Promise<boolean> {
  const dirs = new Map<string, Promise<Set<string>>>();
  return async (file) => {
    const dir = path.dirname(file);
    if (!dirs.has(dir))
      dirs.set(
        dir,
        readdir(dir).then(
          (names) => new Set(names),
          () => new Set<string>(),
        ),
      );
    return (await dirs.get(dir)!).has(path.basename(file));
  };
}

/**
 * Remove what a previous build's targets made and this build's did not (a
 * deleted topic's deck); a target that did not run this time (`--only pdf`
 * leaves the decks alone) keeps its files. Then record this build's outputs.
 */
export async function pruneStale(outDir: string, made: Map<string, string>, ran: Set<string>): Promise<string[]> {
  const file = path.join(outDir, MANIFEST);
  const previous = await readFile(file, 'utf8')
    .then((text) => JSON.parse(text) as unknown)
    .catch(() => ({}));
  const record = new Map(made);
  const stale: string[] = [];
  for (const [rel, target] of manifestEntries(previous)) {
    if (record.has(rel)) continue;
    if (ran.has(target)) stale.push(rel);
    else record.set(rel, target); // not made this time: still an output
  }
  await Promise.all(stale.map((rel) => rm(path.join(outDir, rel), { force: true })));
  await writeAtomic(file, JSON.stringify(Object.fromEntries([...record].sort(([a], [b]) => a.localeCompare(b))), null, 1));
  return stale;
}

/** `{ file: target }`; manifests before targets were a list of deck, handout and flashcard files. */
function manifestEntries(manifest: unknown): [string, string][] {
  if (Array.isArray(manifest)) {
    const owner = (rel: string) => (rel.startsWith('slides/') ? 'decks' : rel.startsWith('handouts/') ? 'handouts' : 'flashcards');
    return manifest.filter((rel): rel is string => typeof rel === 'string').map((rel) => [rel, owner(rel)]);
  }
  if (typeof manifest !== 'object' || manifest === null) return [];
  return Object.entries(manifest).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
}

/**
 * Temporary files of builds that were killed (SIGKILL leaves no time to clean
 * up): the outputs themselves were never touched (written by rename), but the
 * temporaries would pile up. Only files of processes no longer running go.
 */
export async function sweepTemporaries(outDir: string, running: (pid: number) => boolean): Promise<void> {
  const pattern = /^\.(?:.+\.(\d+)\.[0-9a-f]{8}\.tmp|fit-(\d+)-\d+\.html|.+\.(\d+)\.html)$/;
  for (const dir of [outDir, path.join(outDir, 'slides'), path.join(outDir, 'handouts')]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      names.map(async (name) => {
        const m = pattern.exec(name);
        const pid = Number(m?.[1] ?? m?.[2] ?? m?.[3]);
        if (!m || pid === process.pid || running(pid)) return;
        await rm(path.join(dir, name), { force: true });
      }),
    );
  }
}
