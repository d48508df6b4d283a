/** Writing outputs: atomically (temp file + rename), so a failed build leaves the previous ones intact. */
import { randomBytes } from 'node:crypto';
import { copyFile, lstat, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, firstLine, UserError } from './errors.js';
import { temporaryName } from './names.js';
import { isInside } from './paths.js';

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
    // The write's own error says why; a failed clean-up (the same long name, the same full disk) must not replace it.
    await rm(temp, { force: true }).catch(() => undefined);
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

/**
 * One file a target made, relative to the output folder: its bytes, a file to copy, or "unchanged, still mine".
 * `source` is the place in the notes it comes from (`file:line:column`), for a message when it cannot be written.
 */
export type OutputFile = { path: string; source?: string } & ({ data: string | Uint8Array } | { copyFrom: string } | { unchanged: true });

/** An output that could not be written: which, from where in the notes, and the file system's error. */
export interface FailedWrite {
  path: string;
  source?: string;
  error: NodeJS.ErrnoException;
}

/** An error of the file system (it has a code and a system call), as opposed to a bug. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string';
}

/** The outputs of the last build, by the target that made them (for removing what a target no longer makes). */
export const MANIFEST = '.studyguide-outputs.json';

/** Who owns the files already in the output folder (src/foreign.ts): an output is not written over a file the build did not write. */
export interface Ownership {
  owned(rel: string): boolean;
  /** Files this emit would write over that are not the build's: throws (a UserError). */
  refuse(paths: string[]): Promise<never>;
}

/**
 * The one place outputs are written: each file atomically, bytes that did not
 * change left alone. Returns the paths written (not those already current).
 * With `failed`, a file the file system refuses (a name too long, a full disk)
 * is added to it and the others are still written; without, its error is thrown.
 * With `ownership`, nothing is written when a file would replace one the build
 * did not write; and never through a folder whose real path leaves `outDir`
 * (a symlinked `slides/`).
 */
export async function emit(
  outDir: string,
  files: OutputFile[],
  copied?: CopiedFiles,
  failed?: FailedWrite[],
  ownership?: Ownership,
): Promise<string[]> {
  const present = listings();
  await insideOutputs(outDir, files);
  if (ownership) {
    const foreign = await Promise.all(
      files.map(async (f) => (!ownership.owned(f.path) && (await present(path.join(outDir, f.path))) ? f.path : null)),
    );
    const found = foreign.filter((p): p is string => p !== null);
    if (found.length > 0) await ownership.refuse(found);
  }
  const written = await Promise.all(
    files.map((file) =>
      writeOne(outDir, file, present, copied).catch((error: unknown) => {
        if (!failed || !isFileSystemError(error)) throw error;
        failed.push({ path: file.path, source: file.source, error });
        return null;
      }),
    ),
  );
  return written.filter((p): p is string => p !== null);
}

/** Write one output (see `emit`): its path when written, null when it was already current. */
async function writeOne(outDir: string, file: OutputFile, present: (file: string) => Promise<boolean>, copied?: CopiedFiles) {
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
}

/** What a file system error code means, in a few words. */
const REASONS: Record<string, string> = {
  ENAMETOOLONG: 'name too long',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'a folder is in the way',
  ENOTDIR: 'a file is in the way',
  EEXIST: 'a file is in the way',
  EIO: 'input/output error',
  EINVAL: 'invalid name or argument',
};

/**
 * The user error for outputs that could not be written: each output's path (as
 * `show` shows it), the place in the notes it comes from, and why. The other
 * outputs were written; the build fails (ExitCode.CannotWrite).
 */
export function cannotWrite(failed: FailedWrite[], show: (file: string) => string): UserError {
  const sorted = [...failed].sort((a, b) => a.path.localeCompare(b.path));
  const say = (f: FailedWrite) => {
    const code = f.error.code ?? 'error';
    return `${f.source ? `${f.source}: ` : ''}${show(f.path)}: ${REASONS[code] ?? firstLine(f.error)} (${code})`;
  };
  const shownItems = sorted.slice(0, 5).map(say);
  const more = sorted.length > 5 ? `; and ${sorted.length - 5} more` : '';
  const head = sorted.length === 1 ? 'cannot write an output' : `cannot write ${sorted.length} outputs`;
  return new UserError(`${head} (the others are written): ${shownItems.join('; ')}${more}`, ExitCode.CannotWrite, {
    cause: failed[0]?.error,
  });
}

/** Refuse to write through a folder of the output folder that is a symlink to somewhere else (one check per folder). */
async function insideOutputs(outDir: string, files: OutputFile[]): Promise<void> {
  const root = await realpath(outDir).catch(() => path.resolve(outDir));
  const dirs = new Set(files.map((f) => path.dirname(path.join(outDir, f.path))));
  for (const dir of dirs) {
    const real = await realpath(dir).catch(() => null); // not made yet: made by the write, inside
    if (real && !isInside(root, real))
      throw new UserError(`${dir} leads out of the output folder (a symlink to ${real}); outputs are not written through it`);
  }
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

/** What the last build recorded in the manifest, and how far it can be trusted. */
export interface Manifest {
  /** `none`: no manifest; `legacy`: a list from before targets (decks, handouts, flashcards only); `unreadable`: not JSON. */
  state: 'none' | 'ok' | 'legacy' | 'unreadable';
  /** Output path → the target that made it; only entries that are plain paths inside the folder. */
  entries: Map<string, string>;
  /** Entries left out: not a plain relative path inside the output folder. */
  refused: string[];
}

/**
 * The output folder's manifest. It is a file in a folder that may be shared, synced or unzipped
 * from elsewhere: an entry is used only when it is a plain relative path that stays inside the
 * folder (no `..`, not absolute); a manifest that does not parse counts as none of its entries.
 */
export async function readManifest(outDir: string): Promise<Manifest> {
  const text = await readFile(path.join(outDir, MANIFEST), 'utf8').catch(() => null);
  if (text === null) return { state: 'none', entries: new Map(), refused: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { state: 'unreadable', entries: new Map(), refused: [] };
  }
  const entries = new Map<string, string>();
  const refused: string[] = [];
  for (const [rel, target] of manifestEntries(parsed)) {
    if (plainRelative(rel)) entries.set(rel, target);
    else refused.push(rel);
  }
  return { state: Array.isArray(parsed) ? 'legacy' : typeof parsed === 'object' && parsed ? 'ok' : 'unreadable', entries, refused };
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

/** `slides/a.html`: forward slashes, no empty, `.` or `..` segment, not absolute, no drive, no NUL or backslash. */
function plainRelative(rel: string): boolean {
  if (rel === '' || rel.length > 4096 || /[\\\0]/.test(rel) || rel.startsWith('/') || /^[a-z]:/i.test(rel)) return false;
  return rel.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/**
 * Remove what a previous build's targets made and this build's did not (a
 * deleted topic's deck); a target that did not run this time (`--only pdf`
 * leaves the decks alone) keeps its files. Then record this build's outputs.
 * Only a regular file (not a symlink) whose real folder is inside the output
 * folder is removed. Returns the paths removed.
 */
export async function pruneStale(outDir: string, made: Map<string, string>, ran: Set<string>, previous?: Manifest): Promise<string[]> {
  const { entries } = previous ?? (await readManifest(outDir));
  const record = new Map(made);
  const stale: string[] = [];
  for (const [rel, target] of entries) {
    if (record.has(rel)) continue;
    if (ran.has(target)) stale.push(rel);
    else record.set(rel, target); // not made this time: still an output
  }
  const root = await realpath(outDir);
  const removed = await Promise.all(stale.map(async (rel) => ((await removeOwn(root, path.join(outDir, rel))) ? rel : null)));
  await writeManifest(outDir, record);
  return removed.filter((rel): rel is string => rel !== null);
}

/**
 * Record what this build wrote so far along with the last build's outputs: a build that fails
 * after writing some files (a template error, a browser that crashed) leaves them known as the
 * build's, so that the next build (or the retry) neither refuses them as someone else's nor
 * keeps them forever. Writes nothing when they were all known.
 */
export async function recordWritten(outDir: string, previous: Manifest, written: Map<string, string>): Promise<void> {
  if ([...written.keys()].every((rel) => previous.entries.has(rel)) && previous.state === 'ok') return;
  await writeManifest(outDir, new Map([...previous.entries, ...written]));
}

/** Record `record` as the folder's outputs. */
export async function writeManifest(outDir: string, record: Map<string, string>): Promise<void> {
  const sorted = [...record].sort(([a], [b]) => a.localeCompare(b));
  await writeAtomic(path.join(outDir, MANIFEST), JSON.stringify(Object.fromEntries(sorted), null, 1));
}

/** Remove `file` if it is a regular file (not a symlink) in a folder whose real path is under `root` (real). */
async function removeOwn(root: string, file: string): Promise<boolean> {
  const [info, dir] = await Promise.all([lstat(file).catch(() => null), realpath(path.dirname(file)).catch(() => null)]);
  if (!info?.isFile() || !dir || !isInside(root, dir)) return false;
  await rm(path.join(dir, path.basename(file)), { force: true });
  return true;
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
