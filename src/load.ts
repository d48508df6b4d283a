/** Stage 1: find the notes and read them as text (read only, never written). */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VFile } from 'vfile';
import { UserError } from './errors.js';

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Every `*.md` under `dir`, recursively, in a stable natural order (01, 02, …, 10). */
export async function findNotes(dir: string, cwd = process.cwd()): Promise<string[]> {
  const root = path.resolve(cwd, dir);
  const info = await stat(root).catch(() => null);
  if (!info) throw new UserError(`notes folder not found: ${dir} (pass --notes DIR)`);
  if (!info.isDirectory()) throw new UserError(`notes path is not a folder: ${dir}`);
  return walkFiles(root, (name) => /\.md$/i.test(name));
}

/**
 * Every file under `root` whose name `wanted` accepts, recursively, in natural
 * order. Dot folders (.studyguide, .obsidian, .git) and node_modules are not
 * entered; symlinks are followed, a loop walked once.
 */
export async function walkFiles(root: string, wanted: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>(); // real paths: a symlink loop is walked once
  async function walk(abs: string): Promise<void> {
    const real = await realpath(abs).catch(() => abs);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => naturalOrder.compare(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = path.join(abs, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await stat(child).catch(() => null);
        // A dangling link is listed: a note that cannot be read is reported, not skipped silently.
        if (!target) {
          if (wanted(entry.name)) found.push(child);
          continue;
        }
        if (target.isDirectory()) await walk(child);
        else if (target.isFile() && wanted(entry.name)) found.push(child);
        continue;
      }
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && wanted(entry.name)) found.push(child);
    }
  }
  await walk(root);
  return found;
}

/**
 * Decode a note's bytes. Notes come from many editors: a BOM (UTF-8 or
 * UTF-16) is honoured, invalid UTF-8 is decoded with replacement characters and
 * reported, and a binary file is refused rather than rendered as garbage.
 */
export function decodeNote(bytes: Uint8Array, file: VFile): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return decode(bytes.subarray(3), 'utf-8', file);
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.subarray(0, 8192).includes(0)) {
    file.message('not a text file (binary content); skipped', { place: { line: 1, column: 1 }, ruleId: 'binary', source: 'studyguide' });
    return null;
  }
  return decode(bytes, 'utf-8', file);
}

function decode(bytes: Uint8Array, encoding: string, file: VFile): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    file.message('invalid UTF-8; undecodable bytes shown as �', {
      place: { line: 1, column: 1 },
      ruleId: 'encoding',
      source: 'studyguide',
    });
    return new TextDecoder(encoding).decode(bytes);
  }
}

export interface LoadedNote {
  absPath: string;
  /** Path shown in messages: relative to the working directory. */
  path: string;
  file: VFile;
  /** null when the file could not be used (the reason is a message on `file`). */
  text: string | null;
}

export async function loadNotes(dir: string, cwd = process.cwd()): Promise<LoadedNote[]> {
  const paths = await findNotes(dir, cwd);
  if (paths.length === 0) throw new UserError(`no markdown (*.md) found in ${dir}`);
  return Promise.all(paths.map((abs) => loadNote(abs, cwd)));
}

/**
 * Notes larger than this are skipped with a warning: a note that size is an
 * export or a log, not study notes, and would take minutes to lay out.
 */
export const MAX_NOTE_BYTES = 2 * 1024 * 1024;

export async function loadNote(absPath: string, cwd = process.cwd()): Promise<LoadedNote> {
  const relative = path.relative(cwd, absPath);
  const display = relative && !relative.startsWith('..') ? relative : absPath;
  const file = new VFile({ path: display });
  let text: string | null = null;
  try {
    const size = (await stat(absPath)).size;
    if (size > MAX_NOTE_BYTES) {
      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
      file.message(`note is ${mb(size)}, over the ${mb(MAX_NOTE_BYTES)} limit; skipped (split it into smaller notes)`, {
        place: { line: 1, column: 1 },
        ruleId: 'too-large',
        source: 'studyguide',
      });
      return { absPath, path: display, file, text: null };
    }
    text = decodeNote(await readFile(absPath), file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    file.message(`cannot read note (${code}); skipped`, { place: { line: 1, column: 1 }, ruleId: 'read', source: 'studyguide' });
  }
  if (text !== null) file.value = text;
  return { absPath, path: display, file, text };
}
