/**
 * Raw HTML in notes is sanitized by default (rehype-sanitize with GitHub's
 * schema, widened for the project's own markup). This module holds the schema
 * and a remark plugin that reports, at its position, what sanitizing removes:
 * scripts, event handlers, `javascript:` URLs, frames, objects, SVG and the like.
 */
import { createHash } from 'node:crypto';
import { fromHtml } from 'hast-util-from-html';
import { defaultSchema, type Schema } from 'hast-util-sanitize';
import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';

/**
 * The CSP source that lets exactly this inline script run: the pages Chromium
 * lays out and prints allow their own script and nothing a note brings.
 */
export function scriptHashSource(script: string): string {
  return `sha256-${createHash('sha256').update(script).digest('base64')}`;
}

/** GitHub's schema, plus the attributes studyguide's own HTML uses (classes, ARIA, image loading, data: images). */
export const SANITIZE_SCHEMA: Schema = {
  ...defaultSchema,
  tagNames: [...(defaultSchema.tagNames ?? []), 'mark', 'u', 'abbr'],
  attributes: {
    ...defaultSchema.attributes,
    '*': [...(defaultSchema.attributes?.['*'] ?? []), 'className', 'role', 'ariaLabel'],
    img: [...(defaultSchema.attributes?.img ?? []), 'loading', 'decoding'],
    // The project's markup for a formula KaTeX rejects (src/render/handlers.ts).
    code: [['className', /^language-./, 'sg-math-error']],
    // The default allows one class on links (footnotes); placeholders of remote images are links too.
    a: [...(defaultSchema.attributes?.a ?? []).filter((a) => !(Array.isArray(a) && a[0] === 'className')), 'className'],
  },
  protocols: { ...defaultSchema.protocols, src: ['http', 'https', 'data'] },
};

const ALLOWED_TAGS = new Set(SANITIZE_SCHEMA.tagNames);
/** Tags whose removal is worth a warning (others are unwrapped, their text kept). */
const DANGEROUS_TAGS = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'style',
  'link',
  'meta',
  'base',
  'form',
  'input',
  'button',
  'textarea',
  'select',
]);
const UNSAFE_URL = /^\s*(javascript|vbscript|data(?!:image\/(png|jpe?g|gif|webp|avif)[;,])):/i;

/** What sanitizing takes out of one piece of raw HTML. */
export function unsafeParts(html: string): string[] {
  const found = new Set<string>();
  visit(fromHtml(html, { fragment: true }), 'element', (node) => {
    const tag = node.tagName;
    if (DANGEROUS_TAGS.has(tag) && !(tag === 'input' && node.properties?.type === 'checkbox') && !ALLOWED_TAGS.has(tag))
      found.add(`<${tag}>`);
    for (const [key, value] of Object.entries(node.properties ?? {})) {
      if (/^on[a-z]/i.test(key)) found.add(`${key.toLowerCase()}= handler`);
      if (['href', 'src', 'action', 'formAction', 'xLinkHref', 'data'].includes(key) && UNSAFE_URL.test(String(value))) {
        found.add(`${String(value).trim().split(':')[0]!.toLowerCase()}: URL`);
      }
    }
  });
  return [...found];
}

/** Pieces of raw HTML whose findings are kept per parser: most are short tags written again and again (`<br>`, `<b>`, `</b>`). */
const MAX_KNOWN_HTML = 10_000;

/** Report unsafe raw HTML and links at their position; sanitizing at render time removes them. */
export function remarkReportUnsafeHtml(options: { allowHtml?: boolean } = {}) {
  // Parsing each piece of HTML (parse5) costs far more than the piece: the same piece is read once.
  const known = new Map<string, string[]>();
  const partsOf = (html: string) => {
    let parts = known.get(html);
    if (!parts) {
      if (known.size >= MAX_KNOWN_HTML) known.clear();
      known.set(html, (parts = unsafeParts(html)));
    }
    return parts;
  };
  return (tree: Root, file: VFile) => {
    if (options.allowHtml) return;
    visit(tree, (node) => {
      let parts: string[] = [];
      if (node.type === 'html') parts = partsOf(node.value);
      else if ((node.type === 'link' || node.type === 'image' || node.type === 'definition') && UNSAFE_URL.test(node.url)) {
        parts = [`${node.url.trim().split(':')[0]!.toLowerCase()}: URL`];
      }
      if (parts.length) {
        file.message(`unsafe HTML removed: ${parts.join(', ')} (use --allow-html for trusted notes)`, {
          place: node.position,
          ruleId: 'unsafe-html',
          source: 'studyguide',
        });
      }
    });
  };
}
