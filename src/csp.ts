/**
 * The headers every response of `serve` and `present` carries. A page may load
 * only what its own origin serves (and inline data); its inline scripts run by
 * their hashes. Anything else (an image, a PDF, a stylesheet, an SVG opened on
 * its own) is sandboxed: an SVG with a script cannot run it in the server's
 * origin. `nosniff` keeps the browser to the declared types.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { scriptHashSource } from './safety.js';

const require = createRequire(import.meta.url);

/** The inline scripts of an HTML page (those without `src`), as the browser hashes them. */
export function inlineScripts(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) if (!/\ssrc\s*=/i.test(m[1]!)) found.push(m[2]!);
  return found;
}

/** The policy of a served HTML page: same-origin resources only, inline scripts by hash (`extra`: scripts it writes into its popups). */
export function pagePolicy(html: string, extra: string[] = []): string {
  const hashes = [...new Set([...inlineScripts(html).map(scriptHashSource), ...extra])].map((h) => `'${h}'`);
  return [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    // Style attributes are everywhere in the outputs (KaTeX, fitted slides): inline styles load nothing.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "media-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    // The live PDF view embeds the PDF.
    "object-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Everything that is not a page. `sandbox`: a document opened from here (an SVG) runs no script
 * and has no origin. A PDF is left out of the sandbox: Chromium refuses to show a sandboxed PDF,
 * and its viewer runs in an origin of its own anyway.
 */
export function assetPolicy(type: string): string {
  const base = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:";
  return type === 'application/pdf' ? `${base}; object-src 'self'` : `${base}; sandbox`;
}

export const NOSNIFF = { 'x-content-type-options': 'nosniff' } as const;

/**
 * The hash of the script reveal.js's speaker view writes into its window (an about:blank popup,
 * which keeps the deck's policy): read from the notes plugin the decks are given. None when the
 * plugin's shape is not the one known (then the speaker view cannot run from a served deck).
 */
export async function speakerViewHashes(): Promise<string[]> {
  const source = await readFile(require.resolve('reveal.js/plugin/notes/notes.js'), 'utf8').catch(() => '');
  const start = source.indexOf('.document.write("');
  if (start < 0) return [];
  const literal = /^"(?:[^"\\]|\\.)*"/.exec(source.slice(start + '.document.write('.length))?.[0];
  if (!literal) return [];
  try {
    // A JSON string but for the \x escapes a minifier writes.
    const html = JSON.parse(literal.replace(/\\x([0-9a-f]{2})/gi, '\\u00$1')) as string;
    return inlineScripts(html).map(scriptHashSource);
  } catch {
    return [];
  }
}
