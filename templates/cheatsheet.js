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
    var shrunk = 0;

    function nextColumn() {
      ci++;
      if (ci >= cols.length) {
        page = makePage();
        cols = page.querySelectorAll('.col');
        ci = 0;
        if (current) page.topics.push(current);
      }
      return cols[ci];
    }

    while (queue.length > 0) {
      var item = queue.shift();
      var col = cols[ci];
      if (isHeading(item) && (item.classList.contains('t1') || item.classList.contains('t0'))) {
        current = item.textContent;
        if (page.topics.indexOf(current) < 0) page.topics.push(current);
      }
      col.append(item);
      if (fits(col)) continue;
      item.remove();
      var parts = split(item, col);
      if (parts) {
        col.append(parts[0]);
        queue.unshift(parts[1]);
        continue;
      }
      var onlyHeadings = Array.prototype.every.call(col.children, isHeading);
      if (onlyHeadings) {
        // Nothing else in this column yet: moving on would not help. Place it and shrink it.
        col.append(item);
        shrinkToFit(item, col);
        shrunk++;
        continue;
      }
      var carried = [];
      while (col.lastElementChild && isHeading(col.lastElementChild)) carried.unshift(col.lastElementChild);
      col = nextColumn();
      carried.forEach(function (h) { col.append(h); });
      queue.unshift(item);
    }

    var pages = pagesRoot.querySelectorAll('.page');
    pages.forEach(function (p, i) {
      p.querySelector('.num').textContent = 'page ' + (i + 1) + ' / ' + pages.length;
      p.querySelector('.where').textContent = p.topics.join(' · ');
    });
    flow.classList.add('done');
    return { pages: pages.length, fontPt: parseFloat(getComputedStyle(document.body).fontSize) * 0.75, shrunk: shrunk, stranded: stranded() };
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

  function whenReady(fn) {
    var go = function () {
      (document.fonts ? document.fonts.ready : Promise.resolve()).then(fn);
    };
    if (document.readyState === 'complete') go();
    else window.addEventListener('load', go);
  }

  window.studyguide = { layout: layout, stranded: stranded, result: null };
  whenReady(function () {
    window.studyguide.result = layout({ fontPt: config.fontPt });
    document.documentElement.setAttribute('data-layout', 'done');
  });
})();
