/*
 * Splitting blocks that do not fit, shared by the cheat sheet layout and the
 * slide fitter. `split(item, fitsWith)` returns [head, rest] where `head` is
 * the largest part that `fitsWith(head)` accepts, or null when the block
 * cannot be split there:
 *   lists between items (nesting kept, numbering continued), tables between
 *   rows (header repeated), code between lines, paragraphs between words.
 * Split parts are marked: the head `.continues`, the rest `.cont`.
 */
(function () {
  'use strict';

  function textNodes(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var out = [];
    while (walker.nextNode()) out.push(walker.currentNode);
    return out;
  }
  function locate(root, offset) {
    var nodes = textNodes(root);
    for (var i = 0; i < nodes.length; i++) {
      var len = nodes[i].data.length;
      if (offset <= len) return { node: nodes[i], offset: offset };
      offset -= len;
    }
    return { node: root, offset: root.childNodes.length };
  }
  /** Cut `item` at a text offset of its part matched by `selector`: [head, rest]. */
  function cutText(item, selector, offset) {
    var head = item.cloneNode(true);
    var rest = item.cloneNode(true);
    var hc = selector ? head.querySelector(selector) : head;
    var rc = selector ? rest.querySelector(selector) : rest;
    var r1 = document.createRange();
    var at1 = locate(hc, offset);
    r1.setStart(at1.node, at1.offset);
    r1.setEnd(hc, hc.childNodes.length);
    r1.deleteContents();
    var r2 = document.createRange();
    var at2 = locate(rc, offset);
    r2.setStart(rc, 0);
    r2.setEnd(at2.node, at2.offset);
    r2.deleteContents();
    return [head, rest];
  }
  /** Largest i in [lo, hi] for which fitsWith(make(i)); -1 if none (binary search: fitting is monotonic). */
  function largestFitting(fitsWith, lo, hi, make) {
    var best = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (fitsWith(make(mid))) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  /** Split at the last text boundary where the head fits; `headClass` is set while measuring (it may add a mark). */
  function splitText(item, fitsWith, selector, boundaries, minHead, headClass) {
    if (boundaries.length === 0) return null;
    var head = function (j) {
      var h = cutText(item, selector, boundaries[j])[0];
      if (headClass) h.classList.add(headClass);
      return h;
    };
    var i = largestFitting(fitsWith, 0, boundaries.length - 1, head);
    if (i < 0 || boundaries[i] < minHead) return null;
    var parts = cutText(item, selector, boundaries[i]);
    if (headClass) parts[0].classList.add(headClass);
    return parts;
  }

  /** Between sentences when one fits, else between words. */
  function splitParagraph(item, fitsWith) {
    var text = item.textContent;
    var words = [];
    var sentences = [];
    for (var i = 1; i < text.length; i++) {
      if (/\s/.test(text[i - 1]) && !/\s/.test(text[i])) {
        words.push(i);
        if (/[.!?;:]\s+$/.test(text.slice(Math.max(0, i - 4), i))) sentences.push(i);
      }
    }
    var parts = splitText(item, fitsWith, null, sentences, 12) || splitText(item, fitsWith, null, words, 12);
    if (parts) parts[1].classList.add('cont-p');
    return parts;
  }

  function splitCode(item, fitsWith) {
    var selector = item.querySelector('code') ? 'code' : null;
    var text = (selector ? item.querySelector(selector) : item).textContent;
    var bounds = [];
    var lines = 0;
    for (var i = 0; i < text.length - 1; i++) {
      if (text[i] === '\n') {
        lines++;
        if (lines >= 2) bounds.push(i + 1); // at least two lines stay together
      }
    }
    var parts = splitText(item, fitsWith, selector, bounds, 0, 'continues');
    if (parts) mark(parts);
    return parts;
  }

  function childrenMatching(node, selector) {
    return Array.prototype.filter.call(node.children, function (c) {
      return c.matches(selector);
    });
  }

  function splitChildren(item, fitsWith, container, childSelector, adjustRest) {
    var count = childrenMatching(container(item), childSelector).length;
    if (count < 2) return null;
    var keepFirst = function (node, k) {
      childrenMatching(container(node), childSelector).slice(k).forEach(function (c) { c.remove(); });
      node.classList.add('continues'); // measured with its continuation mark
      return node;
    };
    var k = largestFitting(fitsWith, 1, count - 1, function (n) {
      return keepFirst(item.cloneNode(true), n);
    });
    if (k < 1) return null;
    var head = keepFirst(item.cloneNode(true), k);
    var rest = item.cloneNode(true);
    childrenMatching(container(rest), childSelector).slice(0, k).forEach(function (c) { c.remove(); });
    if (adjustRest) adjustRest(rest, k);
    mark([head, rest]);
    return [head, rest];
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
      case 'OL':
        return splitChildren(item, fitsWith, self, 'li', function (rest, k) {
          rest.setAttribute('start', String((parseInt(item.getAttribute('start') || '1', 10) || 1) + k));
        });
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

  window.StudySplit = { split: split, shrinkToFit: shrinkToFit };
})();
