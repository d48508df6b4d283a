/** Paths compared as the file system sees them: real paths, whole segments. */
import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** Study results, by default: in the notes folder, a dot folder (Obsidian and the note loader skip it). */
export const RESULTS_DIR = path.join('.studyguide', 'results');

/** Whether `child` is `parent` or under it (segment-wise: `notes/..x` is under `notes`, `../x` is not). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel));
}

/**
 * The real path of `file` (symlinks followed) even when it does not exist yet: the real path of
 * its nearest existing ancestor, and the rest as written.
 */
export async function realPathOf(file: string): Promise<string> {
  const absolute = path.resolve(file);
  const rest: string[] = [];
  for (let at = absolute; ; at = path.dirname(at)) {
    const real = await realpath(at).catch(() => null);
    if (real) return path.join(real, ...rest);
    if (path.dirname(at) === at) return absolute;
    rest.unshift(path.basename(at));
  }
}
