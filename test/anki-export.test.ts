/**
 * flashcards.tsv as Anki reads it (issue 27): a card of a `#flashcards/spanish` note goes in the
 * guide's `spanish` deck, other cards in their top-level topic's; a wiki link in a card is its
 * text (an Anki card has no topic for a `#slug` link to open), whether it resolves or not.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

let rows: string[][];

beforeAll(async () => {
  const dir = await tempDir();
  const notes = path.join(dir, 'notes');
  await mkdir(notes);
  await writeFile(path.join(notes, 'spanish.md'), '# Spanish\n\n#flashcards/spanish\n\nhola::hello\n');
  await writeFile(
    path.join(notes, 'geo.md'),
    '# Geography\n\nWhat is the capital of France::Paris on the [[Seine]]\n\nWhich river flows through Vienna::the [[Danube|blue Danube]], not the [[Nowhere river]]\n',
  );
  await writeFile(path.join(notes, 'Seine.md'), '# Seine\n\nA river.\n\n# Danube\n\nAnother river.\n');
  const out = path.join(dir, 'out');
  const built = await cli(['build', '--notes', notes, '--out', out, '--offline', '--only', 'slides', '--title', 'T']);
  expect(built.code, built.stderr).toBe(0);
  rows = (await readFile(path.join(out, 'flashcards.tsv'), 'utf8'))
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split('\t'));
}, 120_000);

describe('flashcards.tsv', () => {
  it('puts a #flashcards/spanish card in the guide’s spanish deck; other cards keep their topic’s', () => {
    expect(rows.map((r) => [r[0], r[5]])).toEqual([
      ['What is the capital of France', 'T::Geography'],
      ['Which river flows through Vienna', 'T::Geography'],
      ['hola', 'T::spanish'],
    ]);
  });

  it('writes wiki links as their text: no link, resolved or not', () => {
    const backs = rows.map((r) => r[1]);
    expect(backs.slice(0, 2)).toEqual(['<p>Paris on the Seine</p>', '<p>the blue Danube, not the Nowhere river</p>']);
    expect(rows.flat().filter((field) => /wikilink|href=/.test(field!))).toEqual([]);
  });
});
