/**
 * A card's HTML as an Anki field: math back to TeX in Anki's delimiters (Anki typesets it), and
 * wiki links as their text: an Anki card has no topic for a `#slug` link to open.
 */
import { mathForAnki } from './math.js';

/** Our wiki link markup (src/render/html.ts `pointWikiLink`): a link, or a span when the output has no such topic. Its content is text. */
const WIKI_LINK = /<a class="wikilink" href="[^"]*">([\s\S]*?)<\/a>|<span class="wikilink-(?:elsewhere|missing)">([\s\S]*?)<\/span>/g;

export const ankiHtml = (html: string): string =>
  mathForAnki(html).replace(WIKI_LINK, (_, link?: string, span?: string) => link ?? span ?? '');
