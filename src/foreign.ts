/**
 * An output folder may hold files studyguide did not write (a folder chosen by
 * mistake, a site's own index.html, a git checkout). The build does not write
 * over them, nor into such a folder at all when it has no manifest, unless
 * `--force`; they are never pruned either way (only manifest entries are).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from './errors.js';
import { LOCK_FILE } from './lock.js';
import { MANIFEST, type Manifest, type Ownership } from './output.js';

/** What the build itself keeps in the folder, and what a desktop drops into any folder. */
const OWN = new Set([LOCK_FILE, MANIFEST, '.cache', '.DS_Store']);
/** Temporary files of a build (see `sweepTemporaries`). */
const TEMPORARY = /^\.(?:.+\.\d+\.[0-9a-f]{8}\.tmp|fit-\d+-\d+\.html|.+\.\d+\.html)$/;

/** The entries of a folder without a manifest that are not the build's own (at most `limit`, and how many in all). */
export async function strangers(outDir: string, limit = 5): Promise<{ names: string[]; count: number }> {
  const names = (await readdir(outDir).catch(() => [] as string[])).filter((name) => !OWN.has(name) && !TEMPORARY.test(name)).sort();
  return { names: names.slice(0, limit), count: names.length };
}

const list = (names: string[], count: number) => names.join(', ') + (count > names.length ? `, … (${count} in all)` : '');

/**
 * The ownership rule for this build (`emit`), or a refusal: a folder without a manifest that is not
 * empty is refused at once unless `force` (then `notice` names what is there). With a manifest, a
 * file it does not list is not the build's: an output of that name is refused. `written()` is what
 * this build wrote so far (its own, whatever the manifest says).
 */
export async function ownership(
  outDir: string,
  shownOut: string,
  manifest: Manifest,
  force: boolean,
  written: () => Map<string, string>,
  notice: (line: string) => void,
): Promise<Ownership | undefined> {
  if (manifest.state === 'none') {
    const { names, count } = await strangers(outDir);
    if (count > 0 && !force)
      throw new UserError(
        `output folder ${shownOut}/ holds files studyguide did not write (${list(names, count)}); choose an empty or new --out, or pass --force to build there (they are left alone)`,
      );
    if (count > 0)
      notice(
        `--force: building into ${shownOut}/, which holds files studyguide did not write (${list(names, count)}); outputs of the same name replace them, the others are left alone`,
      );
  }
  // A list from before targets named only some outputs: nothing to tell ours from others' by.
  if (force || manifest.state === 'legacy') return undefined;
  return {
    owned: (rel) => manifest.entries.has(rel) || written().has(rel),
    async refuse(paths) {
      throw new UserError(
        `${list(
          paths.slice(0, 5).map((p) => path.posix.join(shownOut, p)),
          paths.length,
        )}: not written by studyguide (not in ${shownOut}/${MANIFEST}), and the build would replace ${paths.length === 1 ? 'it' : 'them'}; move ${paths.length === 1 ? 'it' : 'them'} away, or pass --force`,
      );
    },
  };
}
