/**
 * A raster image is checked before it is copied: its header read for its size,
 * its structure for damage (a PNG's chunk checksums, a JPEG's segments, a WebP's
 * length). A file Chromium could not decode, or one that declares a size it would
 * need gigabytes to decode (30000×30000), becomes a placeholder with a warning
 * instead of a blank box or a browser that runs out of memory.
 */
import { crc32 } from 'node:zlib';

/** More pixels than this is not a picture for a page or a slide (a 50-megapixel photo is 200 MB decoded). */
export const MAX_PIXELS = 50_000_000;
const MAX_SIDE = 30_000;

/** Why `bytes` (of the sniffed `type`) cannot be shown, or null when it can, as far as its structure tells. */
export function imageProblem(bytes: Uint8Array, type: string): string | null {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = type === 'png' ? png(data) : type === 'jpeg' ? jpeg(data) : type === 'gif' ? gif(data) : type === 'webp' ? webp(data) : {};
  if ('damage' in read) return `corrupt ${type.toUpperCase()} image (${read.damage})`;
  if ('width' in read && read.width !== undefined && read.height !== undefined) {
    const { width, height } = read;
    if (width === 0 || height === 0) return `corrupt ${type.toUpperCase()} image (declares ${width}×${height} pixels)`;
    if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS)
      return `image declares ${width}×${height} pixels, too large to decode (at most ${MAX_PIXELS / 1e6} megapixels)`;
  }
  return null;
}

type Read = { width?: number; height?: number } | { damage: string };

/** Chunks with their checksums, IHDR first, IDAT somewhere, IEND last. */
function png(data: Buffer): Read {
  let at = 8;
  let size: { width: number; height: number } | null = null;
  let idat = false;
  while (at + 12 <= data.length) {
    const length = data.readUInt32BE(at);
    const type = data.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > data.length) return { damage: `chunk ${type} cut short` };
    if (crc32(data.subarray(at + 4, at + 8 + length)) !== data.readUInt32BE(at + 8 + length))
      return { damage: `bad checksum in chunk ${type}` };
    if (at === 8) {
      if (type !== 'IHDR' || length !== 13) return { damage: 'no IHDR header' };
      size = { width: data.readUInt32BE(at + 8), height: data.readUInt32BE(at + 12) };
    }
    if (type === 'IDAT') idat = true;
    if (type === 'IEND') return idat ? size! : { damage: 'no image data' };
    at += 12 + length;
  }
  return { damage: size ? 'cut short (no IEND)' : 'no IHDR header' };
}

/** Segments from SOI to the scan, a frame header among them (its size), and an end marker after the scan. */
function jpeg(data: Buffer): Read {
  let at = 2;
  let size: { width: number; height: number } | null = null;
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) return { damage: `no marker at byte ${at}` };
    const marker = data[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = data.readUInt16BE(at + 2);
    if (length < 2 || at + 2 + length > data.length) return { damage: 'segment cut short' };
    // Frame headers: SOF0–15 but DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker) && length >= 7)
      size = { height: data.readUInt16BE(at + 5), width: data.readUInt16BE(at + 7) };
    if (marker === 0xda) {
      if (!size) return { damage: 'no frame header before the scan' };
      return data.lastIndexOf(Buffer.from([0xff, 0xd9])) > at ? size : { damage: 'cut short (no end marker)' };
    }
    at += 2 + length;
  }
  return { damage: 'cut short' };
}

function gif(data: Buffer): Read {
  if (data.length < 13) return { damage: 'cut short' };
  return { width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
}

/** RIFF length against the file's, and the size from its first chunk. */
function webp(data: Buffer): Read {
  if (data.length < 30) return { damage: 'cut short' };
  if (data.readUInt32LE(4) + 8 > data.length) return { damage: 'cut short' };
  const chunk = data.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return { width: data.readUIntLE(24, 3) + 1, height: data.readUIntLE(27, 3) + 1 };
  if (chunk === 'VP8L') {
    const bits = data.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ') return { width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
  return {};
}
