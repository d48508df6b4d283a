/**
 * File names the build derives from the notes (decks and handouts from topic
 * slugs, images from their file names): bounded in bytes and valid on every
 * system the output folder is zipped, synced or opened on. Pure: no I/O.
 */
import { createHash } from 'node:crypto';

/**
 * Longest file name, in UTF-8 bytes, the temporary of an atomic write included.
 * ext4 takes 255, but eCryptfs, Windows' 260-character paths and some zip and
 * sync tools take much less.
 */
export const MAX_NAME_BYTES = 100;

/**
 * Longest slug, in UTF-8 bytes: a deck (`<slug>.html`), a handout, or a
 * per-deck file to come with an extension of up to 14 bytes stays within
 * MAX_NAME_BYTES as a temporary (`.<name>.<pid>.<8 hex>.tmp` adds 22 bytes
 * with Linux's largest pid). 21 CJK characters, about 8 English words.
 */
export const MAX_SLUG_BYTES = 64;

/** Hex digits of the hash that keeps cut names apart: two long headings that share a prefix. */
const HASH_LENGTH = 8;

const bytes = (text: string) => Buffer.byteLength(text);
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The longest start of `text` within `max` bytes, cut between characters as the reader sees them (an emoji, a letter and its marks), else between code points. */
export function cutToBytes(text: string, max: number): string {
  if (bytes(text) <= max) return text;
  let cut = '';
  for (const { segment } of graphemes.segment(text)) {
    if (bytes(cut + segment) > max) break;
    cut += segment;
  }
  if (cut !== '') return cut;
  // One character longer than the budget (a letter under hundreds of marks): cut inside it.
  for (const point of text) {
    if (bytes(cut + point) > max) break;
    cut += point;
  }
  return cut;
}

/**
 * A slug within MAX_SLUG_BYTES: a long one is cut at a word (`-`) when that
 * keeps most of it, else at a character, and ends with a hash of the whole
 * slug, so the same heading gives the same name on every build and two
 * headings that differ only past the cut get different ones.
 */
export function boundSlug(slug: string, max = MAX_SLUG_BYTES): string {
  if (bytes(slug) <= max) return slug;
  const hash = createHash('sha1').update(slug).digest('hex').slice(0, HASH_LENGTH);
  let cut = cutToBytes(slug, max - 1 - HASH_LENGTH);
  const word = cut.lastIndexOf('-');
  if (slug[cut.length] !== '-' && word >= cut.length / 2) cut = cut.slice(0, word);
  cut = cut.replace(/-+$/, '');
  return cut ? `${cut}-${hash}` : hash;
}

/** Names Windows gives to devices, whatever the extension: `con`, `nul.txt`, `com1.html`. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$) *(\..*)?$/iu;
/** Characters Windows refuses in a name, and control characters (refused or invisible everywhere). */
const REFUSED = /[<>:"/\\|?*\p{Cc}]/u;

/** Whether every system can hold a file of this name: no refused character, no trailing dot or space, no device name. */
export function isPortableName(name: string): boolean {
  return name !== '' && !REFUSED.test(name) && !/[. ]$/.test(name) && !WINDOWS_DEVICE.test(name);
}

/**
 * `name` made portable, unchanged when it already is: refused characters
 * become `_`, a trailing dot or space goes, a device name gets a `_` in front.
 */
export function portableName(name: string): string {
  const safe = name.replace(new RegExp(REFUSED.source, 'gu'), '_').replace(/[. ]+$/, '') || '_';
  return WINDOWS_DEVICE.test(safe) ? `_${safe}` : safe;
}

/**
 * The key under which Windows and macOS see a name: without case, and (macOS)
 * without Unicode normalization. Two names with one key would be one file there.
 * A little broader than either (`ß` and `ss` share one): only a suffix too many.
 */
export const sameFileKey = (name: string) => name.normalize('NFC').toUpperCase().toLowerCase();

/**
 * `.<name>.<pid>.<random>.tmp`, the temporary of an atomic write: within
 * MAX_NAME_BYTES whatever the pid (the name part is cut if needed; the sweep
 * of stale temporaries reads only the pid).
 */
export function temporaryName(name: string, pid: number, random: string): string {
  const tail = `.${pid}.${random}.tmp`;
  return `.${cutToBytes(name, MAX_NAME_BYTES - 1 - bytes(tail)) || '_'}${tail}`;
}
