/**
 * flashcards.apkg from a real build, read back: the zip, then collection.anki2 with sql.js, checked
 * against what Anki's importer reads as genanki 0.13.1 writes it (apkg_schema.py's APKG_SCHEMA,
 * apkg_col.py's APKG_COL, Model.to_json, Deck.to_json, package.py's media map). Anki itself cannot
 * be installed here: this is as close as the tests get to an import.
 */
import { cp, mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser } from 'puppeteer-core';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clozeNumbers, imageSources } from '../src/anki/notes.js';
import type { BuildResult } from '../src/build.js';
import { build } from '../src/builder.js';
import { formatMessage } from '../src/report.js';
import { cli, launchTestBrowser, png, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);

const NOTE = `# Cells

## Parts

**Mitochondria** – the powerhouse of the cell. ![cell](img/cell.png)

Q: What does a cell look like?
A: Like this: ![a cell](img/cell.png)

Capital of France ::: Paris

The {{c1::mitochondria}} is the {{c2::powerhouse}} of the {{c1::cell}}, says $E = mc^2$.

Q: What is missing?
A: This picture: ![gone](img/missing.png)

Q: What is outside?
A: Nothing: ![secret](../outside.png)

Q: <!-- to do -->
A: nothing yet

# Energy

## How does energy flow?

As shown:

\`\`\`mermaid
graph LR
  A[Food] --> B[ATP]
\`\`\`
`;

/** When the notes were last changed: set, so that the package's note times are known. */
const WRITTEN = new Date('2024-01-01T00:00:00Z');
const EDITED = new Date('2024-02-01T00:00:00Z');
const TEN_MB = 10 * 1024 * 1024;

let browser: Browser;
let root: string;
let notes: string;
let out: string;
let result: BuildResult;
let bytes: Buffer;
let pkg: Opened;

interface Opened {
  entries: Record<string, Uint8Array>;
  media: Record<string, string>;
  db: Database;
}

async function open(file: string): Promise<Opened> {
  const entries = unzipSync(new Uint8Array(await readFile(file)));
  const SQL = await initSqlJs({ wasmBinary: new Uint8Array(await readFile(require.resolve('sql.js/dist/sql-wasm.wasm'))).buffer });
  return {
    entries,
    media: JSON.parse(new TextDecoder().decode(entries.media)) as Record<string, string>,
    db: new SQL.Database(entries['collection.anki2']),
  };
}

function rows(db: Database, sql: string): Record<string, SqlValue>[] {
  const [result] = db.exec(sql);
  return result ? result.values.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]!]))) : [];
}

const colJson = (db: Database, column: 'conf' | 'models' | 'decks' | 'dconf' | 'tags') =>
  JSON.parse(String(rows(db, `SELECT ${column} FROM col`)[0]![column])) as Record<string, Record<string, unknown>>;

async function writeNotes(dir: string, text: string, at: Date) {
  await writeFile(path.join(dir, 'biology.md'), text);
  await utimes(path.join(dir, 'biology.md'), at, at);
}

const buildInto = async (from: string, dir?: string, offline = true) => {
  const to = dir ?? (await tempDir());
  // No sheet, decks or printed cards: the TSV, the package and the index (and the diagrams, in the browser).
  const built = await build({ notes: from, out: to, offline, only: [], title: 'Biology', browser });
  return { dir: to, built, bytes: await readFile(path.join(to, 'flashcards.apkg')) };
};

beforeAll(async () => {
  browser = await launchTestBrowser();
  root = await tempDir();
  notes = path.join(root, 'notes');
  await mkdir(path.join(notes, 'img'), { recursive: true });
  await writeFile(path.join(notes, 'img', 'cell.png'), png(1, 1, { padding: TEN_MB }));
  await utimes(path.join(notes, 'img', 'cell.png'), WRITTEN, WRITTEN);
  // Beside the notes folder: no note may bring it into the package.
  await writeFile(path.join(root, 'outside.png'), png(1, 1, { padding: 16 }));
  await writeNotes(notes, NOTE, WRITTEN);
  ({ dir: out, built: result, bytes } = await buildInto(notes));
  pkg = await open(path.join(out, 'flashcards.apkg'));
});
afterAll(async () => {
  pkg?.db.close();
  await browser?.close();
});

/** Anki's tables as genanki 0.13.1's APKG_SCHEMA creates them: column, type, not null, primary key. */
const SCHEMA: Record<string, [string, string, 0 | 1, 0 | 1][]> = {
  col: [
    ['id', 'integer', 0, 1],
    ...(['crt', 'mod', 'scm', 'ver', 'dty', 'usn', 'ls'] as const).map((c) => [c, 'integer', 1, 0] as [string, string, 1, 0]),
    ...(['conf', 'models', 'decks', 'dconf', 'tags'] as const).map((c) => [c, 'text', 1, 0] as [string, string, 1, 0]),
  ],
  notes: [
    ['id', 'integer', 0, 1],
    ['guid', 'text', 1, 0],
    ['mid', 'integer', 1, 0],
    ['mod', 'integer', 1, 0],
    ['usn', 'integer', 1, 0],
    ['tags', 'text', 1, 0],
    ['flds', 'text', 1, 0],
    ['sfld', 'integer', 1, 0],
    ['csum', 'integer', 1, 0],
    ['flags', 'integer', 1, 0],
    ['data', 'text', 1, 0],
  ],
  cards: [
    ['id', 'integer', 0, 1],
    ...'nid did ord mod usn type queue due ivl factor reps lapses left odue odid flags'
      .split(' ')
      .map((c) => [c, 'integer', 1, 0] as [string, string, 1, 0]),
    ['data', 'text', 1, 0],
  ],
  revlog: [
    ['id', 'integer', 0, 1],
    ...'cid usn ease ivl lastIvl factor time type'.split(' ').map((c) => [c, 'integer', 1, 0] as [string, string, 1, 0]),
  ],
  graves: 'usn oid type'.split(' ').map((c) => [c, 'integer', 1, 0] as [string, string, 1, 0]),
};
const INDEXES = {
  ix_notes_usn: 'notes',
  ix_cards_usn: 'cards',
  ix_revlog_usn: 'revlog',
  ix_cards_nid: 'cards',
  ix_cards_sched: 'cards',
  ix_revlog_cid: 'revlog',
  ix_notes_csum: 'notes',
};
/** The keys of APKG_COL's conf and dconf, and of Model.to_json (with a field's and a template's), Deck.to_json. */
const CONF_KEYS =
  'activeDecks addToCur collapseTime curDeck curModel dueCounts estTimes newBury newSpread nextPos sortBackwards sortType timeLim';
const DCONF_KEYS = 'autoplay id lapse maxTaken mod name new replayq rev timer usn';
const MODEL_KEYS = 'css did flds id latexPost latexPre latexsvg mod name req sortf tags tmpls type usn vers';
const FIELD_KEYS = 'font media name ord rtl size sticky';
const TEMPLATE_KEYS = 'afmt bafmt bfont bqfmt bsize did name ord qfmt';
const DECK_KEYS = 'collapsed conf desc dyn extendNew extendRev id lrnToday mod name newToday revToday timeToday usn';
const keys = (object: object) => Object.keys(object).sort().join(' ');
const sorted = (list: string) => list.split(' ').sort().join(' ');

describe('flashcards.apkg read back', () => {
  it("has the tables, columns and indexes of genanki's APKG_SCHEMA, and one col row", () => {
    for (const [table, columns] of Object.entries(SCHEMA)) {
      const info = rows(pkg.db, `PRAGMA table_info(${table})`).map((c) => [c.name, String(c.type).toLowerCase(), c.notnull, c.pk]);
      expect(info, table).toEqual(columns);
    }
    const indexes = rows(pkg.db, "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' ORDER BY name");
    expect(Object.fromEntries(indexes.map((i) => [i.name, i.tbl_name]))).toEqual(INDEXES);
    expect(rows(pkg.db, 'SELECT id, ver, typeof(crt) AS crt, typeof(mod) AS mod, typeof(scm) AS scm FROM col')).toEqual([
      { id: 1, ver: 11, crt: 'integer', mod: 'integer', scm: 'integer' },
    ]);
    expect(Object.keys(pkg.entries).sort()).toEqual(['collection.anki2', 'media', ...Object.keys(pkg.media)].sort());
  });

  it("col's conf, models, decks and dconf have the shape of genanki's APKG_COL and to_json", () => {
    const conf = colJson(pkg.db, 'conf');
    expect(keys(conf)).toBe(sorted(CONF_KEYS));
    const models = colJson(pkg.db, 'models');
    expect(Object.keys(models).length).toBe(3);
    for (const [id, model] of Object.entries(models)) {
      expect(keys(model)).toBe(sorted(MODEL_KEYS));
      expect(model.id).toBe(id);
      expect(typeof model.mod).toBe('number');
      for (const field of model.flds as object[]) expect(keys(field)).toBe(sorted(FIELD_KEYS));
      for (const template of model.tmpls as object[]) expect(keys(template)).toBe(sorted(TEMPLATE_KEYS));
      expect((model.req as unknown[]).length).toBe((model.tmpls as unknown[]).length);
    }
    expect(Object.values(models).map((m) => [m.name, m.type, (m.flds as { name: string }[]).map((f) => f.name)])).toEqual(
      expect.arrayContaining([
        ['Basic (studyguide)', 0, ['Front', 'Back']],
        ['Basic (and reversed card) (studyguide)', 0, ['Front', 'Back']],
        ['Cloze (studyguide)', 1, ['Text', 'Back Extra']],
      ]),
    );
    expect(Object.keys(models)).toContain(conf.curModel);
    const decks = colJson(pkg.db, 'decks');
    for (const [id, deck] of Object.entries(decks)) {
      expect(keys(deck)).toBe(sorted(DECK_KEYS));
      expect(deck.id).toBe(Number(id));
    }
    // One deck per top-level topic under the guide's; Anki's Default (1) is in every collection.
    expect(Object.values(decks).map((d) => d.name)).toEqual(['Default', 'Biology', 'Biology::Cells', 'Biology::Energy']);
    const dconf = colJson(pkg.db, 'dconf');
    expect(Object.keys(dconf)).toEqual(['1']);
    expect(keys(dconf['1']!)).toBe(sorted(DCONF_KEYS));
    expect(rows(pkg.db, 'SELECT tags FROM col')[0]!.tags).toBe('{}');
  });

  it('each note has a note type of col.models with as many fields; each card a deck of col.decks', () => {
    const models = colJson(pkg.db, 'models');
    const decks = colJson(pkg.db, 'decks');
    const notes = rows(pkg.db, 'SELECT id, mid, flds FROM notes');
    expect(notes.length).toBe(7);
    for (const note of notes) {
      const model = models[String(note.mid)];
      expect(model, String(note.flds)).toBeDefined();
      expect(String(note.flds).split('\u001f').length).toBe((model!.flds as unknown[]).length);
    }
    const cards = rows(pkg.db, 'SELECT did, nid FROM cards');
    for (const card of cards) {
      expect(decks[String(card.did)]).toBeDefined();
      expect(card.did).not.toBe(1);
    }
    expect(new Set(cards.map((c) => c.nid))).toEqual(new Set(notes.map((n) => n.id)));
  });

  it('makes a card per template, and a cloze note one per deletion number', () => {
    const models = colJson(pkg.db, 'models');
    const notes = rows(
      pkg.db,
      'SELECT n.id, n.mid, n.flds, group_concat(c.ord) AS ords FROM notes n JOIN cards c ON c.nid = n.id GROUP BY n.id',
    );
    const byType = (name: string) => notes.filter((n) => models[String(n.mid)]!.name === name);
    const [cloze] = byType('Cloze (studyguide)');
    expect(String(cloze!.flds)).toContain('{{c1::mitochondria}} is the {{c2::powerhouse}} of the {{c1::cell}}, says \\(E = mc^2\\).');
    const numbers = clozeNumbers(String(cloze!.flds).split('\u001f')[0]!);
    expect(numbers).toEqual([1, 2]);
    expect(String(cloze!.ords).split(',').map(Number).sort()).toEqual(numbers.map((n) => n - 1));
    expect(byType('Basic (and reversed card) (studyguide)').map((n) => String(n.ords).split(',').sort().join())).toEqual(['0,1']);
    expect(byType('Basic (studyguide)').map((n) => n.ords)).toEqual(['0', '0', '0', '0', '0']);
  });

  it('packs each image once, names every packed file in the media map, and every <img src> of a field is in it', () => {
    const names = Object.values(pkg.media);
    expect(Object.keys(pkg.media)).toEqual(names.map((_, i) => String(i)));
    for (const entry of Object.keys(pkg.media)) expect(pkg.entries[entry]).toBeInstanceOf(Uint8Array);
    const fields = rows(pkg.db, 'SELECT flds FROM notes').map((n) => String(n.flds));
    const sources = fields.flatMap(imageSources);
    for (const src of sources) expect(names).toContain(src);
    expect(new Set(sources)).toEqual(new Set(names));
    // The 10 MB image, shown by two cards: one entry of the zip, and the zip not much larger than it.
    const cell = names.find((name) => name.endsWith('-cell.png'))!;
    expect(sources.filter((s) => s === cell)).toHaveLength(2);
    const big = Object.entries(pkg.media).filter(([entry]) => pkg.entries[entry]!.length >= TEN_MB);
    expect(big.map(([, name]) => name)).toEqual([cell]);
    expect(bytes.length).toBeLessThan(TEN_MB * 1.1);
    // The diagram, as an SVG file of its own.
    const diagram = names.find((name) => /^mermaid-[0-9a-f]+\.svg$/.test(name))!;
    const entry = Object.entries(pkg.media).find(([, name]) => name === diagram)![0];
    expect(new TextDecoder().decode(pkg.entries[entry])).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
    expect(fields.join('\n')).not.toContain('<svg');
    expect(names).toHaveLength(2);
  });

  it('never packs a file from outside the notes folder; a missing image is packed without it, with the usual warning', async () => {
    // Its random chunk (after the signature and IHDR): in no entry of the zip.
    const outside = (await readFile(path.join(root, 'outside.png'))).subarray(41, 57);
    for (const data of Object.values(pkg.entries)) expect(Buffer.from(data).includes(outside)).toBe(false);
    const warnings = result.warnings.map(formatMessage);
    expect(warnings).toContainEqual(
      expect.stringMatching(/biology\.md:\d+:\d+ image path leaves the notes folder, refused: \.\.\/outside\.png/),
    );
    expect(warnings).toContainEqual(expect.stringMatching(/biology\.md:\d+:\d+ image not found: img\/missing\.png/));
    const missing = rows(pkg.db, "SELECT flds FROM notes WHERE flds LIKE 'What is missing?%'")[0]!;
    expect(String(missing.flds)).toMatch(/<span class="img-missing"[^>]*>gone \(missing\.png\)<\/span>/);
    expect(imageSources(String(missing.flds))).toEqual([]);
  });

  it('leaves out a card with an empty field, with a warning; the others carry the GUIDs and tags of flashcards.tsv', async () => {
    const tsv = (await readFile(path.join(out, 'flashcards.tsv'), 'utf8'))
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split('\t'));
    const packed = rows(pkg.db, 'SELECT guid, tags FROM notes');
    const empty = tsv.filter((row) => row[0] === '');
    expect(empty).toHaveLength(1);
    expect(packed.map((n) => n.guid)).not.toContain(empty[0]![3]);
    expect(packed.map((n) => n.guid).sort()).toEqual(
      tsv
        .filter((row) => row[0] !== '')
        .map((row) => row[3])
        .sort(),
    );
    for (const note of packed) expect(String(note.tags).trim()).toBe(tsv.find((row) => row[3] === note.guid)![2]);
    expect(result.warnings.map(formatMessage)).toContainEqual(
      expect.stringMatching(/biology\.md:\d+:1 card left out of flashcards\.apkg: its front is empty/),
    );
  });

  it("dates the notes and note types by the notes' modification time", () => {
    const times = rows(pkg.db, 'SELECT DISTINCT mod FROM notes').map((n) => n.mod);
    expect(times).toEqual([WRITTEN.getTime() / 1000]);
    const models = colJson(pkg.db, 'models');
    for (const model of Object.values(models)) expect(model.mod).toBe(WRITTEN.getTime() / 1000);
  });

  it('links the package from the index page', async () => {
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('<a href="flashcards.apkg">');
    expect(index).toMatch(/7 notes, 2 images/);
  });
});

describe('a remote image', () => {
  it('is packed from the image cache it was fetched into', async () => {
    const image = png(1, 1, { padding: 64 });
    const server = createServer((_, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(image));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const dir = path.join(await tempDir(), 'notes');
      await mkdir(dir);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/remote.png`;
      await writeNotes(dir, `# Web\n\nQ: What does the server show?\nA: This: ![remote](${url})\n`, WRITTEN);
      const built = await buildInto(dir, undefined, false);
      const remote = await open(path.join(built.dir, 'flashcards.apkg'));
      const [name] = Object.values(remote.media);
      expect(Object.values(remote.media)).toEqual([expect.stringMatching(/-remote\.png$/)]);
      expect(Buffer.from(remote.entries['0']!).equals(image)).toBe(true);
      expect(imageSources(String(rows(remote.db, 'SELECT flds FROM notes')[0]!.flds))).toEqual([name]);
      // Read from the cache the image stage fetched it into.
      const cached = await readdir(path.join(built.dir, '.cache', 'images'));
      expect(cached.some((file) => file.endsWith('-remote.png'))).toBe(true);
      remote.db.close();
    } finally {
      server.close();
    }
  });
});

describe('flashcards.apkg across builds', () => {
  it('the same notes give the same bytes, from the API and from the command line', async () => {
    const again = await buildInto(notes);
    expect(again.bytes.equals(bytes)).toBe(true);
    const dir = await tempDir();
    const run = await cli(['build', '--notes', notes, '--out', dir, '--offline', '--only', 'cards', '--title', 'Biology']);
    expect(run.code, run.stderr).toBe(0);
    expect((await readFile(path.join(dir, 'flashcards.apkg'))).equals(bytes)).toBe(true);
  });

  it('an edited card keeps its note id and GUID, and is newer (so importing again updates it)', async () => {
    const copy = path.join(await tempDir(), 'notes');
    await cp(notes, copy, { recursive: true, preserveTimestamps: true });
    await writeNotes(copy, NOTE.replace('Capital of France ::: Paris', 'Capital of France ::: Paris, on the Seine'), EDITED);
    const edited = await open(path.join((await buildInto(copy)).dir, 'flashcards.apkg'));
    const find = (db: Database) => rows(db, "SELECT id, guid, mod, flds FROM notes WHERE flds LIKE 'Capital of France%'")[0]!;
    const [before, after] = [find(pkg.db), find(edited.db)];
    expect(after.flds).toContain('Paris, on the Seine');
    expect([after.id, after.guid]).toEqual([before.id, before.guid]);
    expect(after.mod).toBe(EDITED.getTime() / 1000);
    expect(Number(after.mod)).toBeGreaterThan(Number(before.mod));
    // Every note and card keeps its id; the note types and decks too.
    const ids = (db: Database) => [rows(db, 'SELECT id FROM notes ORDER BY id'), rows(db, 'SELECT id, did FROM cards ORDER BY id')];
    expect(ids(edited.db)).toEqual(ids(pkg.db));
    expect(Object.keys(colJson(edited.db, 'models'))).toEqual(Object.keys(colJson(pkg.db, 'models')));
    edited.db.close();
  });
});
