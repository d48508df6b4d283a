/**
 * The `.apkg` writer: an Anki package as Anki's importer reads it (File → Import). Compared with
 * genanki 0.13.1 (kerrickstaley/genanki: apkg_schema.py, apkg_col.py, model.py, deck.py, note.py,
 * card.py, package.py), the Python writer whose packages Anki has imported for years:
 *
 * - a zip holding `collection.anki2`, an SQLite database in Anki's "schema 11" (the legacy format
 *   that every Anki since 2.1 imports, and the one genanki writes);
 * - `media`, a JSON map from a file's entry in the zip (`"0"`, `"1"`, …) to its name, which the
 *   notes' fields use (`<img src="name">`);
 * - the media files themselves, entries `0`, `1`, ….
 *
 * SQLite is sql.js (compiled to WebAssembly, loaded from node_modules: no network), the zip is
 * fflate's. Nothing here reads the clock: the same package in gives the same bytes out.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { zipSync, type ZipOptions } from 'fflate';
import type { SqlJsStatic } from 'sql.js';

export interface NoteType {
  id: number;
  name: string;
  /** A cloze note type makes a card per deletion number; a standard one, a card per template. */
  cloze: boolean;
  fields: string[];
  /** `front` and `back` are Anki's `qfmt` and `afmt`: `{{Field}}`, `{{FrontSide}}`, `{{cloze:Field}}`. */
  templates: { name: string; front: string; back: string }[];
  css: string;
}

export interface Deck {
  id: number;
  /** Nested with `::`. */
  name: string;
}

export interface Note {
  id: number;
  /** What Anki matches an imported note by: the same guid updates the note already there. */
  guid: string;
  type: NoteType;
  /** One per field of the note type, HTML. */
  fields: string[];
  /** Without spaces (Anki separates tags by spaces). */
  tags: string[];
  /** Seconds since 1970: Anki updates a note it has when the package's is newer. */
  modified: number;
  /** `ord`: the template (standard) or the deletion number less one (cloze). `due`: its place among new cards. */
  cards: { id: number; ord: number; deck: Deck; due: number }[];
}

export interface MediaFile {
  /** The name the fields use; no folders. */
  name: string;
  data: Uint8Array;
}

export interface AnkiPackage {
  noteTypes: NoteType[];
  /** Every deck the cards use, with their parents. */
  decks: Deck[];
  notes: Note[];
  media: MediaFile[];
  /** The collection's and note types' modification time, seconds. */
  modified: number;
}

/** The collection's creation time (seconds): fixed, so that it never changes the bytes. It dates only reviews, and a package of new cards has none. */
const CREATED = 1_577_836_800; // 2020-01-01
/** Zip entries' dates (DOS time, local fields: the same on every machine whatever its time zone). */
const ZIP_DATE = new Date(1980, 0, 1, 0, 0, 0);

/** Ids from names: Anki reads ids as milliseconds (a note's "created" date), so they fall in 2001–2020. */
const ID_BASE = 1_000_000_000_000;
const ID_SPAN = 600_000_000_000;

/** A stable id for what `parts` name: the first 48 bits of their SHA-256, in Anki's range of ids. */
export function stableId(...parts: string[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return ID_BASE + (digest.readUIntBE(0, 6) % ID_SPAN);
}

/** Anki's tables (schema 11), column by column, as genanki's APKG_SCHEMA has them. */
const TABLES: Record<string, string[]> = {
  col: ['id integer primary key', ...notNull('crt mod scm ver dty usn ls', 'integer'), ...notNull('conf models decks dconf tags', 'text')],
  notes: [
    'id integer primary key',
    'guid text not null',
    ...notNull('mid mod usn', 'integer'),
    ...notNull('tags flds', 'text'),
    // Declared integer though it holds text: so Anki declares it (it sorts numbers as numbers).
    ...notNull('sfld csum flags', 'integer'),
    'data text not null',
  ],
  cards: [
    'id integer primary key',
    ...notNull('nid did ord mod usn type queue due ivl factor reps lapses left odue odid flags', 'integer'),
    'data text not null',
  ],
  revlog: ['id integer primary key', ...notNull('cid usn ease ivl lastIvl factor time type', 'integer')],
  graves: notNull('usn oid type', 'integer'),
};

const INDEXES = [
  'ix_notes_usn on notes (usn)',
  'ix_cards_usn on cards (usn)',
  'ix_revlog_usn on revlog (usn)',
  'ix_cards_nid on cards (nid)',
  'ix_cards_sched on cards (did, queue, due)',
  'ix_revlog_cid on revlog (cid)',
  'ix_notes_csum on notes (csum)',
];

function notNull(names: string, type: string): string[] {
  return names.split(' ').map((name) => `${name} ${type} not null`);
}

const SCHEMA = [
  ...Object.entries(TABLES).map(([table, columns]) => `CREATE TABLE ${table} (${columns.join(', ')});`),
  ...INDEXES.map((index) => `CREATE INDEX ${index};`),
].join('\n');

const insert = (table: string) => `INSERT INTO ${table} VALUES (${TABLES[table]!.map(() => '?').join(', ')})`;

/** The `.apkg`'s bytes. */
export async function writePackage(pkg: AnkiPackage): Promise<Uint8Array> {
  const SQL = await sqlite();
  const db = new SQL.Database();
  try {
    // One transaction: a thousand inserts each their own would take most of a second.
    db.exec(`${SCHEMA}\nBEGIN;`);
    db.run(insert('col'), collectionRow(pkg));
    const notes = db.prepare(insert('notes'));
    const cards = db.prepare(insert('cards'));
    for (const note of pkg.notes) {
      const sortField = plainText(note.fields[0] ?? '');
      notes.run([
        note.id,
        note.guid,
        note.type.id,
        note.modified,
        -1, // usn: not synced
        note.tags.length ? ` ${note.tags.join(' ')} ` : '',
        note.fields.join('\u001f'),
        sortField,
        fieldChecksum(sortField),
        0,
        '',
      ]);
      for (const card of note.cards) {
        // New cards (type 0, queue 0), shown in `due` order; the rest is a review history, which there is none of.
        cards.run([card.id, note.id, card.deck.id, card.ord, note.modified, -1, 0, 0, card.due, 0, 0, 0, 0, 0, 0, 0, 0, '']);
      }
    }
    notes.free();
    cards.free();
    db.exec('COMMIT;');
    return zipPackage(db.export(), pkg.media);
  } finally {
    db.close();
  }
}

/** The zip: media files (already compressed images) stored, the rest deflated. */
function zipPackage(collection: Uint8Array, media: MediaFile[]): Uint8Array {
  const names = new Set<string>();
  for (const file of media) {
    if (names.has(file.name)) throw new Error(`two media files named ${file.name}`);
    names.add(file.name);
  }
  const entries: Record<string, [Uint8Array, ZipOptions]> = {
    'collection.anki2': [collection, { level: 6 }],
    media: [new TextEncoder().encode(JSON.stringify(Object.fromEntries(media.map((file, i) => [String(i), file.name])))), { level: 6 }],
  };
  media.forEach((file, i) => {
    entries[String(i)] = [file.data, { level: /\.(png|jpe?g|gif|webp|avif)$/i.test(file.name) ? 0 : 6 }];
  });
  return zipSync(entries, { mtime: ZIP_DATE });
}

/** The `col` row: the collection's settings, note types, decks and deck options, as JSON. */
function collectionRow(pkg: AnkiPackage): (string | number)[] {
  const modifiedMs = pkg.modified * 1000;
  const [firstType] = pkg.noteTypes;
  const conf = {
    activeDecks: [1],
    addToCur: true,
    collapseTime: 1200,
    curDeck: 1,
    curModel: String(firstType?.id ?? ''),
    dueCounts: true,
    estTimes: true,
    newBury: true,
    newSpread: 0,
    nextPos: pkg.notes.length + 1,
    sortBackwards: false,
    sortType: 'noteFld',
    timeLim: 0,
  };
  const topDeck = pkg.decks[0]?.id ?? 1;
  const models = Object.fromEntries(pkg.noteTypes.map((type) => [String(type.id), noteTypeJson(type, topDeck, pkg.modified)]));
  // Deck 1, "Default", is in every collection (the conf points at it); no card is put in it.
  const decks = Object.fromEntries(
    [{ ...deckJson({ id: 1, name: 'Default' }, pkg.modified), usn: 0 }, ...pkg.decks.map((deck) => deckJson(deck, pkg.modified))].map(
      (deck) => [String(deck.id), deck],
    ),
  );
  return [
    1,
    CREATED,
    modifiedMs,
    modifiedMs,
    11, // schema version
    0,
    0,
    0,
    JSON.stringify(conf),
    JSON.stringify(models),
    JSON.stringify(decks),
    JSON.stringify({ '1': DECK_OPTIONS }),
    '{}',
  ];
}

/** Anki's default preamble for `[latex]` (unused: math goes to Anki's MathJax as `\(…\)`). */
const LATEX_PRE =
  '\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n' +
  '\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n';

function noteTypeJson(type: NoteType, deck: number, modified: number) {
  return {
    css: type.css,
    did: deck,
    flds: type.fields.map((name, ord) => ({ name, ord, font: 'Arial', media: [], rtl: false, size: 20, sticky: false })),
    id: String(type.id),
    latexPost: '\\end{document}',
    latexPre: LATEX_PRE,
    latexsvg: false,
    mod: modified,
    name: type.name,
    req: requirements(type),
    sortf: 0,
    tags: [],
    tmpls: type.templates.map((t, ord) => ({
      name: t.name,
      ord,
      qfmt: t.front,
      afmt: t.back,
      bafmt: '',
      bqfmt: '',
      bfont: '',
      bsize: 0,
      did: null,
    })),
    type: type.cloze ? 1 : 0,
    usn: -1,
    vers: [],
  };
}

/**
 * Which fields each template needs to make a card (Anki 2.1 before 2.1.28 reads it; later ones
 * work it out): all the fields its front shows. A cloze type's one template needs its cloze field.
 */
function requirements(type: NoteType): [number, 'all' | 'any', number[]][] {
  return type.templates.map((template, ord) => {
    const shown = type.fields.flatMap((name, i) =>
      template.front.includes(`{{${name}}}`) || template.front.includes(`:${name}}}`) ? [i] : [],
    );
    return [ord, 'all', shown];
  });
}

function deckJson(deck: Deck, modified: number) {
  return {
    collapsed: false,
    conf: 1,
    desc: '',
    dyn: 0,
    extendNew: 10,
    extendRev: 50,
    id: deck.id,
    lrnToday: [0, 0],
    mod: modified,
    name: deck.name,
    newToday: [0, 0],
    revToday: [0, 0],
    timeToday: [0, 0],
    usn: -1,
  };
}

/** Anki's default deck options (id 1), which the decks use. */
const DECK_OPTIONS = {
  autoplay: true,
  id: 1,
  lapse: { delays: [10], leechAction: 0, leechFails: 8, minInt: 1, mult: 0 },
  maxTaken: 60,
  mod: 0,
  name: 'Default',
  new: { bury: true, delays: [1, 10], initialFactor: 2500, ints: [1, 4, 7], order: 1, perDay: 20, separate: true },
  replayq: true,
  rev: { bury: true, ease4: 1.3, fuzz: 0.05, ivlFct: 1, maxIvl: 36500, minSpace: 1, perDay: 100 },
  timer: 0,
  usn: 0,
};

/** An HTML tag; an attribute value (quoted) may hold a `>`. */
const TAG = /<(?:[^>"']|"[^"]*"|'[^']*')*>/g;
const IMG_TAG = /<img\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * A field as Anki sorts and searches it: its text, an image as its file name (as Anki strips a
 * field: patterns, not a parser; the fields are our serializer's HTML). Anki works these out again
 * on import; an older importer keeps them as written.
 */
export function plainText(html: string): string {
  const text = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(IMG_TAG, (tag) => ` ${/\ssrc="([^"]*)"/i.exec(tag)?.[1] ?? ''} `)
    .replace(TAG, '');
  return text
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (entity, name: string) => {
      if (name[0] !== '#') return NAMED[name.toLowerCase()] ?? entity;
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    })
    .trim();
}

/** Anki's checksum of a note's first field (for finding duplicates): the first 32 bits of the SHA-1 of its text. */
export function fieldChecksum(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0);
}

const require = createRequire(import.meta.url);
let loaded: Promise<SqlJsStatic> | undefined;

/** sql.js, once per process; its WebAssembly read from node_modules (never fetched). */
function sqlite(): Promise<SqlJsStatic> {
  loaded ??= (async () => {
    const [{ default: initSqlJs }, wasmBinary] = await Promise.all([
      import('sql.js'),
      readFile(require.resolve('sql.js/dist/sql-wasm.wasm')),
    ]);
    return initSqlJs({ wasmBinary: new Uint8Array(wasmBinary).buffer });
  })();
  return loaded;
}
