/**
 * The flashcards as an Anki package (src/anki/package.ts writes it): a note per card, one per
 * cloze paragraph; Anki's three note types with our card styling; a deck per top-level topic under
 * the guide's; the tags and GUIDs of flashcards.tsv; and the media the fields show, each file
 * once, referenced by its name: the images, and mermaid diagrams as SVG files. Ids come from
 * names and GUIDs, never from the clock. Pure: the target reads the files and their times.
 */
import { createHash } from 'node:crypto';
import type { RenderedCard } from '../render/study.js';
import { plainText, stableId, type AnkiPackage, type Deck, type MediaFile, type Note, type NoteType } from './package.js';

export type NoteTypeName = RenderedCard['notetype'];

/**
 * Anki's Basic, Basic (and reversed card) and Cloze, with its field and template names, named
 * apart from Anki's own: a package's "Basic" with another id than the user's would be imported as
 * "Basic-1a2b3", and ours look different. The id is the name's: importing again finds them.
 */
export function noteTypes(css: string): Record<NoteTypeName, NoteType> {
  const type = (name: NoteTypeName, cloze: boolean, fields: string[], templates: NoteType['templates']): NoteType => {
    const full = `${name} (studyguide)`;
    return { id: stableId('notetype', full), name: full, cloze, fields, templates, css };
  };
  const front = (field: string) => `<div class="sg-front">${field}</div>`;
  const answer = (field: string) => `{{FrontSide}}\n\n<hr id=answer>\n\n<div class="sg-back">${field}</div>`;
  return {
    Basic: type('Basic', false, ['Front', 'Back'], [{ name: 'Card 1', front: front('{{Front}}'), back: answer('{{Back}}') }]),
    'Basic (and reversed card)': type(
      'Basic (and reversed card)',
      false,
      ['Front', 'Back'],
      [
        { name: 'Card 1', front: front('{{Front}}'), back: answer('{{Back}}') },
        { name: 'Card 2', front: front('{{Back}}'), back: answer('{{Front}}') },
      ],
    ),
    Cloze: type(
      'Cloze',
      true,
      ['Text', 'Back Extra'],
      [
        {
          name: 'Cloze',
          front: '<div class="sg-cloze">{{cloze:Text}}</div>',
          back: '<div class="sg-cloze">{{cloze:Text}}</div>\n\n<div class="sg-back">{{Back Extra}}</div>',
        },
      ],
    ),
  };
}

export interface PackInput {
  cards: RenderedCard[];
  /** The images the cards show, by the `src` their HTML gives them (`assets/…`); one not here is shown as missing. */
  images: ReadonlyMap<string, MediaFile>;
  /** When the note a card is written in was last changed, in seconds. */
  modified(card: RenderedCard): number;
  css: string;
}

export interface Packed {
  pkg: AnkiPackage;
  /** Cards left out of the package, and why. */
  skipped: { card: RenderedCard; reason: string }[];
}

/** The package of the cards: what src/anki/package.ts writes. */
export function ankiPackage(input: PackInput): Packed {
  const types = noteTypes(input.css);
  const decks = new Map<string, Deck>();
  const media = new Map<string, MediaFile>();
  const notes: Note[] = [];
  const skipped: Packed['skipped'] = [];
  const guids = new Map<string, RenderedCard>();
  const used = { notes: new Set<number>(), cards: new Set<number>() };
  for (const card of input.cards) {
    // A cloze note's second and later cards: Anki makes them from the first one's note.
    if (!card.ankiFields) continue;
    const type = types[card.notetype];
    const fields = card.ankiFields.map((field) => packField(field, input.images, media));
    const problem = emptyField(type, fields);
    if (problem) {
      skipped.push({ card, reason: problem });
      continue;
    }
    const earlier = guids.get(card.guid);
    if (earlier) {
      skipped.push({ card, reason: `it has the Anki id of the card at ${earlier.source} (the same block id in two notes of that name?)` });
      continue;
    }
    guids.set(card.guid, card);
    const deck = deckOf(card.deck, decks);
    const due = notes.length + 1;
    const ords = type.cloze ? clozeNumbers(fields[0]!).map((n) => n - 1) : type.templates.map((_, ord) => ord);
    notes.push({
      id: unique(stableId('note', card.guid), used.notes),
      guid: card.guid,
      type,
      fields,
      tags: card.tags.filter(Boolean),
      modified: input.modified(card),
      cards: ords.map((ord) => ({ id: unique(stableId('card', card.guid, String(ord)), used.cards), ord, deck, due })),
    });
  }
  const shown = new Set(notes.flatMap((note) => note.fields.flatMap(imageSources)));
  return {
    pkg: {
      noteTypes: Object.values(types).filter((type) => notes.some((note) => note.type === type)),
      decks: [...decks.values()],
      notes,
      // Only what a packed note shows (a card left out does not bring its images); in name order.
      media: [...media.values()].filter((file) => shown.has(file.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      modified: Math.max(0, ...notes.map((note) => note.modified)),
    },
    skipped,
  };
}

/** An id not taken yet by another note (or card) of the package: the next one up (ids from hashes may meet). */
function unique(id: number, taken: Set<number>): number {
  let free = id;
  while (taken.has(free)) free++;
  taken.add(free);
  return free;
}

/** The deck named so, and its parents (`Guide::Topic` is under `Guide`), each once. */
function deckOf(name: string, decks: Map<string, Deck>): Deck {
  const parts = name.split('::');
  let deck: Deck | undefined;
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('::');
    deck = decks.get(prefix);
    if (!deck) decks.set(prefix, (deck = { id: stableId('deck', prefix), name: prefix }));
  }
  return deck!;
}

/** Why Anki would make no card (or a card without an answer) of these fields; null when they are fine. */
function emptyField(type: NoteType, fields: string[]): string | null {
  if (type.cloze) return clozeNumbers(fields[0]!).length ? null : 'its cloze text has no deletion';
  const empty = type.fields.filter((_, i) => isBlank(fields[i] ?? ''));
  return empty.length ? `its ${empty.join(' and ').toLowerCase()} ${empty.length > 1 ? 'are' : 'is'} empty` : null;
}

/** No text and no image: what Anki counts as an empty field. */
const isBlank = (html: string) => plainText(html) === '';

/** The deletion numbers of a cloze text (`{{c2::…}}`), each once, in order: a card each. */
export function clozeNumbers(text: string): number[] {
  const numbers = [...text.matchAll(/\{\{c(\d+)::/g)].map((m) => Number(m[1])).filter((n) => n > 0);
  return [...new Set(numbers)].sort((a, b) => a - b);
}

/** `<img>` tags; an attribute value (quoted) may hold a `>`. */
const IMG = /<img\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
/**
 * A mermaid diagram as our renderer writes it (src/render/mermaid.ts): the SVG right inside the
 * figure. It is our own markup, so a pattern finds it; the SVG ends where `</svg></figure>` does.
 */
const DIAGRAM = /(<figure class="sg-diagram"[^>]*>)(<svg\b[\s\S]*?<\/svg>)(?=<\/figure>)/g;

const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1];

/** The `src` of every `<img>` in some HTML, as written (entities and all). */
export function imageSources(html: string): string[] {
  return [...html.matchAll(IMG)].flatMap((m) => {
    const src = attribute(m[0], 'src');
    return src === undefined ? [] : [src];
  });
}

/**
 * A field as the package has it: each image pointed at its media file (an image that could not be
 * packed becomes the placeholder of a missing one), each diagram an SVG file of its own. The media
 * it names are added to `media`.
 */
function packField(html: string, images: ReadonlyMap<string, MediaFile>, media: Map<string, MediaFile>): string {
  // Anki separates a note's fields with U+001F: one inside a field would split it.
  const withImages = html.replaceAll('\u001f', '').replace(IMG, (tag) => {
    const src = attribute(tag, 'src');
    if (src === undefined || /^data:/i.test(src)) return tag;
    const file = images.get(src);
    if (file) {
      media.set(file.name, file);
      return tag.replace(/\ssrc="[^"]*"/i, ` src="${file.name}"`);
    }
    const label = attribute(tag, 'alt') || src.split('/').pop() || src;
    return `<span class="img-missing" role="img">${label}</span>`;
  });
  // Diagrams after images: the <img> that stands for a diagram is already its media file's.
  return withImages.replace(DIAGRAM, (_, figure: string, svg: string) => {
    const file = diagramFile(svg);
    media.set(file.name, file);
    // Its title (mermaid's `accTitle`) as the image's text; text in the SVG may hold a `"`, an attribute may not.
    const title = /<title[^>]*>([^<]*)<\/title>/.exec(svg)?.[1]?.trim().replaceAll('"', '&quot;');
    return `${figure}<img src="${file.name}" alt="${title || 'diagram'}">`;
  });
}

/** A diagram's SVG as a file of its own: named by its id (from its code), with the namespace a file needs. */
function diagramFile(svg: string): MediaFile {
  const id =
    /^<svg\b[^>]*\sid="(mermaid-[0-9a-f]+)"/.exec(svg)?.[1] ?? `diagram-${createHash('sha1').update(svg).digest('hex').slice(0, 12)}`;
  const standalone = /^<svg\b[^>]*\sxmlns="/.test(svg) ? svg : svg.replace(/^<svg\b/, '<svg xmlns="http://www.w3.org/2000/svg"');
  return { name: `${id}.svg`, data: new TextEncoder().encode(standalone) };
}
