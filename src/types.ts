/**
 * The data model. `Guide` (a tree of `Topic`s) is the contract between parsing
 * and rendering: everything the renderers know about the notes is in here.
 */
import type { Data, Heading, Root, RootContent } from 'mdast';
import type { VFile } from 'vfile';

/** Front matter keys a note may set; anything else is kept but ignored. */
export interface FrontMatter {
  /** Makes the whole note one topic with this title; its headings become subtopics. */
  title?: string;
  /** Sort key across notes (lower first); notes without it follow, by path. */
  order?: number;
  tags?: string[];
  /** `false` leaves the note out of the cheat sheet (it still gets slides). */
  cheatsheet?: boolean;
}

/** One markdown file, parsed. */
export interface Note {
  /** Path as shown to the user in messages, e.g. `notes/01-cloud-hsm.md`. */
  path: string;
  absPath: string;
  frontMatter: FrontMatter;
  /** Title used when the note has content before its first heading (or no heading). */
  fallbackTitle: string;
  mdast: Root;
  /** Messages about this note are attached here (unified convention). */
  file: VFile;
}

export interface SourcePosition {
  /** Display path of the note, as in `Note.path`. */
  file: string;
  line: number;
  column: number;
}

export interface Topic {
  /** Unique across the guide; deck file name and deep-link anchor. */
  slug: string;
  title: string;
  /**
   * Heading depth 1–6. A topic made from a note's preamble (content before its
   * first heading, or a note with no heading) has depth 1; one made from a
   * front-matter title has depth 0, so every heading of the note nests under it.
   */
  depth: number;
  source: SourcePosition;
  /** The heading node, for inline formatting in titles; null for note topics. */
  heading: Heading | null;
  /** Block content that belongs to this topic itself, in document order. */
  blocks: RootContent[];
  /** Speaker notes (`Note:` paragraphs, `<!-- notes: -->` comments): on the slides' notes, nowhere else. */
  notes: RootContent[];
  children: Topic[];
  note: Note;
  /** Titles of the ancestors and this topic, outermost first. */
  path: string[];
}

export interface Guide {
  title: string;
  notes: Note[];
  /** Top-level topics in reading order. */
  topics: Topic[];
}

declare module 'mdast' {
  interface Data {
    /** Set by the parser on speaker-note blocks. */
    speakerNote?: boolean;
    /**
     * On nodes copied from another note (transclusion, `![[Note#Heading]]`): that
     * note's absolute path, so relative image paths resolve against it.
     */
    noteAbsPath?: string;
  }
}
export type { Data };
