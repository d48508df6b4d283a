/**
 * Images in the outputs. Markdown images are resolved on the mdast (html.ts,
 * `resolveImage`); raw-HTML `<img>` here, on the hast, right after rehype-raw
 * and before sanitizing. Both go through `imageView`, so they end up the same:
 * pointing at their copy in `assets/` (width and height kept), or a compact
 * placeholder (the warning was given when the images were resolved).
 */
import type { Element, Properties, Root as HastRoot } from 'hast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { imageKey, rawImageSource, type ImageMap } from '../images.js';

/**
 * Set on the `<img>` of a markdown image, already resolved: the raw-HTML pass
 * leaves it alone and removes the mark. (A note that writes the attribute
 * itself only keeps its own, unresolved `src`.)
 */
export const RESOLVED_MARK = 'dataSgResolved';

export type ImageView =
  /** The image, pointing at its copy (or a `data:` URI): properties to set on the `<img>`. */
  | { tagName: 'img'; properties: Properties }
  /** A placeholder: a link to a remote image, a span for a local one. */
  | { tagName: 'a' | 'span'; properties: Properties; label: string };

/** Point an image at its copy in the output, or make the compact placeholder that stands in for it. */
export function imageView(options: { images: ImageMap; assetPrefix: string }, noteAbsPath: string, url: string): ImageView {
  const found = options.images.get(imageKey(noteAbsPath, url));
  if (found && found.kind !== 'missing') {
    const src = found.kind === 'file' ? options.assetPrefix + found.href : found.href;
    return { tagName: 'img', properties: { src, loading: 'eager', decoding: 'sync' } };
  }
  const label = found?.label ?? url;
  const remote = found?.remote ?? false;
  return {
    tagName: remote ? 'a' : 'span',
    properties: {
      className: ['img-missing'],
      role: 'img',
      ariaLabel: `image not available: ${label}`,
      title: url,
      ...(remote ? { href: url } : {}),
    },
    label,
  };
}

/** Raw-HTML `<img>`: resolved like markdown images (the render context is in `file.data.render`). */
export function rehypeRawImages() {
  return (tree: HastRoot, file: VFile) => {
    const context = file.data.render;
    if (context?.has.images === false) return; // no <img> to look for
    visit(tree, 'element', (node: Element, index, parent) => {
      if (node.tagName !== 'img') return;
      if (node.properties[RESOLVED_MARK] !== undefined) {
        delete node.properties[RESOLVED_MARK];
        return;
      }
      const src = rawImageSource(node);
      if (!context || src === null || !parent || index === undefined) return;
      const view = imageView(context.options, context.noteAbsPath, src);
      if (view.tagName === 'img') {
        // The copy is the image: a srcset (kept with --allow-html) would point at files never copied.
        delete node.properties.srcSet;
        Object.assign(node.properties, view.properties);
        return;
      }
      // Nothing of the <img> is kept: its size would stretch the placeholder, its handlers are not ours.
      parent.children[index] = placeholder(view);
    });
  };
}

function placeholder(view: Extract<ImageView, { label: string }>): Element {
  return { type: 'element', tagName: view.tagName, properties: view.properties, children: [{ type: 'text', value: view.label }] };
}
