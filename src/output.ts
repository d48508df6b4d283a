/** Writing outputs: atomically (temp file + rename), so a failed build leaves the previous ones intact. */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Make `file` by writing a temporary file next to it (`produce`) and renaming
 * it over the old one: readers see the old file or the new one, never half of
 * one. The temporary name (`.name.PID.hex.tmp`) lets a later build sweep up
 * after a killed one.
 */
async function replaceAtomically(file: string, produce: (temp: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
