/**
 * The data model. `Guide` (a tree of `Topic`s) is the contract between parsing
 * and rendering: everything the renderers know about the notes is in here.
 */
import type { BlockContent, Data, FootnoteDefinition, Heading, Literal, Parent, PhrasingContent, Root, RootContent } from 'mdast';
import type { VFile } from 'vfile';

/** Front matter keys a note may set; anything else is kept but ignored. */
export interface FrontMatter {
  /** Makes the whole note one topic with this title; its headings become subtopics. */
  title?: string;
  /** Sort key across notes (lower first); notes without it follow, by path. */
  order?: number;
  /** Tags of the whole note (a list, or a comma/space separated string), without `#`; every topic of the note has them. */
  tags?: string[];
  /** Other names wiki links may use for this note (`[[alias]]`), as in Obsidian. */
  aliases?: string[];
  /**
   * `core`: every block of the note is printed on a sheet fitted to `--pages`; `skip` (or `false`, as
   * written before) leaves the note out of the cheat sheet (it still gets slides).
   */
  cheatsheet?: SheetMark;
}

/**
 * What a note says about a block's place on the cheat sheet: `core` is always printed (with
 * `--pages`), `skip` never is (it stays on the slides). Front matter, `#cheatsheet/core` and
 * `#cheatsheet/skip` (src/syntax/sheet-markers.ts).
 */
export type SheetMark = 'core' | 'skip';

/** One markdown file, parsed. */
export interface Note {
  /** Path as shown to the user in messages, e.g. `notes/01-cloud-hsm.md`. */
  path: string;
  absPath: string;
  frontMatter: FrontMatter;
  /** Title used when the note has content before its first heading (or no heading). */
  fallbackTitle: string;
  mdast: Root;
  /**
   * GFM footnote definitions (`[^1]: the note`), taken out of `mdast` wherever
   * they were written: a topic shows the ones its blocks cite, after its
   * content, numbered in order of first citation (src/render/footnotes.ts).
   */
  footnotes: FootnoteDefinition[];
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
  /**
   * The note's front-matter tags, then the inline `#tags` of this topic's own
   * blocks; without `#`, each once (compared case-insensitively, as Obsidian does).
   */
  tags: string[];
  /** The note's first topic: the note's front-matter tags are shown under its title. */
  firstOfNote: boolean;
}

export interface Guide {
  title: string;
  notes: Note[];
  /** Top-level topics in reading order. */
  topics: Topic[];
}

/** Obsidian callout or GitHub alert: `> [!type]± Title` (src/syntax/callouts.ts). */
export interface Callout extends Parent {
  type: 'callout';
  /** The type as written, lower-cased: `note`, `def`, `warning`, … */
  calloutType: string;
  /** The family that gives the style and icon (`note`, `tip`, `definition`, …). */
  family: string;
  /** `-`: folded (closed in Obsidian; on slides the body opens on the next key press). `+`: foldable, open. */
  fold: '' | '+' | '-';
  /** The title first, then the body. */
  children: [CalloutTitle, ...BlockContent[]];
}
export interface CalloutTitle extends Parent {
  type: 'calloutTitle';
  children: PhrasingContent[];
}

/** `<details><summary>…</summary>…</details>` in a note, parsed into markdown (src/syntax/details.ts). */
export interface Details extends Parent {
  type: 'details';
  /** The summary first, then the body. */
  children: [DetailsSummary, ...BlockContent[]];
}
export interface DetailsSummary extends Parent {
  type: 'detailsSummary';
  children: PhrasingContent[];
}

/** What a wiki link or embed points at: `[[page#heading]]`, `[[page#^block]]`, `[[#heading]]` (empty page: this note). */
export interface WikiTarget {
  page: string;
  heading?: string;
  blockId?: string;
}

/** `[[Page]]`, `[[Page|alias]]`, `[[Page#Heading]]` (src/syntax/wiki.ts); resolved to a topic by src/links.ts. */
export interface WikiLink extends Parent {
  type: 'wikiLink';
  target: WikiTarget;
  /** The link text: the alias, or the target as Obsidian shows it. */
  children: PhrasingContent[];
  data?: Data & {
    /** Set by src/links.ts on every build: the topic linked to, or null when it is not in the build. */
    slug?: string | null;
  };
}

/**
 * `![[Note#Heading]]`, `![[Note#^block]]`, `![[Note]]` alone in a paragraph: the
 * section, block or note copied in. `children` is filled by src/links.ts on every
 * build (empty until then, and when the target is missing or embeds itself).
 */
export interface WikiEmbed extends Parent {
  type: 'wikiEmbed';
  target: WikiTarget;
  /** The embed as written, for titles and messages. */
  label: string;
  children: BlockContent[];
  data?: Data & {
    /** Set by src/links.ts: why nothing is shown (target missing, a cycle, too deep). */
    unresolved?: string;
    /** Set by src/links.ts: where the content comes from, e.g. `Sorting › Merge sort`. */
    source?: string;
  };
}

/** `==text==` (src/syntax/obsidian.ts). */
export interface Mark extends Parent {
  type: 'mark';
  children: PhrasingContent[];
}

/** An Anki cloze deletion, `{{c1::term::hint}}` (src/syntax/cloze.ts): the term as children. */
export interface Cloze extends Parent {
  type: 'cloze';
  /** Deletions with the same number are asked together (one card per number). */
  number: number;
  hint?: string;
  children: PhrasingContent[];
}

/** An Obsidian tag in text, `#aws/s3` (src/syntax/tags.ts); `value` is the tag as written, with its `#`. */
export interface Tag extends Literal {
  type: 'tag';
  /** The tag without `#`: `aws/s3`. */
  name: string;
}

declare module 'mdast' {
  interface RootContentMap {
    tag: Tag;
    callout: Callout;
    calloutTitle: CalloutTitle;
    details: Details;
    detailsSummary: DetailsSummary;
    wikiLink: WikiLink;
    wikiEmbed: WikiEmbed;
    mark: Mark;
    cloze: Cloze;
  }
  interface BlockContentMap {
    callout: Callout;
    details: Details;
    wikiEmbed: WikiEmbed;
  }
  interface PhrasingContentMap {
    tag: Tag;
    wikiLink: WikiLink;
    mark: Mark;
    cloze: Cloze;
  }
  interface Data {
    /** Obsidian block id (`^da815c` at the end of a paragraph or alone after a block), for `![[Note#^da815c]]`. */
    blockId?: string;
    /** On math nodes KaTeX cannot typeset: shown as code (the parser reported why). */
    mathError?: boolean;
    /** A cheat-sheet marker on this heading (its section) or block (src/syntax/sheet-markers.ts). */
    sheet?: SheetMark;
    /** Set by the parser on speaker-note blocks. */
    speakerNote?: boolean;
    /**
     * On nodes copied from another note (transclusion, `![[Note#Heading]]`): that
     * note's absolute path, so relative image paths resolve against it.
     */
    noteAbsPath?: string;
    /** On a code block's copy for the slides, cut to the slides' limit: the lines left out (src/render/code-cut.ts). */
    cutLines?: number;
  }
}
export type { Data };
