/**
 * `$` and `$$` paired as Obsidian pairs them (issue 27): each rule with a case it applies to and
 * one it does not; prices stay text; `\\[2pt]` stays a TeX line break; and an AVL-tree note with
 * wiki links and `$` in its prose, built through the CLI, prints no raw `$$` or `[[`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { describe, expect, it } from 'vitest';
import { latexDelimitersToDollars } from '../src/syntax/math.js';
import { cli, noteFrom, readPdf, tempDir } from './helpers.js';

/** The formulas of a note: `$…$` as `inline:TeX`, display ones as `display:TeX`. */
function formulas(markdown: string): string[] {
  const out: string[] = [];
  visit(noteFrom(markdown).mdast, (node) => {
    if (node.type === 'inlineMath') out.push(`inline:${node.value}`);
    if (node.type === 'math') out.push(`display:${node.value}`);
  });
  return out;
}
const blocks = (markdown: string) => noteFrom(markdown).mdast.children.map((b: RootContent) => b.type);
const errors = (markdown: string) => noteFrom(markdown).file.messages.map((m) => m.reason);

describe('$$ on lines of its own inside a paragraph', () => {
  it('right after text (no blank line) is display math; the text around it stays paragraphs', () => {
    const md = 'The height of an AVL tree is\n$$h < 1.44 \\log_2 n$$\nso a search is fast.';
    expect(blocks(md)).toEqual(['paragraph', 'math', 'paragraph']);
    expect(formulas(md)).toEqual(['display:h < 1.44 \\log_2 n']);
    const [before, , after] = noteFrom(md).mdast.children;
    expect([toString(before!), toString(after!)]).toEqual(['The height of an AVL tree is', 'so a search is fast.']);
    // Over two lines, and at the end of the paragraph.
    expect(formulas('It satisfies\n$$T(n) = 2T(n/2)\n= O(n \\log n)$$')).toEqual(['display:T(n) = 2T(n/2)\n= O(n \\log n)']);
  });

  it('mid-line, it stays in the line', () => {
    const md = 'The bound $$h < 2 \\log n$$ holds.';
    expect(blocks(md)).toEqual(['paragraph']);
    expect(formulas(md)).toEqual(['inline:h < 2 \\log n']);
  });

  it('a line opening with `$$` and a formula is no block running to the end of the note', () => {
    const md = 'Intro.\n\n$$T(n) = 2T(n/2) + n\n= O(n \\log n)$$\n\nSee [[Master theorem]] for $a = 2$.\n\n# Next\n\nText.';
    expect(formulas(md)).toEqual(['display:T(n) = 2T(n/2) + n\n= O(n \\log n)', 'inline:a = 2']);
    expect(blocks(md)).toEqual(['paragraph', 'math', 'paragraph', 'heading', 'paragraph']);
    // A `$$` alone on its line still opens a block, which may hold blank lines.
    expect(blocks('$$\n\\begin{aligned}\na &= b\n\n\\end{aligned}\n$$\n\nText.')).toEqual(['math', 'paragraph']);
  });
});

describe('$ opening and closing', () => {
  it('a `$` followed by a space does not open math; the next one may', () => {
    expect(formulas('a $ b $c$ d')).toEqual(['inline:c']);
    expect(formulas('$ 5 $ and $x^2$')).toEqual(['inline:x^2']);
    // Without the space, it opens.
    expect(formulas('a $b$ c')).toEqual(['inline:b']);
  });

  it('a `$` preceded by a space does not close math, and one that cannot close leaves the first `$` as text', () => {
    expect(formulas('A $x $ y$ z')).toEqual([]);
    expect(formulas('costs $5 and $x$ more')).toEqual(['inline:x']);
    expect(toString(noteFrom('costs $5 and $x$ more').mdast)).toBe('costs $5 and x more');
  });

  it('prices stay text', () => {
    for (const md of [
      'It costs $5.',
      'S3 is $0.023 per GB, Glacier $0.004 per GB.',
      'between $5-$10 each',
      'The course costs $5 and $10 a month.',
    ]) {
      expect({ md, formulas: formulas(md) }).toEqual({ md, formulas: [] });
      expect(toString(noteFrom(md).mdast)).toBe(md);
    }
  });

  it('`\\$` inside a formula is an escaped dollar, not its end', () => {
    expect(formulas('price $p = \\$5$ each')).toEqual(['inline:p = \\$5']);
  });
});

describe('LaTeX delimiters', () => {
  it('`\\\\[-1.ex]` (a line break with spacing) is left alone; `\\[ … \\]` still becomes `$$`', () => {
    const align = '$$\n\\begin{aligned}\na &= b \\\\[-1.ex]\nc &= d \\\\[2pt]\n\\end{aligned}\n$$';
    expect(latexDelimitersToDollars(align)).toBe(align);
    expect(formulas(align)).toEqual(['display:\\begin{aligned}\na &= b \\\\[-1.ex]\nc &= d \\\\[2pt]\n\\end{aligned}']);
    expect(errors(align)).toEqual([]);
    expect(latexDelimitersToDollars('\\[ x \\] and \\(y\\)')).toBe('$$ x $$ and $y$');
  });
});

describe('an AVL-tree note with wiki links and `$` in its prose', () => {
  it('is not swallowed into one formula: its links, prices and formulas come out as written', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'notes'));
    await writeFile(
      path.join(dir, 'notes', 'AVL tree.md'),
      [
        '# AVL tree',
        '',
        'An [[AVL tree]] is a self-balancing [[Binary search tree]]. Its balance factor is $b = h_L - h_R$',
        'and every node keeps $|b| \\le 1$. The height is',
        '$$h < 1.44 \\log_2 (n + 2)$$',
        'so lookups cost $O(\\log n)$, as in a [[Red-black tree]].',
        '',
        'A rotation costs $ 1 of work per node, a rebuild $5, and a cache miss $0.02 each.',
        '',
        '$$T(n) = T(n - 1) + O(1)',
        '= O(n)$$',
        '',
        'See [[Rotations]] and [[Binary search tree]].',
        '',
      ].join('\n'),
    );
    await writeFile(path.join(dir, 'notes', 'Rotations.md'), '# Rotations\n\nLeft and right.\n');
    const out = path.join(dir, 'out');
    const built = await cli(['build', '--notes', path.join(dir, 'notes'), '--out', out, '--offline', '--only', 'pdf']);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).not.toMatch(/LaTeX error/);
    const text = (await readPdf(path.join(out, 'cheatsheet.pdf'))).pageText.join('\n');
    expect(text).not.toContain('$$');
    expect(text).not.toContain('[[');
    expect(text).not.toContain('\\log');
    for (const phrase of [
      'is a self-balancing Binary search tree',
      'as in a Red-black tree',
      '$ 1 of work per node, a rebuild $5, and a cache miss $0.02 each',
      'See Rotations and Binary search tree',
    ]) {
      expect({ phrase, found: text.replace(/\s+/g, ' ').includes(phrase) }).toEqual({ phrase, found: true });
    }
  });
});
