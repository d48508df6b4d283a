/**
 * The Spaced Repetition plugin's deck tags: a note tagged `#flashcards` (in its front matter or its
 * text) has its cards read as the plugin reads them, and `#flashcards/spanish` names their deck
 * (Anki: `…::spanish`). As in the plugin, a tag on a line of its own holds for the cards after it
 * until the next one; a tag at the start of a card's line is that card's alone; the front matter's
 * holds before any. Tags are matched without regard to case, as Obsidian does.
 */
import { visit } from 'unist-util-visit';
import type { Note, Tag } from '../types.js';

/** The plugin's default tag, and its subtags. */
export const isFlashcardTag = (name: string): boolean => /^flashcards(\/|$)/i.test(name);

/** A flashcard tag's deck under the guide's: `flashcards/language/words` → `['language', 'words']`. */
const deckOf = (name: string): string[] => name.split('/').slice(1).filter(Boolean);

export interface FlashcardTags {
  /** The note has a `#flashcards` tag. */
  tagged: boolean;
  /** The deck of a card starting at `line`: the tag's that holds there (empty: `#flashcards` alone, or no tag). */
  deckAt(line: number): string[];
}

export function flashcardTags(note: Note): FlashcardTags {
  const fromFrontMatter = (note.frontMatter.tags ?? []).find(isFlashcardTag);
  const lines = String(note.file.value ?? '').split('\n');
  const inText: { line: number; deck: string[]; own: boolean }[] = [];
  visit(note.mdast, 'tag', (node: Tag) => {
    const line = node.position?.start.line;
    if (!isFlashcardTag(node.name) || line === undefined) return;
    // A line with more than tags holds a card: the tag is that card's own.
    const own = (lines[line - 1] ?? '').replace(/(^|\s)#[^\s#]+/g, '').trim() !== '';
    inText.push({ line, deck: deckOf(node.name), own });
  });
  const base = fromFrontMatter ? deckOf(fromFrontMatter) : [];
  return {
    tagged: fromFrontMatter !== undefined || inText.length > 0,
    deckAt(line) {
      const own = inText.find((t) => t.own && t.line === line);
      if (own) return own.deck;
      const before = inText.filter((t) => !t.own && t.line <= line).at(-1);
      return before ? before.deck : base;
    },
  };
}
