/**
 * A code block far longer than a deck can show (a log or a source file pasted
 * into a note) is cut on the slides: its first lines, then a "… N more lines"
 * mark; the sheet prints it whole. Thousands of slides of code help no one,
 * and they cost minutes to lay out.
 */
import type { Code, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { Note } from '../types.js';

/** The offset just after the `limit`-th line of `text`, or -1 when it has no more lines than that. */
function cutAt(text: string, limit: number): number {
  let at = -1;
  for (let line = 0; line < limit; line++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) return -1;
  }
  return at;
}

/** Lines of `text` (read no further than `limit` + 1 of them: enough to know it is longer). */
export const longerThan = (text: string, limit: number) => cutAt(text, limit) >= 0;

/** `node` cut to its first `limit` lines, marked with how many it leaves out; `node` itself when it is not longer. */
export function cutCode(node: Code, limit: number): Code {
  const at = cutAt(node.value, limit);
  if (at < 0) return node;
  const left = node.value.slice(at + 1).split('\n').length;
  return { ...node, value: node.value.slice(0, at), data: { ...node.data, cutLines: left } };
}

/** Diagrams are drawn, not printed as code: never cut. */
const cuttable = (node: Code) => !/mermaid/i.test(node.lang ?? '');

/** Whether the slides show `node` cut at `limit` lines. */
export const cutOnSlides = (node: Code, limit: number) => cuttable(node) && longerThan(node.value, limit);

/** One warning per code block the slides cut, at the block, in its own note (an embedded copy is not warned again). */
export function warnCutCode(notes: Note[], limit: number): void {
  for (const note of notes) {
    visit(note.mdast as Root, 'code', (node: Code) => {
      if (!cutOnSlides(node, limit)) return;
      const lines = node.value.split('\n').length;
      note.file.message(
        `code block of ${lines.toLocaleString('en')} lines: the slides show its first ${limit.toLocaleString('en')} and say how many more there are (--slide-code-lines); the cheat sheet prints it whole`,
        { place: node.position, ruleId: 'code-cut', source: 'studyguide' },
      );
    });
  }
}
