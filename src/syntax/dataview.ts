/**
 * Dataview (```dataview, ```dataviewjs): queries over the vault that only the
 * Obsidian plugin can run. They stay code blocks, as written, and the build
 * says once how many there were: an info, not a warning (nothing is wrong
 * with the notes; there is nothing to fix).
 */
import type { Code, RootContent } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFileMessage } from 'vfile-message';
import { infoMessage } from '../report.js';
import type { Note } from '../types.js';

const DATAVIEW = new Set(['dataview', 'dataviewjs']);

/** Dataview blocks in some content. */
export function countDataview(nodes: RootContent[]): number {
  let count = 0;
  for (const node of nodes) {
    visit(node, 'code', (code: Code) => {
      if (code.lang && DATAVIEW.has(code.lang.toLowerCase())) count++;
    });
  }
  return count;
}

/** The one message of a build about its Dataview blocks (an info: `fatal` undefined); null when there are none. */
export function dataviewInfo(notes: Note[]): VFileMessage | null {
  const counts = notes
    .map((note) => ({ path: note.path, count: countDataview([...note.mdast.children, ...note.footnotes]) }))
    .filter((n) => n.count > 0);
  const total = counts.reduce((sum, n) => sum + n.count, 0);
  if (total === 0) return null;
  const where =
    counts.length <= 3
      ? counts.map((n) => n.path).join(', ')
      : `${counts
          .slice(0, 3)
          .map((n) => n.path)
          .join(', ')} and ${counts.length - 3} more`;
  return infoMessage(
    `${total} Dataview block${total === 1 ? '' : 's'} shown as code (${where}): Dataview queries run only inside Obsidian`,
    'dataview',
  );
}
