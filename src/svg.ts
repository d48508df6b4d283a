/**
 * An SVG from the notes is code as much as a picture: opened on its own (from
 * the output folder, or from `serve`), its scripts run. It is copied only
 * after sanitizing: parsed (parse5, through hast), kept to an allow-list of
 * SVG elements and attributes (hast-util-sanitize, with property-information's
 * SVG attributes), and cleared of references to anything outside the file.
 */
import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { sanitize, type Schema } from 'hast-util-sanitize';
import { toHtml } from 'hast-util-to-html';
import { svg as svgAttributes } from 'property-information';
import { visit } from 'unist-util-visit';

/** What an SVG picture is drawn with. Not here: script, foreignObject (HTML inside), animate and set (they can rewrite links). */
const TAGS = [
  'svg',
  'g',
  'defs',
  'symbol',
  'use',
  'title',
  'desc',
  'metadata',
  'switch',
  'view',
  'style',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'pattern',
  'clipPath',
  'mask',
  'marker',
  'image',
  'animateTransform',
  'animateMotion',
  'mpath',
  'filter',
  ...'Blend ColorMatrix ComponentTransfer Composite ConvolveMatrix DiffuseLighting DisplacementMap DistantLight DropShadow Flood FuncA FuncB FuncG FuncR GaussianBlur Image Merge MergeNode Morphology Offset PointLight SpecularLighting SpotLight Tile Turbulence'
    .split(' ')
    .map((name) => `fe${name}`),
];

/** Every SVG attribute but event handlers (`onload`, …); links are kept here and checked below. */
const ATTRIBUTES = Object.keys(svgAttributes.property).filter((name) => !/^on[A-Z]/.test(name));

const SCHEMA: Schema = {
  tagNames: TAGS,
  attributes: { '*': ATTRIBUTES },
  // Removed with what they hold (the default unwraps an element it does not know, keeping its children).
  strip: ['script', 'foreignObject', 'animate', 'set', 'iframe', 'object', 'embed'],
  // Ids stay as they are: gradients, clips and `<use>` point at them.
  clobber: [],
  clobberPrefix: '',
  protocols: {},
  required: {},
  ancestors: {},
  allowComments: false,
  allowDoctypes: false,
};

/** A reference that stays inside the file (`#id`) or is an inline raster image. */
const LOCAL = /^\s*(#|data:image\/(png|jpe?g|gif|webp);)/i;
const URL_IN_CSS = /url\(\s*(['"]?)(.*?)\1\s*\)/gi;

/** CSS with every `@import` and every `url()` that leaves the file removed. */
function localCss(css: string, removed: Set<string>): string {
  return css
    .replace(/@import[^;]*;?/gi, () => {
      removed.add('@import');
      return '';
    })
    .replace(URL_IN_CSS, (whole: string, _quote: string, target: string) => {
      if (LOCAL.test(target)) return whole;
      removed.add('external reference');
      return 'none';
    });
}

export interface SanitizedSvg {
  svg: string;
  /** What was taken out, for a warning: `<script>`, `onload= handler`, `external reference`… */
  removed: string[];
}

/** The SVG document `text`, sanitized; null when it holds no `<svg>` element. */
export function sanitizeSvg(text: string): SanitizedSvg | null {
  const parsed = fromHtml(text, { fragment: true });
  const root = parsed.children.find((node): node is Element => node.type === 'element' && node.tagName === 'svg');
  if (!root) return null;
  const removed = new Set<string>();
  // What the allow-list drops, named for the warning before it goes.
  visit(root, 'element', (node: Element) => {
    if (!TAGS.includes(node.tagName)) removed.add(`<${node.tagName}>`);
    for (const key of Object.keys(node.properties)) if (/^on[A-Z]/.test(key)) removed.add(`${key.toLowerCase()}= handler`);
    return SCHEMA.strip!.includes(node.tagName) ? 'skip' : undefined; // what it holds goes with it
  });
  const clean = sanitize({ type: 'root', children: [root] }, SCHEMA) as Root;
  visit(clean, 'element', (node: Element) => {
    for (const [key, value] of Object.entries(node.properties)) {
      if (typeof value !== 'string') continue;
      if ((key === 'href' || key === 'xLinkHref') && !LOCAL.test(value)) {
        delete node.properties[key];
        removed.add('external reference');
      } else if (/url\(/i.test(value)) {
        const local = localCss(value, removed);
        if (local !== value) node.properties[key] = local;
      }
    }
    if (node.tagName === 'style') {
      const css = localCss(node.children.map((child) => (child.type === 'text' ? child.value : '')).join(''), removed);
      // A stylesheet in XML is text: what would be markup is kept in a CDATA section.
      node.children = [{ type: 'raw', value: /[<&]/.test(css) ? `<![CDATA[${css.replace(/]]>/g, ']]]]><![CDATA[>')}]]>` : css }];
    }
  });
  const svg = toHtml(clean, { space: 'svg', allowDangerousHtml: true, closeEmptyElements: true });
  return { svg: `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`, removed: [...removed] };
}
