/**
 * The notes are only ever read: the bundled notes and the fixtures hash the
 * same before and after the whole test run, or the run fails.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WATCHED = [path.join(ROOT, 'notes'), path.join(ROOT, 'test', 'fixtures')];

async function treeHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of WATCHED) {
    const entries = (await readdir(dir, { recursive: true })).sort();
    for (const entry of entries) {
      const file = path.join(dir, entry);
      const info = await lstat(file);
      hash.update(`${file}\0${info.mode}\0`);
      if (info.isSymbolicLink()) hash.update(await readlink(file));
      else if (info.isFile()) hash.update(await readFile(file));
    }
  }
  return hash.digest('hex');
}

export default async function setup() {
  const before = await treeHash();
  return async () => {
    const after = await treeHash();
    if (after !== before) throw new Error('the notes or fixtures changed during the tests: notes must only ever be read');
  };
}
