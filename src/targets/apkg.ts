/**
 * `flashcards.apkg`: the flashcards as an Anki package, next to flashcards.tsv, with what the TSV
 * cannot carry: the images and diagrams, the note types with our card styling, the decks. Built
 * with every build, as the TSV is (it takes a fraction of a second). The notes are dated by their
 * files' modification times: Anki updates a note it already has only when the package's is newer.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { VFileMessage } from 'vfile-message';
import { ankiPackage, imageSources } from '../anki/notes.js';
import { writePackage, type MediaFile } from '../anki/package.js';
import { imageCacheDir, type ImageMap } from '../images.js';
import { isInside } from '../paths.js';
import type { RenderedCard } from '../render/study.js';
import { buildWarning } from '../report.js';
import { readTemplateFile } from '../templates.js';
import type { Target } from './target.js';

export interface ApkgSummary {
  notes: number;
  cards: number;
  media: number;
}

declare module './target.js' {
  interface Summaries {
    /** What the package holds; null when there is no card to pack. */
    'flashcards-apkg': ApkgSummary | null;
  }
}

export const flashcardsApkg: Target<'flashcards-apkg', unknown, never> = {
  name: 'flashcards-apkg',
  enabled: () => true,
  renders: [],
  async build(input) {
    const cards = input.cards.filter((card) => card.ankiFields);
    if (cards.length === 0) return { files: [], messages: [], summary: null };
    const roots = await Promise.all(
      [input.settings.notes, imageCacheDir(input.settings.out)].map((dir) => realpath(dir).catch(() => null)),
    );
    const wanted = new Set(cards.flatMap((card) => card.ankiFields!.flatMap(imageSources)));
    const { images, times, messages } = await loadImages(wanted, input.images, roots);
    const noteTimes = new Map(
      await Promise.all(
        // A note deleted since it was read (watch mode): the next build has it gone; this one dates its cards 0 (never newer).
        [...new Set(cards.map((card) => card.note))].map(
          async (file) => [file, seconds((await stat(file).catch(() => null))?.mtimeMs ?? 0)] as const,
        ),
      ),
    );
    const { pkg, skipped } = ankiPackage({
      cards,
      images,
      // An image changed is a note changed: Anki updates the note only when the package's is newer.
      modified: (card) => Math.max(noteTimes.get(card.note)!, ...card.ankiFields!.flatMap(imageSources).map((src) => times.get(src) ?? 0)),
      css: `${await readTemplateFile(input.templates, 'anki.css')}\n${await readTemplateFile(input.templates, 'callouts.css')}\n${await highlightCss()}`,
    });
    messages.push(...skipped.map(({ card, reason }) => cardWarning(card, `card left out of flashcards.apkg: ${reason}`)));
    const summary = { notes: pkg.notes.length, cards: pkg.notes.reduce((n, note) => n + note.cards.length, 0), media: pkg.media.length };
    if (pkg.notes.length === 0) return { files: [], messages, summary };
    return { files: [{ path: 'flashcards.apkg', data: await writePackage(pkg) }], messages, summary };
  },
  describe: (summary) => (summary ? `${summary.notes} notes, ${summary.media} media files` : 'no cards'),
};

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * The images the cards show, by their `src` (`assets/…`), as media files named as their copies
 * are, and their files' times. Only files in the notes folder or the image cache are read (the
 * image stage already refused any other; this makes sure). One that cannot be read is left out,
 * with a warning: its cards show it as missing.
 */
async function loadImages(wanted: Set<string>, map: ImageMap, roots: (string | null)[]) {
  const images = new Map<string, MediaFile>();
  const times = new Map<string, number>();
  const messages: VFileMessage[] = [];
  const byHref = new Map(
    [...map.values()].flatMap((image) => (image.kind === 'file' && wanted.has(image.href) ? [[image.href, image]] : [])),
  );
  await Promise.all(
    [...byHref].map(async ([href, image]) => {
      const refuse = (why: string) =>
        messages.push(buildWarning(`${image.usedAt ?? href}: image not packed in flashcards.apkg (${why})`, 'anki-media'));
      const real = await realpath(image.source).catch(() => null);
      if (!real) return refuse('file gone');
      if (!roots.some((root) => root !== null && isInside(root, real))) return refuse('outside the notes folder and the image cache');
      try {
        const [data, info] = await Promise.all([
          image.data === undefined ? readFile(real) : new TextEncoder().encode(image.data),
          stat(real),
        ]);
        images.set(href, { name: path.posix.basename(href), data });
        times.set(href, seconds(info.mtimeMs));
      } catch (error) {
        refuse((error as NodeJS.ErrnoException).code ?? 'cannot read it');
      }
    }),
  );
  return { images, times, messages };
}

/** A warning at the card's place in its note (`notes/x.md:12`). */
function cardWarning(card: RenderedCard, reason: string): VFileMessage {
  const at = card.source.lastIndexOf(':');
  const message = new VFileMessage(reason, {
    place: { line: Number(card.source.slice(at + 1)) || 1, column: 1 },
    ruleId: 'anki-package',
    source: 'studyguide',
  });
  message.file = card.source.slice(0, at);
  message.fatal = false;
  return message;
}

const require = createRequire(import.meta.url);
let highlight: Promise<string> | undefined;

/** highlight.js's light code colours, as the cheat sheet has them (the card's code is highlighted already). */
function highlightCss(): Promise<string> {
  highlight ??= readFile(require.resolve('highlight.js/styles/github.css'), 'utf8');
  return highlight;
}
