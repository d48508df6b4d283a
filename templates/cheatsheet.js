/*
 * Cheat sheet layout (needs split.js): flows the blocks of #flow into explicit page boxes with
 * N columns each. Chromium cannot paginate a multi-column body (the columns
 * run off sideways and the PDF gets shrunk), so pages are built here, block by
 * block, measuring the real layout:
 *  - a heading is never the last thing in a column (it moves with what follows);
 *  - lists split between items, tables between rows, code between lines
 *    (with a visible continuation mark), paragraphs between words;
 *  - a block too tall for an empty column is scaled down, never clipped.
 * window.studyguide.layout({ fontPt }) lays out again (used to fit N pages).
 */
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('sg-config').textContent);
  var flow = document.getElementById('flow');
  var pagesRoot = document.getElementById('pages');
  // Laid out from a detached copy: the hidden flow's ids (topic anchors, footnotes) would come
  // first in the document, and a link (in the page and in the PDF) goes to the first element with its id.
  flow.remove();

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function makePage() {
    var page = el('section', 'page');
    var head = el('header', 'page-head');
    head.append(el('span', 'doc-title', config.title), el('span', 'where'));
    var cols = el('div', 'cols');
    for (var i = 0; i < config.columns; i++) cols.append(el('div', 'col'));
    var foot = el('footer', 'page-foot');
    foot.append(el('span', 'made', config.footer || ''), el('span', 'num'));
    page.append(head, cols, foot);
    page.topics = [];
    pagesRoot.append(page);
    return page;
  }

  function fits(col) {
    return col.scrollHeight <= col.clientHeight + 0.5;
  }
  function isHeading(node) {
    return node.nodeType === 1 && node.classList.contains('t');
  }
  function fitsWith(col, node) {
    col.append(node);
    var ok = fits(col);
    node.remove();
    return ok;
  }

  function split(item, col) {
    return window.StudySplit.split(item, function (node) {
      return fitsWith(col, node);
    });
  }
  function shrinkToFit(item, col) {
    window.StudySplit.shrinkToFit(item, col.clientHeight - item.offsetTop, col.clientWidth);
  }

  /* --- flow ------------------------------------------------------------- */

  /** Blocks kept whole when they fit in a column: moved on rather than split. */
  function keepWhole(item) {
    if (item.tagName === 'PRE' || item.tagName === 'TABLE' || item.tagName === 'FIGURE' || item.querySelector('img')) return true;
    if (item.tagName === 'UL' || item.tagName === 'OL') return item.children.length <= 4;
    return false;
  }

  /** A small running head at the top of a column that continues a topic. */
  function runningHead(path) {
    var head = el('div', 'col-head', path + ' (cont.)');
    head.setAttribute('aria-hidden', 'true');
    return head;
  }

  function layout(options) {
    if (options && options.fontPt) document.documentElement.style.setProperty('--fs', options.fontPt + 'pt');
    pagesRoot.textContent = '';
    var queue = Array.prototype.map.call(flow.children, function (n) {
      return n.cloneNode(true);
    });
    var page = makePage();
    var cols = page.querySelectorAll('.col');
    var ci = 0;
    var current = null; // top-level topic being laid out, for the page header
    var path = null; // topic path of the last heading placed, for running heads
    var shrunk = 0;

    function nextColumn(nextItem) {
      ci++;
      if (ci >= cols.length) {
        page = makePage();
        cols = page.querySelectorAll('.col');
        ci = 0;
        if (current) page.topics.push(current);
      }
      var col = cols[ci];
      if (path && !(isHeading(nextItem) && /\bt[01]\b/.test(nextItem.className))) col.append(runningHead(path));
      return col;
    }
    function contentless(col) {
      return Array.prototype.every.call(col.children, function (c) {
        return isHeading(c) || c.classList.contains('col-head');
      });
    }

    while (queue.length > 0) {
      var item = queue.shift();
      var col = cols[ci];
      if (isHeading(item)) {
        path = item.getAttribute('data-path');
        if (/\bt[01]\b/.test(item.className)) {
          current = item.textContent;
          if (page.topics.indexOf(current) < 0) page.topics.push(current);
        }
      }
      var fitsAColumn = false;
      if (!window.StudySplit.tooBigToTry(item)) {
        col.append(item);
        // A display formula wider than the column is set so that it wraps; what still does not fit
        // (a formula with no place to break, a diagram) is scaled to the column's width.
        if (item.scrollWidth > col.clientWidth + 1 && (item.matches('.sg-diagram') || item.querySelector('.katex, .sg-diagram'))) {
          window.StudySplit.wrapWideFormulas(item);
          if (item.scrollWidth > col.clientWidth + 1) window.StudySplit.shrinkToFit(item, Infinity, col.clientWidth);
        }
        if (fits(col)) continue;
        // Would it fit a whole column? Then code, tables, images and short lists move on whole.
        fitsAColumn = item.getBoundingClientRect().height <= col.clientHeight * 0.92;
        item.remove();
      }
      var empty = contentless(col);
      var parts = fitsAColumn && keepWhole(item) && !empty ? null : split(item, col);
      if (parts) {
        col.append(parts[0]);
        queue.unshift(parts[1]);
        continue;
      }
      if (empty) {
        // Nothing else in this column yet: moving on would not help. Place it and shrink it.
        col.append(item);
        shrinkToFit(item, col);
        shrunk++;
        continue;
      }
      var carried = [];
      while (col.lastElementChild && isHeading(col.lastElementChild)) carried.unshift(col.removeChild(col.lastElementChild));
      col = nextColumn(carried[0] || item);
      carried.forEach(function (h) { col.append(h); });
      queue.unshift(item);
    }

    var pages = pagesRoot.querySelectorAll('.page');
    pages.forEach(function (p, i) {
      p.querySelector('.num').textContent = 'page ' + (i + 1) + ' / ' + pages.length;
      p.querySelector('.where').textContent = p.topics.join(' · ');
    });
    flow.classList.add('done');
    return {
      pages: pages.length,
      fill: fill(pages[pages.length - 1], pages.length),
      fontPt: Math.round(parseFloat(getComputedStyle(document.body).fontSize) * 0.75 * 100) / 100,
      shrunk: shrunk,
      stranded: stranded(),
    };
  }

  /** Pages used as a continuous number: full pages plus the used share of the last one. */
  function fill(lastPage, count) {
    var cols = lastPage.querySelectorAll('.col');
    var used = 0;
    cols.forEach(function (col) {
      var last = col.lastElementChild;
      // .col is the offset parent of its blocks (position: relative).
      if (last) used += Math.min(1, (last.offsetTop + last.offsetHeight) / col.clientHeight);
    });
    return count - 1 + used / cols.length;
  }

  /**
   * The largest body size (to 0.05 pt) at which the sheet takes at most
   * `pages` pages, not below `minPt`. Text area grows with the square of the
   * size, so each step interpolates in size² between the closest sizes known
   * to fit and not to fit; the real layout decides every step.
   */
  function fitPages(opts) {
    var target = opts.pages;
    var step = 0.05;
    var round = function (f) {
      return parseFloat((Math.round(f / step) * step).toFixed(2));
    };
    var lo = null; // largest tried size that fits
    var hi = null; // smallest tried size that does not
    var tries = 0;
    function attempt(f) {
      if (!isFinite(f)) f = opts.startPt;
      f = Math.min(opts.maxPt, Math.max(opts.minPt, round(f)));
      var r = layout({ fontPt: f });
      r.size = f;
      last = r;
      tries++;
      if (r.pages <= target) {
        if (!lo || f > lo.size) lo = r;
      } else if (!hi || f < hi.size) hi = r;
      return r;
    }
    var first = window.studyguide.result;
    first.size = opts.startPt;
    var last = first;
    if (first.pages <= target) lo = first;
    else hi = first;
    var goal = target - 0.04; // aim a little under the limit: the last column then has room to spare
    var guess = function (r) {
      return r.size * Math.sqrt(goal / r.fill);
    };
    var next = guess(first);
    for (var i = 0; i < 8; i++) {
      if (lo && hi && hi.size - lo.size <= step * 1.5) break;
      // The last page is (nearly) full at a size that fits: within a percent of the best.
      if (lo && lo.fill >= target - 0.05) break;
      if (lo && lo.size >= opts.maxPt) break;
      if (hi && hi.size <= opts.minPt) break;
      var r = attempt(next);
      if (lo && hi) {
        var a = lo.size * lo.size;
        var b = hi.size * hi.size;
        var t = (goal - lo.fill) / (hi.fill - lo.fill);
        next = Math.sqrt(a + (b - a) * Math.min(0.9, Math.max(0.1, t)));
        if (round(next) <= lo.size) next = lo.size + step;
        if (round(next) >= hi.size) next = hi.size - step;
      } else if (lo) next = Math.max(guess(r), lo.size + step);
      else next = Math.min(guess(r), hi.size - step);
    }
    if (!lo && !(hi && hi.size <= opts.minPt)) attempt(opts.minPt);
    // Nothing fits even at the floor: print at the floor, on the pages it needs.
    var chosen = lo || hi;
    if (last !== chosen) {
      var size = chosen.size;
      chosen = layout({ fontPt: size });
      chosen.size = size;
    }
    chosen.fitted = chosen.pages <= target;
    chosen.tries = tries;
    return (window.studyguide.result = chosen);
  }

  /** Headings that end a column (should be none): for tests and checks. */
  function stranded() {
    var out = [];
    pagesRoot.querySelectorAll('.col').forEach(function (col) {
      var last = col.lastElementChild;
      var next = col.nextElementSibling || nextPageFirstCol(col);
      if (last && isHeading(last) && next && next.firstElementChild) out.push(last.textContent);
    });
    return out;
  }
  function nextPageFirstCol(col) {
    var page = col.closest('.page').nextElementSibling;
    return page ? page.querySelector('.col') : null;
  }

  /*
   * The flow is hidden, so nothing asks for the fonts before the first layout:
   * load the faces (and unicode ranges) the text needs first, or the layout
   * would be measured with fallback fonts and printed with others.
   */
  function loadFonts() {
    if (!document.fonts) return Promise.resolve();
    // The characters of the notes plus the glyphs the stylesheet adds (::before/::after
    // content), each once: that is all the faces' unicode ranges need to know.
    var seen = {};
    var text = '';
    var all = (flow.textContent || 'a') + (config.cssGlyphs || '');
    for (var i = 0; i < all.length; i++) {
      var c = all.charCodeAt(i);
      var ch = c >= 0xd800 && c <= 0xdbff ? all.slice(i, ++i + 1) : all[i];
      if (!seen[ch]) {
        seen[ch] = true;
        text += ch;
      }
    }
    var specs = config.fontSpecs || [];
    var loads = specs.map(function (spec) {
      return document.fonts.load(spec, text).catch(function () {});
    });
    loads.push(window.StudySplit.loadKatexFaces(flow));
    return Promise.all(loads).then(function () {
      return document.fonts.ready;
    });
  }

  function loadedFaces() {
    if (!document.fonts) return 0;
    var n = 0;
    document.fonts.forEach(function (face) {
      if (face.status === 'loaded') n++;
    });
    return n;
  }

  function whenReady(fn) {
    var go = function () {
      loadFonts().then(fn);
    };
    if (document.readyState === 'complete') go();
    else window.addEventListener('load', go);
  }

  /** Images of the flow, loaded (or failed): their size is needed before measuring. */
  function imagesSettled() {
    return Promise.all(
      Array.prototype.map.call(flow.querySelectorAll('img'), function (img) {
        return img.complete ? null : new Promise(function (resolve) {
          img.addEventListener('load', resolve);
          img.addEventListener('error', resolve);
        });
      }),
    );
  }

  /**
   * Watch mode: take the flow of a newly built sheet (same template and
   * settings) and lay it out again, without reloading the page and its fonts.
   */
  function update(html) {
    var next = new DOMParser().parseFromString(html, 'text/html').getElementById('flow');
    flow.innerHTML = next ? next.innerHTML : '';
    return imagesSettled()
      .then(loadFonts)
      .then(function () {
        return (window.studyguide.result = layout({ fontPt: config.fontPt }));
      });
  }

  window.studyguide = {
    update: update,
    layout: function (options) {
      return (window.studyguide.result = layout(options));
    },
    fitPages: fitPages,
    stranded: stranded,
    result: null,
  };
  whenReady(function () {
    window.studyguide.result = layout({ fontPt: config.fontPt });
    // Laid-out text may still pull in a face (a bold run in another script): lay out again if so.
    var faces = loadedFaces();
    (document.fonts ? document.fonts.ready : Promise.resolve()).then(function () {
      if (loadedFaces() !== faces) window.studyguide.result = layout({ fontPt: config.fontPt });
      document.documentElement.setAttribute('data-layout', 'done');
    });
  });
})();
