/**
 * Parsing a note in parts. micromark takes longer per byte the longer the
 * document (the 17 kB Misc note: 2.3× the time of its four sections parsed
 * apart), and a rebuild after an edit needs to parse again only the part that
 * changed. A note is cut only where the parts parse, alone, to exactly the
 * nodes the whole note gives: before a top-level ATX heading that follows a
 * blank line, outside anything a blank line does not end.
 */
import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';

/** A part of a note: its text, and where it starts in the note (0-based line, offset). */
export interface Chunk {
  text: string;
  line: number;
  offset: number;
}

/**
 * Notes that are parsed whole: link reference and footnote definitions (`[x]: …`) reach across
 * the note; lone CR line endings, a byte order mark, and HTML blocks that a blank line does not
 * end (`<?…?>`, `<!DOCTYPE …>`, CDATA) are not worth following.
 */
const WHOLE = /\]:|\r(?!\n)|^\uFEFF|<\?|<![A-Za-z[]/;

/** Raw HTML that runs on across blank lines until its end (CommonMark HTML blocks 1 and 2). */
const HTML_OPEN = /<!--|<(pre|script|style|textarea)(?=[\s>]|$)/gi;

/**
 * The note's parts, in order; one part (the whole note) when it has no safe place to cut.
 * Conservative by design: a wrong guess only ever means fewer cuts.
 */
export function chunksOf(markdown: string): Chunk[] {
  if (WHOLE.test(markdown)) return [{ text: markdown, line: 0, offset: 0 }];
  const chunks: Chunk[] = [];
  let start = { line: 0, offset: 0 };
  let fence: { char: string; size: number } | null = null;
  let math = 0; // size of the open `$$` fence
  let html: RegExp | null = null; // what ends the open raw HTML
  let frontMatter = false;
  let blankBefore = true;
  let content = false; // the part so far has more than blank lines
  let offset = 0;
  for (let line = 0; offset <= markdown.length; line++) {
    const end = markdown.indexOf('\n', offset);
    const next = end < 0 ? markdown.length + 1 : end + 1;
    const text = markdown.slice(offset, end < 0 ? markdown.length : end).replace(/\r$/, '');
    if (line > 0 && content && blankBefore && !fence && !math && !html && !frontMatter && /^#{1,6}(?:[ \t]|$)/.test(text)) {
      chunks.push({ text: markdown.slice(start.offset, offset), ...start });
      start = { line, offset };
    }
    if (line === 0 && text === '---') frontMatter = true;
    else if (frontMatter) frontMatter = text !== '---' && text !== '...';
    else if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(text);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.size) fence = null;
    } else if (math) {
      const close = /^ {0,3}(\${2,})[ \t]*$/.exec(text);
      if (close && close[1]!.length >= math) math = 0;
    } else {
      const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(text);
      const mathOpen = /^ {0,3}(\${2,})([^$]*)$/.exec(text);
      if (open && !(open[1]![0] === '`' && open[2]!.includes('`'))) fence = { char: open[1]![0]!, size: open[1]!.length };
      else if (mathOpen) math = mathOpen[1]!.length;
    }
    // Raw HTML is followed on every line, code and math included: only ever too careful.
    html = htmlAfter(text, html);
    blankBefore = text.trim() === '';
    content ||= !blankBefore;
    offset = next;
  }
  chunks.push({ text: markdown.slice(start.offset), ...start });
  return chunks;
}

/** What still ends open raw HTML after `text` (null: none open). */
function htmlAfter(text: string, open: RegExp | null): RegExp | null {
  let at = 0;
  let closing = open;
  for (;;) {
    if (closing) {
      closing.lastIndex = at;
      const close = closing.exec(text);
      if (!close) return closing;
      at = close.index + close[0].length;
    }
    HTML_OPEN.lastIndex = at;
    const start = HTML_OPEN.exec(text);
    if (!start) return null;
    at = start.index + start[0].length;
    closing = start[1] ? new RegExp(`</${start[1]}>`, 'gi') : /-->/g;
  }
}

/**
 * The tree of a note from the trees of its parts: each part's nodes moved to where the part
 * starts in the note (`parse` gives a part's tree; it may come from a cache, and is not kept).
 */
export function joinChunks(chunks: Chunk[], parse: (chunk: Chunk) => Root): Root {
  const root: Root = { type: 'root', children: [] };
  chunks.forEach((chunk, i) => {
    const tree = parse(chunk);
    if (chunk.line > 0 || chunk.offset > 0) {
      const moved = new Set<object>(); // a point two nodes share moves once
      visit(tree, (node) => {
        const place = node.position;
        if (!place) return;
        for (const point of [place.start, place.end]) {
          if (moved.has(point)) continue;
          moved.add(point);
          point.line += chunk.line;
          if (point.offset !== undefined) point.offset += chunk.offset;
        }
      });
    }
    if (i === 0) root.position = tree.position && { start: tree.position.start, end: tree.position.end };
    else if (root.position && tree.position) root.position.end = tree.position.end;
    root.children.push(...tree.children);
  });
  return root;
}
