/*
 * Mermaid render page (src/render/mermaid.ts), run after mermaid.min.js.
 * `render(jobs, configs)` renders one diagram after the other, each with its
 * own seeded Math.random, and returns `{ svg, width, height }` or `{ error }`.
 */
import type { DiagramResult, MermaidConfig, MermaidJob, PageGlobal } from './protocol.js';
import { install, ready } from './ready.js';

/** What this page uses of mermaid's API (the `mermaid` global of mermaid.min.js). */
interface Mermaid {
  initialize(config: MermaidConfig): void;
  parse(code: string): Promise<unknown>;
  render(id: string, code: string): Promise<{ svg: string }>;
}

declare global {
  interface Window {
    mermaid?: Mermaid;
  }
}

const PAINT = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'opacity',
];
const round = (n: number) => Math.round(n * 1000) / 1000;

// Layouts that jitter (hand-drawn strokes) come out the same for the same diagram.
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function markerOf(svg: SVGSVGElement, value: string): SVGMarkerElement | null {
  const m = /^url\(["']?#([^"')]+)["']?\)$/.exec(value || '');
  return m ? svg.querySelector<SVGMarkerElement>('marker[id="' + CSS.escape(m[1]!) + '"]') : null;
}

// A copy that keeps the look it had inside the marker (styles there come from the marker's selectors).
function styledCopy(node: Element): Element {
  const copy = node.cloneNode(false) as Element;
  copy.removeAttribute('id');
  const style = getComputedStyle(node);
  copy.setAttribute('style', PAINT.map((p) => p + ':' + style.getPropertyValue(p)).join(';'));
  Array.from(node.childNodes).forEach((child) => {
    copy.append(child.nodeType === 1 ? styledCopy(child as Element) : child.cloneNode(true));
  });
  return copy;
}

// The marker's content drawn at one end of el, as SVG would place it (refX/refY on the vertex, along the path).
function bake(el: SVGGeometryElement, marker: SVGMarkerElement, atStart: boolean): void {
  const length = el.getTotalLength();
  const delta = Math.min(0.5, length / 2);
  const p = el.getPointAtLength(atStart ? 0 : length);
  const q = el.getPointAtLength(atStart ? delta : length - delta);
  const tangent = (Math.atan2(atStart ? q.y - p.y : p.y - q.y, atStart ? q.x - p.x : p.x - q.x) * 180) / Math.PI;
  const orient = marker.getAttribute('orient') || '0';
  const angle = orient === 'auto' ? tangent : orient === 'auto-start-reverse' ? tangent + (atStart ? 180 : 0) : parseFloat(orient) || 0;
  const units = marker.getAttribute('markerUnits') === 'userSpaceOnUse' ? 1 : parseFloat(getComputedStyle(el).strokeWidth) || 1;
  const vb = marker.viewBox.baseVal;
  let sx = 1;
  let sy = 1;
  if (vb && vb.width > 0 && vb.height > 0) {
    sx = marker.markerWidth.baseVal.value / vb.width;
    sy = marker.markerHeight.baseVal.value / vb.height;
    if (marker.preserveAspectRatio.baseVal.align !== 1) sx = sy = Math.min(sx, sy); // 1 is "none"
  }
  const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
  g.setAttribute('class', ((marker.getAttribute('class') || '') + ' sg-marker').trim());
  const own = el.getAttribute('transform');
  g.setAttribute(
    'transform',
    (own ? own + ' ' : '') +
      'translate(' +
      round(p.x) +
      ',' +
      round(p.y) +
      ') rotate(' +
      round(angle) +
      ') scale(' +
      round(units * sx) +
      ',' +
      round(units * sy) +
      ') translate(' +
      round(-marker.refX.baseVal.value) +
      ',' +
      round(-marker.refY.baseVal.value) +
      ')',
  );
  Array.from(marker.children).forEach((child) => {
    g.append(styledCopy(child));
  });
  el.after(g);
}

/** Each end that may carry a marker: the computed style's property, the attribute and CSS property, whether it is the start. */
const MARKER_ENDS = [
  ['markerStart', 'marker-start', true],
  ['markerEnd', 'marker-end', false],
] as const;

// Arrowheads drawn in place, not through <marker> references: a page holding a hidden copy of the diagram
// (the cheat sheet's flow) resolves the references to that copy, which does not paint.
function bakeMarkers(svg: SVGSVGElement): void {
  svg.querySelectorAll<SVGGeometryElement>('path, line, polyline, polygon').forEach((el) => {
    if (typeof el.getTotalLength !== 'function') return;
    const style = getComputedStyle(el);
    MARKER_ENDS.forEach((end) => {
      const marker = markerOf(svg, style[end[0]]);
      if (!marker) return;
      bake(el, marker, end[2]);
      el.removeAttribute(end[1]);
      el.style.setProperty(end[1], 'none');
    });
  });
  if (!svg.querySelector('[marker-mid]')) svg.querySelectorAll('marker').forEach((m) => m.remove());
}

interface IdItem {
  el: Element;
  old: string;
  rest: string;
  m: RegExpExecArray | null;
}

// mermaid numbers some ids with counters that live as long as the page, and leaves some unprefixed:
// prefix every id with the diagram's and renumber its last number by rank, so ids depend on the diagram alone.
function canonicalIds(svg: SVGSVGElement): void {
  const root = svg.id;
  const items: IdItem[] = [];
  const groups: Record<string, IdItem[]> = {};
  svg.querySelectorAll('[id]').forEach((el) => {
    const rest = el.id.indexOf(root) === 0 ? el.id.slice(root.length) : '-' + el.id;
    const m = /^(.*?)(\d+)(\D*)$/.exec(rest);
    const item: IdItem = { el: el, old: el.id, rest: rest, m: m };
    items.push(item);
    if (m) (groups[m[1] + '\u0000' + m[3]] = groups[m[1] + '\u0000' + m[3]] || []).push(item);
  });
  Object.keys(groups).forEach((key) => {
    const numbers = groups[key]!.map((i) => Number(i.m![2]));
    const ranks = numbers
      .slice()
      .sort((a, b) => a - b)
      .filter((n, i, all) => i === 0 || all[i - 1] !== n);
    groups[key]!.forEach((i) => {
      i.rest = i.m![1]! + ranks.indexOf(Number(i.m![2])) + i.m![3];
    });
  });
  const renamed: Record<string, string> = {};
  items.forEach((i) => {
    const next = root + i.rest;
    if (next !== i.old) renamed[i.old] = next;
  });
  if (Object.keys(renamed).length === 0) return;
  items.forEach((i) => {
    i.el.id = root + i.rest;
  });
  const refs = (value: string) =>
    value.replace(/url\((["']?)#([^"')]+)\1\)/g, (all: string, q: string, id: string) =>
      renamed[id] ? 'url(' + q + '#' + renamed[id] + q + ')' : all,
    );
  ([svg] as Element[]).concat(Array.from(svg.querySelectorAll('*'))).forEach((el) => {
    Array.from(el.attributes).forEach((attr) => {
      const v = attr.value;
      let next = v;
      if (/href$/.test(attr.name) && v.charAt(0) === '#') next = '#' + (renamed[v.slice(1)] || v.slice(1));
      else if (/^aria-(labelledby|describedby)$/.test(attr.name))
        next = v
          .split(/\s+/)
          .map((id) => renamed[id] || id)
          .join(' ');
      else if (v.indexOf('url(') >= 0) next = refs(v);
      if (next !== v) attr.value = next;
    });
    if (el.tagName === 'style') el.textContent = refs(el.textContent!);
  });
}

// Natural size as width/height; the page may shrink it (max-width: 100%) and the stylesheets size it to the text.
function size(svg: SVGSVGElement): { width: number; height: number } {
  const vb = svg.viewBox.baseVal;
  if (!vb || !(vb.width > 0) || !(vb.height > 0)) return { width: 0, height: 0 };
  svg.setAttribute('width', String(round(vb.width)));
  svg.setAttribute('height', String(round(vb.height)));
  svg.style.setProperty('max-width', '100%');
  svg.style.setProperty('height', 'auto');
  return { width: round(vb.width), height: round(vb.height) };
}

async function renderOne(job: MermaidJob, config: MermaidConfig): Promise<DiagramResult> {
  const mermaid = window.mermaid!;
  mermaid.initialize(config);
  await mermaid.parse(job.code);
  const out = await mermaid.render(job.id, job.code);
  const box = document.createElement('div');
  box.className = 'sg-box';
  box.innerHTML = out.svg;
  document.body.append(box);
  try {
    const svg = box.querySelector('svg');
    if (!svg) throw new Error('mermaid returned no SVG');
    bakeMarkers(svg);
    canonicalIds(svg);
    const natural = size(svg);
    return { svg: svg.outerHTML, width: natural.width, height: natural.height };
  } finally {
    box.remove();
  }
}

const sg: PageGlobal<'mermaid'> = install('mermaid', {
  render: async (jobs, configs) => {
    const random = Math.random;
    const results: DiagramResult[] = [];
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      Math.random = seededRandom(job.seed);
      try {
        results.push(await renderOne(job, configs[job.theme]));
      } catch (error) {
        const e = error as { message?: unknown } | null | undefined;
        results.push({ error: String((e && e.message) || error || 'unknown error') });
      } finally {
        Math.random = random;
        // What mermaid leaves behind after a failure.
        ['d', 'i', ''].forEach((p) => {
          const left = document.getElementById(p + job.id);
          if (left) left.remove();
        });
      }
    }
    return results;
  },
});
// Ready as soon as `render` is there: Node calls it with the diagrams.
ready(sg, null);
