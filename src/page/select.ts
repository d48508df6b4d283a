/*
 * Choosing what the cheat sheet prints when the notes do not fit `--pages` at the floor size.
 * Node gives each block its units (`data-u="id:priority:rank …"`: one, or one per item of a
 * list; src/priority.ts ranks them). Here each block is measured once, in the column's width
 * at the floor size (one layout of the whole flow in a column of unbounded height), and units
 * are taken in rank order while their height, with their headings, fits a budget. The budget
 * is then searched against the real layout (a handful of layouts of N pages, not of the notes).
 */
import type { Selection } from './protocol.js';

/** One unit: a block, or one item of a list block. */
interface Unit {
  id: number;
  /** 0: core (always printed); 1–4: priority. */
  priority: number;
  rank: number;
  /** Index of its block among the flow's children. */
  block: number;
  /** Index of the item among its list's items, for list items. */
  item: number | null;
  /** Its height at the floor size, in px (a list's own padding goes with its first item). */
  height: number;
  /** Indexes of the headings it sits under (among the flow's children), outermost first. */
  heads: number[];
}

/** What the selection needs from the layout. */
export interface SelectHooks {
  /** A column to measure in: empty, the sheet's width, unbounded height; removed by `done`. */
  measuringColumn(): { col: HTMLElement; height: number; done(): void };
  /** Lay this flow out; the pages it takes, as a continuous number (2.4), and whether columns are full. */
  layout(source: HTMLElement): { pages: number; fill: number };
  /** Columns not counting the last one: their used share (after `layout`). */
  columnFills(): { fill: number; next: Element | null }[];
}

export interface SelectOptions {
  pages: number;
  columns: number;
  /** Units Node asks to leave out whatever fits (the self-test: what the sheet left out). */
  omit?: number[];
}

/** Measured heights by block markup and column width: a rebuild measures only the blocks that changed. */
const measured = new Map<string, number[]>();

export function select(flow: HTMLElement, hooks: SelectHooks, opts: SelectOptions): { source: HTMLElement; selection: Selection } {
  const blocks = Array.from(flow.children) as HTMLElement[];
  const units = unitsIn(blocks);
  const { headHeights, attached, columnHeight } = measure(blocks, units, hooks);
  const omitted = new Set(opts.omit ?? []);
  const core = units.filter((u) => u.priority === 0);
  const ranked = units.filter((u) => u.priority !== 0 && !omitted.has(u.id)).sort((a, b) => a.rank - b.rank);
  const excluded = new Set<number>();

  const choose = (budget: number): Set<number> => {
    const chosen = new Set<number>();
    const heads = new Set<number>();
    let used = 0;
    const cost = (u: Unit) => {
      let c = u.height;
      for (const h of u.heads) if (!heads.has(h)) c += headHeights.get(h)! + (attached.get(h) ?? 0);
      return c;
    };
    const take = (u: Unit) => {
      used += cost(u);
      chosen.add(u.id);
      u.heads.forEach((h) => heads.add(h));
    };
    core.forEach(take);
    for (const u of ranked) if (!excluded.has(u.id) && used + cost(u) <= budget) take(u);
    return chosen;
  };

  const capacity = opts.pages * opts.columns * columnHeight;
  const total = units.reduce((sum, u) => sum + u.height, 0) + [...headHeights.values()].reduce((a, b) => a + b, 0);

  // The core alone: printed whatever else fits; more than the pages is the notes' to fix.
  const coreIds = new Set(core.map((u) => u.id));
  if (core.length) {
    const coreOnly = apply(flow, blocks, units, coreIds);
    const needs = Math.ceil(hooks.layout(coreOnly).fill - 1e-9);
    if (needs > opts.pages) {
      const heights = core.map((u): [number, number] => [u.id, u.height]);
      return { source: coreOnly, selection: selectionOf(units, coreIds, { pages: needs, columnHeight, heights }) };
    }
  }

  type Tried = { budget: number; chosen: Set<number>; fill: number; fits: boolean; source: HTMLElement };
  const attempt = (budget: number): Tried => {
    const chosen = choose(budget);
    const source = apply(flow, blocks, units, chosen);
    const r = hooks.layout(source);
    return { budget, chosen, fill: r.fill, fits: r.pages <= opts.pages, source };
  };
  // A budget step smaller than the smallest unit changes nothing.
  const step = Math.max(1, Math.min(...units.map((u) => u.height).filter((h) => h > 0)));
  const goal = opts.pages - 0.01;
  /** The largest budget whose choice fits the pages, searched against the real layout. */
  const search = (start: number): Tried => {
    let lo: Tried | null = null;
    let hi: Tried | null = null;
    let next = start;
    for (let i = 0; i < 12; i++) {
      const t = attempt(next);
      if (t.fits && (!lo || t.budget > lo.budget)) lo = t;
      if (!t.fits && (!hi || t.budget < hi.budget)) hi = t;
      if (t.fits && (t.budget >= total || t.fill >= goal)) break;
      if (lo && hi && hi.budget - lo.budget <= step) break;
      // The pages fill about in proportion to the budget: aim where this try says the goal is.
      next = t.budget * (goal / Math.max(t.fill, 0.01));
      const floor = lo ? lo.budget + step : 0;
      const ceiling = hi ? hi.budget - step : Infinity;
      if (next < floor || next > ceiling) next = hi ? (floor + ceiling) / 2 : floor * 1.1;
    }
    return lo ?? attempt(0);
  };

  let best = search(Math.min(total, capacity * 0.96));
  for (let round = 0; round < 3; round++) {
    // A column left less than 90% full before a block that could not be split there (an image,
    // a formula, a wide table): that block is larger than the space that was free. It goes, and
    // what follows fills the column.
    hooks.layout(best.source);
    const gaps = hooks
      .columnFills()
      .filter((c) => c.fill < 0.9 && c.next)
      .map((c) => unitAt(c.next!, units))
      .filter((u): u is Unit => u !== null && u.priority !== 0 && !excluded.has(u.id));
    if (gaps.length === 0) break;
    gaps.forEach((u) => excluded.add(u.id));
    best = search(best.budget);
  }
  hooks.layout(best.source);
  return { source: best.source, selection: selectionOf(units, best.chosen, null) };
}

function selectionOf(units: Unit[], chosen: Set<number>, core: Selection['core']): Selection {
  return {
    leftOut: units.filter((u) => !chosen.has(u.id)).map((u) => u.id),
    units: units.length,
    core,
  };
}

/** The unit an element of a laid-out page starts (a block, or a list's first item there). */
function unitAt(el: Element, units: Unit[]): Unit | null {
  const own = el.getAttribute('data-u');
  if (!own) return null;
  const first = el.matches('ul, ol') ? el.querySelector(':scope > li[data-unit]') : null;
  const id = Number(first ? first.getAttribute('data-unit') : own.split(' ')[0]!.split(':')[0]);
  return units.find((u) => u.id === id) ?? null;
}

/* --- measuring -------------------------------------------------------------------------- */

function unitsOf(block: HTMLElement): { id: number; priority: number; rank: number }[] {
  const own = block.getAttribute('data-u');
  if (!own) return [];
  return own.split(' ').map((part) => {
    const [id, priority, rank] = part.split(':').map(Number);
    return { id: id!, priority: priority!, rank: rank! };
  });
}

const isHeading = (el: Element) => el.classList.contains('t');
const depthOf = (el: Element) => Number(/\bt(\d)\b/.exec(el.className)?.[1] ?? 1);

/** The flow's units, in reading order, with the headings each sits under (heights not measured yet). */
function unitsIn(blocks: HTMLElement[]): Unit[] {
  const units: Unit[] = [];
  const open: number[] = [];
  blocks.forEach((block, i) => {
    if (isHeading(block)) {
      while (open.length && depthOf(blocks[open[open.length - 1]!]!) >= depthOf(block)) open.pop();
      open.push(i);
      return;
    }
    const own = unitsOf(block);
    const list = block.matches('ul, ol');
    own.forEach((u, j) => units.push({ ...u, block: i, item: list ? j : null, height: 0, heads: open.slice() }));
  });
  return units;
}

/**
 * Every block's height at the size the page has, in one layout: the whole flow in a column of
 * the sheet's width and unbounded height. A list's items are measured apart (its own padding
 * goes with its first item); blocks without units (a note's tags, footnotes) go with their heading.
 */
function measure(blocks: HTMLElement[], units: Unit[], hooks: SelectHooks) {
  const { col, height: columnHeight, done } = hooks.measuringColumn();
  const context = `${getComputedStyle(col).fontSize} ${col.clientWidth}\n`;
  const copies = blocks.map((b) => b.cloneNode(true) as HTMLElement);
  col.append(...copies);
  const tops = copies.map((c) => c.offsetTop);
  const end = col.scrollHeight;
  const heightAt = (i: number) => (i + 1 < tops.length ? tops[i + 1]! : end) - tops[i]!;
  const headHeights = new Map<number, number>();
  const attached = new Map<number, number>();
  const byBlock = new Map<number, Unit[]>();
  for (const u of units) byBlock.set(u.block, [...(byBlock.get(u.block) ?? []), u]);
  let head: number | null = null;
  blocks.forEach((block, i) => {
    if (isHeading(block)) {
      head = i;
      headHeights.set(i, heightAt(i));
      return;
    }
    const own = byBlock.get(i);
    if (!own) {
      if (head !== null) attached.set(head, (attached.get(head) ?? 0) + heightAt(i));
      return;
    }
    const key = context + block.outerHTML;
    let heights = measured.get(key);
    if (!heights) {
      const items = Array.from(copies[i]!.children).filter((c): c is HTMLElement => c.tagName === 'LI');
      if (own[0]!.item !== null && items.length === own.length) {
        const listEnd = copies[i]!.offsetTop + copies[i]!.offsetHeight;
        const each = items.map((li, j) => (j + 1 < items.length ? items[j + 1]!.offsetTop : listEnd) - li.offsetTop);
        const padding = heightAt(i) - each.reduce((a, b) => a + b, 0);
        heights = each.map((h, j) => (j === 0 ? h + padding : h));
      } else heights = own.map((_, j) => (j === 0 ? heightAt(i) : 0));
      measured.set(key, heights);
    }
    own.forEach((u, j) => (u.height = heights[j] ?? 0));
  });
  done();
  return { headHeights, attached, columnHeight };
}

/** The flow without the units `ids` (list items taken out of their lists, headings left empty gone). */
export function leaveOut(flow: HTMLElement, ids: number[]): HTMLElement {
  const blocks = Array.from(flow.children) as HTMLElement[];
  const units = unitsIn(blocks);
  const out = new Set(ids);
  return apply(flow, blocks, units, new Set(units.filter((u) => !out.has(u.id)).map((u) => u.id)));
}

/* --- the chosen flow ---------------------------------------------------------------------- */

/**
 * A copy of the flow with only the chosen units: list items left out are taken out of their
 * list (a numbered list keeps its numbers), headings with nothing chosen under them go too.
 */
function apply(flow: HTMLElement, blocks: HTMLElement[], units: Unit[], chosen: Set<number>): HTMLElement {
  const keepBlock = new Set<number>();
  const keepHead = new Set<number>();
  const dropItems = new Map<number, Set<number>>();
  for (const u of units) {
    if (chosen.has(u.id)) {
      keepBlock.add(u.block);
      u.heads.forEach((h) => keepHead.add(h));
    } else if (u.item !== null) {
      const set = dropItems.get(u.block) ?? new Set<number>();
      set.add(u.item);
      dropItems.set(u.block, set);
    }
  }
  // A section with no units at all but blocks of its own (the answer key, the glossary) is printed as it is.
  const withUnits = new Set(units.flatMap((u) => u.heads));
  let section: number | null = null;
  blocks.forEach((block, i) => {
    if (isHeading(block)) section = i;
    else if (section !== null && !block.hasAttribute('data-u') && !withUnits.has(section)) keepHead.add(section);
  });
  const out = flow.cloneNode(false) as HTMLElement;
  let head: number | null = null;
  blocks.forEach((block, i) => {
    if (isHeading(block)) {
      head = i;
      if (keepHead.has(i)) out.append(block.cloneNode(true));
      return;
    }
    const own = block.getAttribute('data-u');
    if (own ? !keepBlock.has(i) : head === null || !keepHead.has(head)) return;
    const copy = block.cloneNode(true) as HTMLElement;
    // Which unit each item is, for the gap check.
    if (own && (copy.tagName === 'UL' || copy.tagName === 'OL')) {
      const ids = own.split(' ').map((p) => p.split(':')[0]!);
      let j = 0;
      for (const li of Array.from(copy.children)) if (li.tagName === 'LI') li.setAttribute('data-unit', ids[j++] ?? '');
    }
    const drop = dropItems.get(i);
    if (drop) {
      const items = Array.from(copy.children).filter((c) => c.tagName === 'LI') as HTMLLIElement[];
      const ordered = copy.tagName === 'OL';
      const start = ordered ? (copy as HTMLOListElement).start || 1 : 1;
      items.forEach((li, j) => {
        if (drop.has(j)) li.remove();
        else if (ordered && !li.hasAttribute('value')) li.value = start + j;
      });
    }
    out.append(copy);
  });
  // What refers to units (an answer key's entries): gone with the units it names.
  out.querySelectorAll('[data-k]').forEach((el) => {
    if (
      el
        .getAttribute('data-k')!
        .split(' ')
        .every((id) => !chosen.has(Number(id)))
    )
      el.remove();
  });
  return out;
}
