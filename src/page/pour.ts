/*
 * The one layout loop of the page programs: pour blocks, in order, into boxes (the cheat sheet's
 * columns, a slide and its continuation slides). A block goes whole where it fits. Where it does
 * not, the policy says whether it moves on whole to the next box or is split at what fits (lists
 * between items, tables between rows, code between lines, paragraphs between words: split.ts), the
 * rest going on; a block that is alone in its box and can be neither is scaled to the room.
 * The layouts differ only in their boxes and their policy; what they note on the way (checkpoints,
 * blocks scaled below the floor) they keep in their own objects, passed in.
 */
import { firstAlone, split, tooBigToTry, type Parts } from './split.js';

/** Where blocks go: the current box, and the next one when it is full. */
export interface Boxes {
  current(): HTMLElement;
  /** Whether the current box holds what it has, nothing overflowing. */
  fits(): boolean;
  /** Nothing in the current box but what every box starts with (a header, a running head, headings carried on). */
  isEmpty(): boolean;
  /** Go on in a new box; `first` is the block that goes there first. */
  next(first: HTMLElement): void;
}

/** How a layout treats a block that does not fit where it is. */
export interface PourPolicy {
  /** A block comes up (a block of the flow, or the rest of a split one). */
  taking?(block: HTMLElement): void;
  /** Known not to fit whole without placing it (its start alone does not): split it at once. */
  knownTooBig?(block: HTMLElement): boolean;
  /** Placed whole: make it fit the box's width if it can (a wide formula set so that it wraps). */
  placed?(block: HTMLElement): void;
  /** It does not fit the room left: move it whole to the next box rather than split it. `measured`: it is in the box now. */
  movesWhole(block: HTMLElement, measured: boolean): boolean;
  /**
   * Split before trying it whole: a long list laid out whole at every box would cost its length
   * each time. The whole is tried only when all but its last child fit (then it may).
   */
  splitsFirst?(block: HTMLElement): boolean;
  /** A block was split: its head is in the box, its rest goes on. */
  split?(parts: Parts): void;
  /** The rest of a split block starts a new box (slides: a part ends where the split is) instead of trying this one. */
  restMovesOn: boolean;
  /** Alone in its box and still too big: it is in the box; scale it to the room. */
  scale(block: HTMLElement): void;
}

export function pour(queue: HTMLElement[], boxes: Boxes, policy: PourPolicy): void {
  const fitsWith = (node: HTMLElement) => {
    boxes.current().append(node);
    const ok = boxes.fits();
    node.remove();
    return ok;
  };
  /** Split `block` at what fits in the current box; the head is left there. */
  const splitHere = (block: HTMLElement): Parts | null => {
    const box = boxes.current();
    const parts = split(block, fitsWith, { place: (node) => box.append(node), fits: () => boxes.fits() });
    if (parts && parts[0].parentNode !== box) box.append(parts[0]);
    return parts;
  };
  const goOn = (parts: Parts) => {
    policy.split?.(parts);
    queue.unshift(parts[1]);
    if (policy.restMovesOn) boxes.next(parts[1]);
  };
  const moveOn = (block: HTMLElement) => {
    boxes.next(block);
    queue.unshift(block);
  };
  /** Alone in its box and too big: scaled; of a list, only its first item (the rest goes on as usual). */
  const scaleHere = (block: HTMLElement) => {
    const parts = firstAlone(block);
    boxes.current().append(parts ? parts[0] : block);
    policy.scale(parts ? parts[0] : block);
    if (parts) goOn(parts);
  };

  while (queue.length > 0) {
    const block = queue.shift()!;
    policy.taking?.(block);
    if (policy.splitsFirst?.(block)) {
      const whole = tooBigToTry(block) ? null : (block.cloneNode(true) as HTMLElement);
      const parts = splitHere(block);
      if (parts && whole && parts[1].children.length === 1) {
        parts[0].remove();
        if (fitsWith(whole)) {
          boxes.current().append(whole);
          continue;
        }
        boxes.current().append(parts[0]);
      }
      if (parts) goOn(parts);
      // `block` as it was: a split that fails changes nothing.
      else if (boxes.isEmpty()) scaleHere(block);
      else moveOn(block);
      continue;
    }
    let measured = false;
    if (!tooBigToTry(block) && !policy.knownTooBig?.(block)) {
      boxes.current().append(block);
      policy.placed?.(block);
      if (boxes.fits()) continue;
      measured = true;
    }
    const movesWhole = policy.movesWhole(block, measured);
    if (measured) block.remove();
    const empty = boxes.isEmpty();
    const parts = movesWhole && !empty ? null : splitHere(block);
    if (parts) goOn(parts);
    // Nothing else in the box yet: moving on would not help.
    else if (empty) scaleHere(block);
    else moveOn(block);
  }
}
