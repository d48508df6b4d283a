/*
 * Build-time slide fitter (needs split.js). Every slide of the deck is laid out
 * at the deck's size; a slide taller than the deck is split at block boundaries
 * into continuation slides "Title (2/3)" (lists between items, tables between
 * rows, code between lines, paragraphs between words), and a single block that
 * cannot be split, or is too wide, is scaled down. Never clipped.
 * The result, keyed by slide, is read back by the build and written to disk.
 */
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('sg-config').textContent);
  var H = config.height - config.safety;
  var W = config.width;

  function fitsSection(section) {
    return section.scrollHeight <= H && section.scrollWidth <= W + 1;
  }
  function isHeader(node) {
    return node.matches('.sg-title, .sg-crumbs, h1.sg-title, .sg-sub');
  }

  function fit(section) {
    var notes = section.querySelector(':scope > aside.notes');
    // A display formula wider than the slide wraps (set inline) before anything is split or scaled.
    window.StudySplit.wrapWideFormulas(section);
    if (fitsSection(section)) {
      study([section]);
      return [section];
    }
    if (notes) notes.remove();
    var children = Array.prototype.slice.call(section.children);
    var header = children.filter(isHeader);
    var queue = children.filter(function (c) { return !isHeader(c); });
    var parts = [];
    var cur = null;
    function newPart() {
      // A finished part stops being laid out: measuring the next one then costs the same
      // whether it is the 2nd or the 1,600th part (a 10,000-item list).
      if (cur) cur.classList.remove('sg-measuring');
      cur = section.cloneNode(false);
      cur.classList.add('sg-measuring');
      if (parts.length > 0) {
        cur.removeAttribute('id');
        cur.classList.add('sg-cont');
      }
      header.forEach(function (h) { cur.append(h.cloneNode(true)); });
      section.parentNode.insertBefore(cur, section);
      parts.push(cur);
      return cur;
    }
    newPart();
    // What is still to place stays in the original slide: hidden, it is not laid out again
    // with every measurement (a 10,000-item list took 24 ms a slide while it was).
    section.classList.remove('sg-measuring');
    var headerCount = header.length;
    while (queue.length > 0) {
      var block = queue.shift();
      var huge = window.StudySplit.tooBigToTry(block);
      if (!huge) {
        cur.append(block);
        if (fitsSection(cur)) continue;
        block.remove();
      }
      // On a slide, a block that fits a slide of its own moves there whole (easier to read
      // than a paragraph cut mid-way); only lists are split to fill the slide.
      var alone = cur.children.length <= headerCount;
      var isList = block.tagName === 'UL' || block.tagName === 'OL';
      if (!alone && !isList && !huge) {
        newPart();
        queue.unshift(block);
        continue;
      }
      var target = cur;
      var pieces = window.StudySplit.split(block, function (node) {
        target.append(node);
        var ok = fitsSection(target);
        node.remove();
        return ok;
      });
      if (pieces) {
        cur.append(pieces[0]);
        queue.unshift(pieces[1]);
        newPart();
        continue;
      }
      if (cur.children.length > headerCount) {
        newPart();
        queue.unshift(block);
        continue;
      }
      // Alone on a slide and still too big: scale it to the room left.
      cur.append(block);
      window.StudySplit.shrinkToFit(block, H - block.offsetTop, W);
    }
    // A part left holding only the header (the split ended exactly at a slide's end) is dropped.
    parts = parts.filter(function (p, i) {
      if (i > 0 && p.children.length <= headerCount) {
        p.remove();
        return false;
      }
      return true;
    });
    section.remove();
    if (parts.length > 1) {
      parts.forEach(function (p, i) {
        var title = p.querySelector('.sg-title');
        if (title) {
          var mark = document.createElement('span');
          mark.className = 'sg-part';
          mark.textContent = ' (' + (i + 1) + '/' + parts.length + ')';
          title.append(mark);
        }
      });
    }
    if (notes) parts[0].append(notes);
    study(parts);
    // Wide content that wraps no further (a 12-column table, a long unbroken line): scale it.
    parts.forEach(function (p) {
      p.classList.add('sg-measuring');
      Array.prototype.forEach.call(p.children, function (child) {
        if (child.scrollWidth > p.clientWidth + 1 || child.getBoundingClientRect().right > p.getBoundingClientRect().right + 1) {
          window.StudySplit.shrinkToFit(child, Infinity, p.clientWidth);
        }
      });
      p.classList.remove('sg-measuring');
    });
    return parts;
  }

  /**
   * Study-group behaviour: a section whose heading asks a question shows the
   * question first and the answer as one fragment; with `fragments`, list
   * items appear one by one.
   */
  function study(parts) {
    var first = parts[0];
    var title = first.querySelector('.sg-title');
    var question = first.classList.contains('sg-content') && title && /\?\s*$/.test(title.firstChild ? title.textContent.replace(/\s*\(\d+\/\d+\)$/, '') : '');
    var answer = question
      ? Array.prototype.filter.call(first.children, function (c) {
          return !isHeader(c) && c.tagName !== 'ASIDE';
        })
      : [];
    answer.forEach(function (block) {
      block.classList.add('fragment', 'sg-answer');
      block.setAttribute('data-fragment-index', '0');
    });
    // What the notes hide (a folded callout's body, a details answer) opens on the next key press;
    // it was measured open, so the slide fits either way.
    parts.forEach(function (part) {
      part.querySelectorAll('.callout-folded > .callout-body, .sg-details > .sg-details-body').forEach(function (body) {
        body.classList.add('fragment');
      });
    });
    if (!config.fragments) return;
    parts.forEach(function (part) {
      if (part === first && answer.length) return;
      part.querySelectorAll(':scope > ul > li, :scope > ol > li').forEach(function (li) {
        li.classList.add('fragment');
      });
    });
  }

  function run() {
    var result = {};
    var overflowing = [];
    // One slide in the document at a time, in a fresh container: Chromium keeps a cost per child
    // a container ever had, so measuring in the one that held all 10,000 slides of 5,000 notes
    // took 4 ms a slide, against 0.4 ms in a new one (70 s against 7 s).
    var sections = Array.prototype.slice.call(document.querySelectorAll('.slides > section'));
    var old = document.querySelector('.slides');
    var container = old.cloneNode(false);
    old.replaceWith(container);
    sections.forEach(function (section) {
      var key = section.getAttribute('data-key');
      container.append(section);
      section.classList.add('sg-measuring'); // its parts inherit the class while they are filled
      var parts = fit(section);
      result[key] = parts.map(function (p) {
        p.removeAttribute('data-key');
        p.classList.add('sg-measuring');
        if (!fitsSection(p)) overflowing.push(key);
        p.classList.remove('sg-measuring');
        return p.outerHTML;
      });
      parts.forEach(function (p) { p.remove(); });
    });
    window.studyguideFit = { slides: result, overflowing: overflowing };
    document.documentElement.setAttribute('data-fit', 'done');
  }

  var go = function () {
    window.StudySplit.loadKatexFaces(document)
      .then(function () {
        return document.fonts ? document.fonts.ready : null;
      })
      .then(run);
  };
  if (document.readyState === 'complete') go();
  else window.addEventListener('load', go);
})();
