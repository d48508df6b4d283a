/*
 * Splitting blocks that do not fit, shared by the cheat sheet layout and the
 * slide fitter. `split(item, fitsWith)` returns [head, rest] where `head` is
 * the largest part that `fitsWith(head)` accepts, or null when the block
 * cannot be split there:
 *   lists between items (nesting kept, numbering continued), tables between
 *   rows (header repeated), code between lines, paragraphs between sentences,
 *   else words.
 * Split parts are marked: the head `.continues`, the rest `.cont`.
 * `item` must be detached; it may be reused as the rest. The search gallops
 * from small heads up, so a split costs about the size of the head, not of
 * the block: a 10,000-item list or a 1 MB paragraph splits as fast as a short one.
 */
(function () {
  'use strict';

  /** Text offsets further than this cannot fit one column or slide at any legible size. */
  var MAX_HEAD_CHARS = 40000;

  /**
   * Largest i in [lo, hi] with ok(i), for ok true up to some i and false after; -1 if none.
   * `hint` (the answer of the previous split of the same block) is tried first: the pieces
   * of a long uniform list are alike, so most splits then cost two layouts, not six.
   */
  function largestFitting(ok, lo, hi, hint) {
    if (lo > hi) return -1;
    var good;
    if (hint > lo && hint <= hi) {
      if (ok(hint)) good = hint;
      else hi = hint - 1;
    }
    if (good === undefined) {
      if (!ok(lo)) return -1;
      good = lo;
    }
    var step = 1;
    for (;;) {
      var probe = Math.min(hi, good + step);
      if (probe === good) break;
      if (ok(probe)) {
        good = probe;
        step *= 2;
      } else {
        hi = probe - 1;
        break;
      }
    }
    while (good < hi) {
      var mid = (good + hi + 1) >> 1;
      if (ok(mid)) good = mid;
      else hi = mid - 1;
    }
    return good;
  }

  function locate(root, offset) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      var len = walker.currentNode.data.length;
      if (offset <= len) return { node: walker.currentNode, offset: offset };
      offset -= len;
    }
    return { node: root, offset: root.childNodes.length };
  }

  /** A copy of `item` holding only the text range [from, to) of its part `selector` (or of itself). */
  function slice(item, selector, from, to) {
    var source = selector ? item.querySelector(selector) : item;
    var range = document.createRange();
    var start = from === 0 ? { node: source, offset: 0 } : locate(source, from);
    var end = to === null ? { node: source, offset: source.childNodes.length } : locate(source, to);
    range.setStart(start.node, start.offset);
    range.setEnd(end.node, end.offset);
    var copy = item.cloneNode(false);
    var inner = selector ? source.cloneNode(false) : copy;
    if (selector) copy.append(inner);
    inner.append(range.cloneContents());
    return copy;
  }

  /** Split at the last text boundary where the head fits; `headClass` is set while measuring (it may add a mark). */
  function splitText(item, fitsWith, selector, boundaries, minHead, headClass) {
    var head = function (j) {
      var h = slice(item, selector, 0, boundaries[j]);
      if (headClass) h.classList.add(headClass);
      return h;
    };
    var i = largestFitting(function (j) { return fitsWith(head(j)); }, 0, boundaries.length - 1, item.sgSplitHint);
    if (i < 0 || boundaries[i] < minHead) return null;
    var rest = slice(item, selector, boundaries[i], null);
    rest.sgSplitHint = i;
    return [head(i), rest];
  }

  /** Offsets in `text` (up to MAX_HEAD_CHARS) where `at(text, i)` says a piece may start. */
  function offsets(text, at) {
    var out = [];
    var end = Math.min(text.length, MAX_HEAD_CHARS);
    for (var i = 1; i < end; i++) if (at(text, i)) out.push(i);
    return out;
  }

  /** Text ranges [start, end) of `item` inside elements that must stay whole (KaTeX formulas, SVG, tags). */
  function atomicRanges(item) {
    var out = [];
    if (!item.querySelector('.katex, svg, .sg-tag')) return out;
    var walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
    var pos = 0;
    while (walker.nextNode()) {
      var node = walker.currentNode;
      var atom = node.parentElement && node.parentElement.closest('.katex, svg, .sg-tag');
      if (atom) {
        var last = out[out.length - 1];
        if (last && last[2] === atom) last[1] = pos + node.data.length;
        else out.push([pos, pos + node.data.length, atom]);
      }
      pos += node.data.length;
    }
    return out;
  }

  /** Between sentences when one fits, else between words. */
  function splitParagraph(item, fitsWith) {
    var text = item.textContent;
    var word = function (t, i) {
      return /\s/.test(t[i - 1]) && !/\s/.test(t[i]);
    };
    var sentence = function (t, i) {
      return word(t, i) && /[.!?;:]\s+$/.test(t.slice(Math.max(0, i - 4), i));
    };
    // A formula (or a chip) is never cut: no piece starts inside one.
    var atoms = atomicRanges(item);
    if (atoms.length) {
      var plain = word;
      word = function (t, i) {
        return plain(t, i) && !atoms.some(function (r) { return r[0] < i && i < r[1]; });
      };
    }
    var parts = splitText(item, fitsWith, null, offsets(text, sentence), 12) || splitText(item, fitsWith, null, offsets(text, word), 12);
    if (parts) parts[1].classList.add('cont-p');
    return parts;
  }

  /** Between lines, keeping at least two together. */
  function splitCode(item, fitsWith) {
    var selector = item.querySelector('code') ? 'code' : null;
    var text = (selector ? item.querySelector(selector) : item).textContent;
    var lines = 0;
    var bounds = offsets(text, function (t, i) {
      return t[i - 1] === '\n' && ++lines >= 2 && i < t.length;
    });
    var parts = splitText(item, fitsWith, selector, bounds, 0, 'continues');
    if (parts) mark(parts);
    return parts;
  }

  function childrenMatching(node, selector) {
    return Array.prototype.filter.call(node.children, function (c) {
      return c.matches(selector);
    });
  }

  /** Between children (list items, table rows): the head is built from the first k, the rest is `item` without them. */
  function splitChildren(item, fitsWith, container, childSelector, adjustRest) {
    var box = container(item);
    var children = childrenMatching(box, childSelector);
    if (children.length < 2) return null;
    // The frame: the block without the children being split (a table keeps its header). Built once.
    var split = new Set(children);
    var frame = item.cloneNode(false);
    var frameBox = frame;
    Array.prototype.forEach.call(item.childNodes, function (child) {
      if (box !== item && child === box) frame.append((frameBox = child.cloneNode(false)));
      else if (!split.has(child) && (box !== item || child.nodeType === 1)) frame.append(child.cloneNode(true));
    });
    var boxPath = frameBox === frame ? null : Array.prototype.indexOf.call(frame.childNodes, frameBox);
    var head = function (k) {
      var copy = frame.cloneNode(true);
      var target = boxPath === null ? copy : copy.childNodes[boxPath];
      for (var i = 0; i < k; i++) target.append(children[i].cloneNode(true));
      copy.classList.add('continues'); // measured with its continuation mark
      return copy;
    };
    var k = largestFitting(function (n) { return fitsWith(head(n)); }, 1, children.length - 1, item.sgSplitHint);
    if (k < 1) return null;
    item.sgSplitHint = k; // `item` goes on as the rest
    var first = head(k);
    var done = document.createRange(); // one removal, not k (a 10,000-item list splits many times)
    done.setStartBefore(children[0]);
    done.setEndAfter(children[k - 1]);
    done.deleteContents();
    if (adjustRest) adjustRest(item, k);
    mark([first, item]);
    return [first, item];
  }

  function mark(parts) {
    parts[0].classList.add('continues');
    parts[1].classList.add('cont');
  }
  function self(node) {
    return node;
  }
  function tbody(node) {
    return node.tBodies[0] || node;
  }

  function split(item, fitsWith) {
    switch (item.tagName) {
      case 'UL':
        return splitChildren(item, fitsWith, self, 'li');
      case 'OL': {
        var start = parseInt(item.getAttribute('start') || '1', 10) || 1;
        return splitChildren(item, fitsWith, self, 'li', function (rest, k) {
          rest.setAttribute('start', String(start + k));
        });
      }
      case 'TABLE':
        return splitChildren(item, fitsWith, tbody, 'tr');
      case 'PRE':
        return splitCode(item, fitsWith);
      case 'BLOCKQUOTE':
        return splitChildren(item, fitsWith, self, '*');
      case 'P':
        return item.querySelector('img') ? null : splitParagraph(item, fitsWith);
      default:
        return null;
    }
  }

  /** Last resort for a block taller (or wider) than the room it has: scale it down, never clip it. */
  function shrinkToFit(item, availableHeight, availableWidth) {
    var scale = 1;
    if (item.scrollHeight > availableHeight && availableHeight > 0) scale = Math.min(scale, availableHeight / item.scrollHeight);
    if (availableWidth && item.scrollWidth > availableWidth) scale = Math.min(scale, availableWidth / item.scrollWidth);
    if (scale >= 1) return 1;
    scale = Math.max(0.25, scale * 0.98);
    item.style.zoom = String(scale);
    item.classList.add('scaled');
    return scale;
  }

  /**
   * A block far larger than any column or slide (a 10,000-item list, a 1 MB
   * line): callers split it straight away instead of laying it out whole first.
   */
  function tooBigToTry(item) {
    return item.childElementCount > 400 || (item.textContent || '').length > MAX_HEAD_CHARS;
  }

  /**
   * Display formulas in `item` wider than the room they have are shown in their
   * wrappable form (set inline, breaking after = and +; see src/render/math.ts).
   * Returns whether any was changed.
   */
  function wrapWideFormulas(item) {
    var changed = false;
    var formulas = item.matches('.sg-math-display') ? [item] : Array.prototype.slice.call(item.querySelectorAll('.sg-math-display'));
    formulas.forEach(function (formula) {
      if (formula.classList.contains('wrapped') || !formula.querySelector(':scope > .sg-math-wrap')) return;
      if (formula.scrollWidth > formula.clientWidth + 1) {
        formula.classList.add('wrapped');
        changed = true;
      }
    });
    return changed;
  }

  /**
   * KaTeX's faces are asked for only once a formula is laid out: where `root`
   * has math, load them all before measuring, or it is measured with fallbacks.
   */
  function loadKatexFaces(root) {
    if (!document.fonts || !root.querySelector('.katex')) return Promise.resolve();
    var loads = [];
    document.fonts.forEach(function (face) {
      if (/KaTeX/.test(face.family)) loads.push(face.load().catch(function () {}));
    });
    return Promise.all(loads);
  }

  window.StudySplit = { split: split, shrinkToFit: shrinkToFit, tooBigToTry: tooBigToTry, wrapWideFormulas: wrapWideFormulas, loadKatexFaces: loadKatexFaces };
})();
