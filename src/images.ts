/**
 * Stage 4: find every image the notes use and decide what the outputs show for
 * it: a copy in `assets/`, or a compact placeholder with a warning. Remote
 * images are fetched once into a cache (short timeouts, size cap, all in
 * parallel) so the outputs never depend on the network.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Image } from 'mdast';
import { visit } from 'unist-util-visit';
import { walkTopics } from './tree.js';
import type { Guide, Note } from './types.js';

export type ImageResolution =
  /** Copied into the output: `href` is relative to the output folder. */
  | { kind: 'file'; href: string; source: string }
  /** A `data:` URI, used as it is. */
  | { kind: 'inline'; href: string }
  | { kind: 'missing'; label: string; remote: boolean };

/** Keyed by `imageKey(note, url)`: the same URL means different files in different folders. */
export type ImageMap = Map<string, ImageResolution>;

export const imageKey = (noteAbsPath: string, url: string) => `${noteAbsPath}\u0000${url}`;

export interface ImageOptions {
  notesDir: string;
  /** Where fetched remote images are kept between builds. */
  cacheDir: string;
  /** Do not fetch remote images; they become placeholders. */
  offline: boolean;
  /** Per-request limit; the whole fetch stage takes about this long at most. */
  timeoutMs?: number;
  maxBytes?: number;
}

interface Use {
  note: Note;
  node: Image;
}

const FAILURE_TTL_MS = 10 * 60 * 1000;

export async function resolveImages(guide: Guide, options: ImageOptions): Promise<ImageMap> {
  const uses = collectImages(guide);
  const images: ImageMap = new Map();
  const notesRoot = await realpath(options.notesDir).catch(() => path.resolve(options.notesDir));
  const remote = new Map<string, Promise<RemoteResult>>();

  await Promise.all(
    uses.map(async ({ note, node }) => {
      const key = imageKey(note.absPath, node.url);
      const url = node.url.trim();
      const place = node.position?.start;
      const warn = (reason: string) => note.file.message(reason, { place, ruleId: 'image', source: 'studyguide' });
      const label = placeholderLabel(node);

      if (/^data:image\//i.test(url)) {
        images.set(key, { kind: 'inline', href: url });
        return;
      }
      if (/^https?:\/\//i.test(url)) {
        if (options.offline) {
          warn(`remote image not fetched (--offline): ${url}`);
          images.set(key, { kind: 'missing', label, remote: true });
          return;
        }
        if (!remote.has(url)) remote.set(url, fetchCached(url, options));
        const result = await remote.get(url)!;
        if ('error' in result) {
          warn(`remote image not available (${result.error}): ${url}`);
          images.set(key, { kind: 'missing', label, remote: true });
        } else {
          images.set(key, { kind: 'file', href: assetName(url, result.file), source: result.file });
        }
        return;
      }
      if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
        warn(`image refused (only local files and http(s) are used): ${url}`);
        images.set(key, { kind: 'missing', label, remote: false });
        return;
      }
      const local = await resolveLocal(url, note, notesRoot);
      if ('error' in local) {
        warn(`${local.error}: ${url}`);
        images.set(key, { kind: 'missing', label, remote: false });
      } else {
        images.set(key, { kind: 'file', href: assetName(local.file, local.file), source: local.file });
      }
    }),
  );
  return images;
}

function collectImages(guide: Guide): Use[] {
  const uses: Use[] = [];
  for (const topic of walkTopics(guide.topics)) {
    for (const block of topic.blocks) {
      visit(block, 'image', (node: Image) => {
        uses.push({ note: topic.note, node });
      });
    }
  }
  return uses;
}

/** Short text for a placeholder: the alt text when it says something, else the file name. */
function placeholderLabel(node: Image): string {
  const alt = (node.alt ?? '').trim();
  const name = decodeSafe(node.url.split(/[?#]/)[0]!.split('/').pop() ?? node.url) || node.url;
  return alt && !/^(img|image|screenshot|picture|photo)$/i.test(alt) ? `${alt} (${name})` : name;
}

/** Output file name under `assets/`: stable per source, readable. */
function assetName(identity: string, file: string): string {
  const hash = createHash('sha1').update(identity).digest('hex').slice(0, 10);
  const base = path.basename(file).replace(/[^\w.-]+/g, '_').slice(-60);
  return `assets/${hash}-${base}`;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function resolveLocal(url: string, note: Note, notesRoot: string): Promise<{ file: string } | { error: string }> {
  const relative = decodeSafe(url.split(/[?#]/)[0]!);
  if (path.isAbsolute(relative)) return { error: 'image path is absolute, refused (keep images inside the notes folder)' };
  const candidate = path.resolve(path.dirname(note.absPath), relative);
  const outside = (file: string) => {
    const inside = path.relative(notesRoot, file);
    return inside.startsWith('..') || path.isAbsolute(inside);
  };
  // Refused before looking: whether ../../etc/passwd exists is none of the outputs' business.
  const noteDir = await realpath(path.dirname(note.absPath)).catch(() => path.dirname(note.absPath));
  if (outside(path.resolve(noteDir, relative))) return { error: 'image path leaves the notes folder, refused' };
  const real = await realpath(candidate).catch(() => null);
  if (!real) return { error: 'image not found' };
  if (outside(real)) return { error: 'image path leaves the notes folder, refused' }; // through a symlink
  const info = await stat(real);
  if (!info.isFile()) return { error: 'image path is not a file' };
  const head = await readHead(real);
  if (!sniffImage(head)) return { error: 'not an image file' };
  return { file: real };
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Recognise image formats browsers show, by their first bytes (the extension may lie). */
export function sniffImage(head: Uint8Array): string | null {
  const ascii = Buffer.from(head).toString('latin1');
  if (ascii.startsWith('\x89PNG')) return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (ascii.startsWith('GIF8')) return 'gif';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'webp';
  if (ascii.slice(4, 8) === 'ftyp' && /avif|avis|heic|mif1/.test(ascii.slice(8, 32))) return 'avif';
  if (ascii.startsWith('BM')) return 'bmp';
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(ascii)) return 'svg';
  return null;
}

type RemoteResult = { file: string } | { error: string };

/** Fetch a remote image once; later builds use the cached copy (failures are retried after a while). */
async function fetchCached(url: string, options: ImageOptions): Promise<RemoteResult> {
  const hash = createHash('sha1').update(url).digest('hex');
  const metaPath = path.join(options.cacheDir, `${hash}.json`);
  const meta = await readFile(metaPath, 'utf8')
    .then((text) => JSON.parse(text) as { file?: string; error?: string; at: number })
    .catch(() => null);
  if (meta?.file) {
    const file = path.join(options.cacheDir, meta.file);
    if (await stat(file).catch(() => null)) return { file };
  }
  if (meta?.error && Date.now() - meta.at < FAILURE_TTL_MS) return { error: meta.error };

  await mkdir(options.cacheDir, { recursive: true });
  try {
    const { bytes, type } = await fetchImage(url, options.timeoutMs ?? 3000, options.maxBytes ?? 10 * 1024 * 1024);
    const ext = type === 'jpeg' ? 'jpg' : type;
    const name = `${hash}-${path.basename(new URL(url).pathname).replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_').slice(0, 40)}.${ext}`;
    await writeFile(path.join(options.cacheDir, name), bytes);
    await writeFile(metaPath, JSON.stringify({ url, file: name, at: Date.now() }));
    return { file: path.join(options.cacheDir, name) };
  } catch (error) {
    const reason = describeFetchError(error);
    await writeFile(metaPath, JSON.stringify({ url, error: reason, at: Date.now() })).catch(() => undefined);
    return { error: reason };
  }
}

async function fetchImage(url: string, timeoutMs: number, maxBytes: number): Promise<{ bytes: Buffer; type: string }> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'follow',
    headers: { accept: 'image/*' },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!/^image\//i.test(contentType)) throw new Error(`not an image (${contentType || 'no content type'})`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of (response.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  const bytes = Buffer.concat(chunks);
  const type = sniffImage(bytes.subarray(0, 512));
  if (!type) throw new Error('content is not an image');
  return { bytes, type };
}

function describeFetchError(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
  if (err.cause?.code) return err.cause.code;
  if (err.cause?.message) return err.cause.message;
  return err.message;
}
