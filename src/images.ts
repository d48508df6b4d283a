/**
 * Stage 4: find every image the notes use (markdown, Obsidian's `![[x.png]]`,
 * raw-HTML `<img>`) and decide what the outputs show for it: a copy in
 * `assets/`, or a compact placeholder with a warning. Remote
 * images are fetched once into a cache (short timeouts, size cap, all in
 * parallel) so the outputs never depend on the network.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Element } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import type { Html } from 'mdast';
import type { Point } from 'unist';
import { visit } from 'unist-util-visit';
import { imageProblem } from './image-check.js';
import { walkFiles } from './load.js';
import { portableName } from './names.js';
import { sanitizeSvg } from './svg.js';
import { walkTopics } from './tree.js';
import type { Guide, Note } from './types.js';

export type ImageResolution =
  /**
   * Copied into the output: `href` is relative to the output folder; `usedAt`, the first place a note shows it
   * (`file:line:column`); `data`, when set, is written instead of the source (a sanitized SVG).
   */
  | { kind: 'file'; href: string; source: string; usedAt?: string; data?: string }
  /** A `data:` URI, used as it is. */
  | { kind: 'inline'; href: string }
  | { kind: 'missing'; label: string; remote: boolean };

/** Keyed by `imageKey(note, url)`: the same URL means different files in different folders. */
export type ImageMap = Map<string, ImageResolution>;

export const imageKey = (noteAbsPath: string, url: string) => `${noteAbsPath}\u0000${url}`;

/** Where fetched remote images are kept, in the output folder. */
export const imageCacheDir = (outDir: string) => path.join(outDir, '.cache', 'images');

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

/** One place an image is used: a markdown image or an `<img>` in raw HTML. */
interface Use {
  /** The note whose messages get the warning. */
  note: Note;
  /** The note the URL is relative to (for content copied from another note, that note). */
  noteAbsPath: string;
  url: string;
  alt: string;
  place: Point | undefined;
}

interface Outcome {
  image: ImageResolution;
  warning?: string;
}

/** What resolving one image needs from the build: shared by every image of it. */
interface Context {
  options: ImageOptions;
  notesRoot: string;
  remote: Map<string, Promise<RemoteResult>>;
  /** Files of the notes folder with this name (for Obsidian's lookup by name). */
  named: (name: string) => Promise<string[]>;
}

const FAILURE_TTL_MS = 10 * 60 * 1000;

export async function resolveImages(guide: Guide, options: ImageOptions): Promise<ImageMap> {
  const notesRoot = await realpath(options.notesDir).catch(() => path.resolve(options.notesDir));
  // The notes folder is listed at most once per build, and only when an image is not next to its note.
  let index: Promise<Map<string, string[]>> | undefined;
  const context: Context = {
    options,
    notesRoot,
    remote: new Map(),
    named: async (name) => (await (index ??= indexByName(notesRoot))).get(name) ?? [],
  };
  const uses = collectImages(guide);
  const pending = new Map<string, Promise<Outcome>>();
  for (const use of uses) {
    const key = imageKey(use.noteAbsPath, use.url);
    if (!pending.has(key)) pending.set(key, resolveOne(use, context));
  }
  const outcomes = new Map(await Promise.all([...pending].map(async ([key, outcome]) => [key, await outcome] as const)));

  // Warnings in document order, one per place (content copied into two topics is one place).
  const images: ImageMap = new Map();
  const warned = new Set<string>();
  for (const use of uses) {
    const key = imageKey(use.noteAbsPath, use.url);
    const { image, warning } = outcomes.get(key)!;
    images.set(key, image);
    if (image.kind === 'file') image.usedAt ??= `${use.note.path}:${use.place?.line ?? 1}:${use.place?.column ?? 1}`;
    const place = `${use.note.absPath}:${use.place?.line}:${use.place?.column}\u0000${key}`;
    if (!warning || warned.has(place)) continue;
    warned.add(place);
    use.note.file.message(warning, { place: use.place, ruleId: 'image', source: 'studyguide' });
  }
  return images;
}

async function resolveOne(use: Use, context: Context): Promise<Outcome> {
  const url = use.url.trim();
  const label = placeholderLabel(use.alt, use.url);
  const missing = (warning: string, remote = false): Outcome => ({ image: { kind: 'missing', label, remote }, warning });

  if (/^data:image\//i.test(url)) return { image: { kind: 'inline', href: url } };
  if (/^https?:\/\//i.test(url)) {
    if (context.options.offline) return missing(`remote image not fetched (--offline): ${url}`, true);
    if (!context.remote.has(url)) context.remote.set(url, fetchCached(url, context.options));
    const result = await context.remote.get(url)!;
    if ('error' in result) return missing(`remote image not available (${result.error}): ${url}`, true);
    return checked(url, assetName(url, result.file), result.file, missing, true);
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return missing(`image refused (only local files and http(s) are used): ${url}`);
  const local = await resolveLocal(url, use.noteAbsPath, context);
  if ('error' in local) return missing(`${local.error}: ${url}`);
  return checked(url, assetName(local.file, local.file), local.file, missing, false);
}

/**
 * An image file as the outputs get it: an SVG sanitized (src/svg.ts), a raster image checked for
 * damage and for a size no browser should decode (src/image-check.ts), else a placeholder.
 */
async function checked(
  url: string,
  href: string,
  file: string,
  missing: (warning: string, remote?: boolean) => Outcome,
  remote: boolean,
): Promise<Outcome> {
  const info = await stat(file);
  const key = `${file}\0${info.size}\0${info.mtimeMs}`;
  let seen = inspected.get(key);
  if (!seen) {
    if (inspected.size >= MAX_INSPECTED) inspected.clear();
    inspected.set(key, (seen = await inspect(file)));
  }
  if ('missing' in seen) return missing(`${seen.missing}: ${url}`, remote);
  const image: ImageResolution = { kind: 'file', href, source: file, ...(seen.svg === undefined ? {} : { data: seen.svg }) };
  return seen.removed?.length ? { image, warning: `SVG sanitized (removed ${seen.removed.join(', ')}): ${url}` } : { image };
}

/** What reading an image file found, by file, size and time (a rebuild in watch mode does not read every image again). */
type Inspection = { missing: string } | { svg?: string; removed?: string[] };
const inspected = new Map<string, Inspection>();
const MAX_INSPECTED = 5000;

async function inspect(file: string): Promise<Inspection> {
  const bytes = await readFile(file);
  const type = sniffImage(bytes.subarray(0, 512));
  if (type === 'svg') {
    const clean = sanitizeSvg(bytes.toString('utf8'));
    return clean ? { svg: clean.svg, removed: clean.removed } : { missing: 'not an image file (no <svg> element)' };
  }
  const problem = type ? imageProblem(bytes, type) : null;
  return problem ? { missing: problem } : {};
}

/**
 * Every image the outputs can show: markdown images and `<img>` in raw HTML, in
 * topic titles, content, speaker notes and footnotes. Raw HTML is keyed by the
 * note being rendered: that is all the render pass over the HTML knows.
 */
function collectImages(guide: Guide): Use[] {
  const notes = new Map(guide.notes.map((note) => [note.absPath, note]));
  const sources = new Map<Note, string[]>();
  const sourceLines = (note: Note) => {
    if (!sources.has(note)) sources.set(note, String(note.file.value ?? '').split(/\r?\n|\r/));
    return sources.get(note)!;
  };
  const uses: Use[] = [];
  const places = [
    ...[...walkTopics(guide.topics)].map((topic) => ({
      note: topic.note,
      trees: [...(topic.heading ? [topic.heading] : []), ...topic.blocks, ...topic.notes],
    })),
    ...guide.notes.map((note) => ({ note, trees: note.footnotes ?? [] })),
  ];
  for (const { note, trees } of places) {
    for (const tree of trees) {
      visit(tree, (node) => {
        if (node.type === 'image') {
          const noteAbsPath = node.data?.noteAbsPath ?? note.absPath;
          uses.push({ note: notes.get(noteAbsPath) ?? note, noteAbsPath, url: node.url, alt: node.alt ?? '', place: node.position?.start });
        } else if (node.type === 'html') {
          for (const img of rawImages(node.value)) {
            const place = placeInHtml(node, img.position?.start, sourceLines(note));
            uses.push({ note, noteAbsPath: note.absPath, url: rawImageSource(img)!, alt: String(img.properties.alt ?? ''), place });
          }
        }
      });
    }
  }
  return uses;
}

/**
 * The `<img src>` elements of a piece of raw HTML, parsed with parse5 as
 * rehype-raw parses it at render time, so both read the same `src` strings.
 */
export function rawImages(html: string): Element[] {
  if (!/<img/i.test(html)) return [];
  const found: Element[] = [];
  visit(fromHtml(html, { fragment: true }), 'element', (node: Element) => {
    if (node.tagName === 'img' && rawImageSource(node) !== null) found.push(node);
  });
  return found;
}

/** The URL an `<img>` element asks for, as written (entities decoded); null without one. */
export function rawImageSource(node: Element): string | null {
  const src = node.properties.src;
  return typeof src === 'string' ? src : null;
}

/**
 * Where an `<img>` inside an html node is in the note. Lines after the node's
 * first lost their container's prefix (list indent, `> `) in `node.value`: it
 * is measured on the source line.
 */
export function placeInHtml(node: Html, at: Point | undefined, sourceLines: string[]): Point | undefined {
  const start = node.position?.start;
  if (!start || !at) return start;
  if (at.line === 1) return { line: start.line, column: start.column + at.column - 1 };
  const line = start.line + at.line - 1;
  const valueLine = node.value.split(/\r?\n|\r/)[at.line - 1] ?? '';
  const sourceLine = sourceLines[line - 1] ?? '';
  const prefix = sourceLine.endsWith(valueLine) ? sourceLine.length - valueLine.length : 0;
  return { line, column: prefix + at.column };
}

/** Short text for a placeholder: the alt text when it says something, else the file name. */
function placeholderLabel(altText: string, url: string): string {
  const alt = altText.trim();
  const name = decodeSafe(url.split(/[?#]/)[0]!.split('/').pop() ?? url) || url;
  return alt && !/^(img|image|screenshot|picture|photo)$/i.test(alt) ? `${alt} (${name})` : name;
}

/** Output file name under `assets/`: stable per source, readable, short and portable (src/names.ts; the hash keeps case twins apart). */
function assetName(identity: string, file: string): string {
  const hash = createHash('sha1').update(identity).digest('hex').slice(0, 10);
  const base = portableName(
    path
      .basename(file)
      .replace(/[^\w.-]+/g, '_')
      .slice(-60),
  );
  return `assets/${hash}-${base}`;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const REFUSED_OUTSIDE = 'image path leaves the notes folder, refused';

/**
 * A local image, found as Obsidian finds it: next to the note, else from the
 * notes folder's root, else by file name anywhere under the notes folder.
 */
async function resolveLocal(url: string, noteAbsPath: string, context: Context): Promise<{ file: string } | { error: string }> {
  const { notesRoot } = context;
  const relative = decodeSafe(url.split(/[?#]/)[0]!);
  if (path.isAbsolute(relative)) return { error: 'image path is absolute, refused (keep images inside the notes folder)' };
  // Refused before looking: whether ../../etc/passwd exists is none of the outputs' business.
  const noteDir = await realpath(path.dirname(noteAbsPath)).catch(() => path.dirname(noteAbsPath));
  if (isOutside(notesRoot, path.resolve(noteDir, relative))) return { error: REFUSED_OUTSIDE };
  const real =
    (await firstExisting(nearCandidates(relative, noteDir, notesRoot))) ??
    (await firstExisting(byNearness(await context.named(path.basename(relative)), noteDir, notesRoot)));
  if (!real) return { error: 'image not found' };
  if (isOutside(notesRoot, real)) return { error: REFUSED_OUTSIDE }; // through a symlink
  const info = await stat(real);
  if (!info.isFile()) return { error: 'image path is not a file' };
  const head = await readHead(real);
  if (!sniffImage(head)) return { error: 'not an image file' };
  return { file: real };
}

function isOutside(root: string, file: string): boolean {
  const inside = path.relative(root, file);
  return inside.startsWith('..') || path.isAbsolute(inside);
}

/** The real path of the first candidate that exists. */
async function firstExisting(candidates: string[]): Promise<string | null> {
  for (const candidate of candidates) {
    const real = await realpath(candidate).catch(() => null);
    if (real) return real;
  }
  return null;
}

/**
 * Obsidian's first two places for `relative`: next to the note, then from the
 * vault's (notes folder's) root when that stays inside it.
 */
export function nearCandidates(relative: string, noteDir: string, root: string): string[] {
  const fromNote = path.resolve(noteDir, relative);
  const fromRoot = path.resolve(root, relative);
  return fromRoot === fromNote || isOutside(root, fromRoot) ? [fromNote] : [fromNote, fromRoot];
}

/**
 * Files found by name, the nearest to the note's folder first (fewest folders
 * up and down between them), then in natural path order: the same choice on
 * every build and machine.
 */
export function byNearness(files: string[], noteDir: string, root: string): string[] {
  const steps = (file: string) => {
    const between = path.relative(noteDir, path.dirname(file));
    return between ? between.split(path.sep).length : 0;
  };
  const segments = (file: string) => path.relative(root, file).split(path.sep);
  return files
    .map((file) => ({ file, steps: steps(file), segments: segments(file) }))
    .sort((a, b) => a.steps - b.steps || compareSegments(a.segments, b.segments))
    .map((entry) => entry.file);
}

const naturalOrder = new Intl.Collator('en', { numeric: true });

function compareSegments(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = naturalOrder.compare(a[i]!, b[i]!);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

/** Every file under the notes folder but the notes, by file name (dot folders such as .obsidian are not looked in). */
async function indexByName(root: string): Promise<Map<string, string[]>> {
  const index = new Map<string, string[]>();
  for (const file of await walkFiles(root, (name) => !/\.md$/i.test(name))) {
    const same = index.get(path.basename(file));
    if (same) same.push(file);
    else index.set(path.basename(file), [file]);
  }
  return index;
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
    const name = `${hash}-${path
      .basename(new URL(url).pathname)
      .replace(/\.[^.]*$/, '')
      .replace(/[^\w.-]+/g, '_')
      .slice(0, 40)}.${ext}`;
    await writeFile(path.join(options.cacheDir, name), bytes);
    await writeFile(metaPath, JSON.stringify({ url, file: name, at: Date.now() }));
    return { file: path.join(options.cacheDir, name) };
  } catch (error) {
    const reason = describeFetchError(error);
    // The cache only saves time: a note of the failure that cannot be written costs a fetch next time.
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
