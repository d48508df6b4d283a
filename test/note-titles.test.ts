/**
 * A note's title is printed once (issue 27): a first heading that repeats the note's title (from
 * its front matter, or from its file name over content before the heading) is that topic's
 * heading, not a topic of its own under it. A different first heading still is one.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGuide, walkTopics } from '../src/tree.js';
import { cli, noteFrom, readPdf, tempDir } from './helpers.js';

const JOHNSON =
  "---\ntitle: Johnson's Algorithm\n---\n# Johnson's Algorithm\n\nReweights the edges with Bellman-Ford.\n\n## Steps\n\nThen Dijkstra from every vertex.\n";
const DIJKSTRA = '#graphs\n\n# Dijkstra’s Algorithm\n\nGreedy, with a priority queue.\n';
const PATHS = '---\ntitle: Shortest paths\n---\n# Bellman-Ford\n\nNegative edges allowed.\n';

/** Each topic of a note as `depth title`, in reading order. */
const outline = (markdown: string, file: string) =>
  [...walkTopics(buildGuide([noteFrom(markdown, file)], 'G').topics)].map((t) => `${t.depth} ${t.title}`);

describe('a note whose first heading repeats its title', () => {
  it('is one topic with that heading: front matter title, or the file name over content before it', () => {
    expect(outline(JOHNSON, 'notes/johnson.md')).toEqual(["0 Johnson's Algorithm", '2 Steps']);
    expect(outline(DIJKSTRA, "notes/Dijkstra's Algorithm.md")).toEqual(['1 Dijkstra’s Algorithm']);
    // A first heading that says something else keeps its own topic under the title.
    expect(outline(PATHS, 'notes/paths.md')).toEqual(['0 Shortest paths', '1 Bellman-Ford']);
  });

  it('prints the title once on the cheat sheet', async () => {
    const dir = await tempDir();
    const notes = path.join(dir, 'notes');
    await mkdir(notes);
    await writeFile(path.join(notes, 'johnson.md'), JOHNSON);
    await writeFile(path.join(notes, "Dijkstra's Algorithm.md"), DIJKSTRA);
    await writeFile(path.join(notes, 'paths.md'), PATHS);
    const out = path.join(dir, 'out');
    const built = await cli(['build', '--notes', notes, '--out', out, '--offline', '--only', 'pdf']);
    expect(built.code, built.stderr).toBe(0);
    const text = (await readPdf(path.join(out, 'cheatsheet.pdf'))).pageText.join('\n');
    const count = (title: string) => text.split(title).length - 1;
    // Each title is in the contents line at the top, then once over its topic.
    expect([count("Johnson's Algorithm"), count('Dijkstra’s Algorithm'), count('Shortest paths')]).toEqual([2, 2, 2]);
    const headings = [...(await readFile(path.join(out, 'cheatsheet.html'), 'utf8')).matchAll(/<h[1-6][^>]*>([^<]*)<\/h[1-6]>/g)];
    expect(headings.map((h) => h[1])).toEqual(['Dijkstra’s Algorithm', "Johnson's Algorithm", 'Steps', 'Shortest paths', 'Bellman-Ford']);
  });
});
