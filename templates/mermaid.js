/*
 * Mermaid render page (src/render/mermaid.ts), plain ES5-ish JS so it needs no build step.
 * `render(jobs, configs)` renders one diagram after the other, each with its
 * own seeded Math.random, and returns `{ svg, width, height }` or `{ error }`.
 */
(function () {
  'use strict';
  var PAINT = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'stroke-linecap', 'stroke-linejoin', 'stroke-miterlimit', 'opacity'];
  var round = function (n) { return Math.round(n * 1000) / 1000; };

  // Layouts that jitter (hand-drawn strokes) come out the same for the same diagram.
  function seededRandom(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function markerOf(svg, value) {
    var m = /^url\(["']?#([^"')]+)["']?\)$/.exec(value || '');
    return m ? svg.querySelector('marker[id="' + CSS.escape(m[1]) + '"]') : null;
  }

  // A copy that keeps the look it had inside the marker (styles there come from the marker's selectors).
  function styledCopy(node) {
    var copy = node.cloneNode(false);
    copy.removeAttribute('id');
    var style = getComputedStyle(node);
    copy.setAttribute('style', PAINT.map(function (p) { return p + ':' + style.getPropertyValue(p); }).join(';'));
    Array.prototype.forEach.call(node.childNodes, function (child) {
      copy.append(child.nodeType === 1 ? styledCopy(child) : child.cloneNode(true));
    });
    return copy;
  }

  // The marker's content drawn at one end of el, as SVG would place it (refX/refY on the vertex, along the path).
  function bake(el, marker, atStart) {
    var length = el.getTotalLength();
    var delta = Math.min(0.5, length / 2);
    var p = el.getPointAtLength(atStart ? 0 : length);
    var q = el.getPointAtLength(atStart ? delta : length - delta);
    var tangent = (Math.atan2(atStart ? q.y - p.y : p.y - q.y, atStart ? q.x - p.x : p.x - q.x) * 180) / Math.PI;
    var orient = marker.getAttribute('orient') || '0';
    var angle = orient === 'auto' ? tangent : orient === 'auto-start-reverse' ? tangent + (atStart ? 180 : 0) : parseFloat(orient) || 0;
    var units = marker.getAttribute('markerUnits') === 'userSpaceOnUse' ? 1 : parseFloat(getComputedStyle(el).strokeWidth) || 1;
    var vb = marker.viewBox.baseVal;
    var sx = 1;
    var sy = 1;
    if (vb && vb.width > 0 && vb.height > 0) {
      sx = marker.markerWidth.baseVal.value / vb.width;
      sy = marker.markerHeight.baseVal.value / vb.height;
      if (marker.preserveAspectRatio.baseVal.align !== 1) sx = sy = Math.min(sx, sy); // 1 is "none"
    }
    var g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    g.setAttribute('class', ((marker.getAttribute('class') || '') + ' sg-marker').trim());
    var own = el.getAttribute('transform');
    g.setAttribute('transform', (own ? own + ' ' : '') + 'translate(' + round(p.x) + ',' + round(p.y) + ') rotate(' + round(angle) + ') scale(' +
      round(units * sx) + ',' + round(units * sy) + ') translate(' + round(-marker.refX.baseVal.value) + ',' + round(-marker.refY.baseVal.value) + ')');
    Array.prototype.forEach.call(marker.children, function (child) { g.append(styledCopy(child)); });
    el.after(g);
  }

  // Arrowheads drawn in place, not through <marker> references: a page holding a hidden copy of the diagram
  // (the cheat sheet's flow) resolves the references to that copy, which does not paint.
  function bakeMarkers(svg) {
    Array.prototype.forEach.call(svg.querySelectorAll('path, line, polyline, polygon'), function (el) {
      if (typeof el.getTotalLength !== 'function') return;
      var style = getComputedStyle(el);
      [['markerStart', 'marker-start', true], ['markerEnd', 'marker-end', false]].forEach(function (end) {
        var marker = markerOf(svg, style[end[0]]);
        if (!marker) return;
        bake(el, marker, end[2]);
        el.removeAttribute(end[1]);
        el.style.setProperty(end[1], 'none');
      });
    });
    if (!svg.querySelector('[marker-mid]')) svg.querySelectorAll('marker').forEach(function (m) { m.remove(); });
  }

  // mermaid numbers some ids with counters that live as long as the page, and leaves some unprefixed:
  // prefix every id with the diagram's and renumber its last number by rank, so ids depend on the diagram alone.
  function canonicalIds(svg) {
    var root = svg.id;
    var items = [];
    var groups = {};
    svg.querySelectorAll('[id]').forEach(function (el) {
      var rest = el.id.indexOf(root) === 0 ? el.id.slice(root.length) : '-' + el.id;
      var m = /^(.*?)(\d+)(\D*)$/.exec(rest);
      var item = { el: el, old: el.id, rest: rest, m: m };
      items.push(item);
      if (m) (groups[m[1] + '\u0000' + m[3]] = groups[m[1] + '\u0000' + m[3]] || []).push(item);
    });
    Object.keys(groups).forEach(function (key) {
      var numbers = groups[key].map(function (i) { return Number(i.m[2]); });
      var ranks = numbers.slice().sort(function (a, b) { return a - b; }).filter(function (n, i, all) { return i === 0 || all[i - 1] !== n; });
      groups[key].forEach(function (i) { i.rest = i.m[1] + ranks.indexOf(Number(i.m[2])) + i.m[3]; });
    });
    var renamed = {};
    items.forEach(function (i) {
      var next = root + i.rest;
      if (next !== i.old) renamed[i.old] = next;
    });
    if (Object.keys(renamed).length === 0) return;
    items.forEach(function (i) { i.el.id = root + i.rest; });
    var refs = function (value) {
      return value.replace(/url\((["']?)#([^"')]+)\1\)/g, function (all, q, id) {
        return renamed[id] ? 'url(' + q + '#' + renamed[id] + q + ')' : all;
      });
    };
    [svg].concat(Array.prototype.slice.call(svg.querySelectorAll('*'))).forEach(function (el) {
      Array.prototype.forEach.call(el.attributes, function (attr) {
        var v = attr.value;
        var next = v;
        if (/href$/.test(attr.name) && v.charAt(0) === '#') next = '#' + (renamed[v.slice(1)] || v.slice(1));
        else if (/^aria-(labelledby|describedby)$/.test(attr.name)) next = v.split(/\s+/).map(function (id) { return renamed[id] || id; }).join(' ');
        else if (v.indexOf('url(') >= 0) next = refs(v);
        if (next !== v) attr.value = next;
      });
      if (el.tagName === 'style') el.textContent = refs(el.textContent);
    });
  }

  // Natural size as width/height; the page may shrink it (max-width: 100%) and the stylesheets size it to the text.
  function size(svg) {
    var vb = svg.viewBox.baseVal;
    if (!vb || !(vb.width > 0) || !(vb.height > 0)) return { width: 0, height: 0 };
    svg.setAttribute('width', String(round(vb.width)));
    svg.setAttribute('height', String(round(vb.height)));
    svg.style.setProperty('max-width', '100%');
    svg.style.setProperty('height', 'auto');
    return { width: round(vb.width), height: round(vb.height) };
  }

  async function renderOne(job, config) {
    var mermaid = window.mermaid;
    mermaid.initialize(config);
    await mermaid.parse(job.code);
    var out = await mermaid.render(job.id, job.code);
    var box = document.createElement('div');
    box.className = 'sg-box';
    box.innerHTML = out.svg;
    document.body.append(box);
    try {
      var svg = box.querySelector('svg');
      if (!svg) throw new Error('mermaid returned no SVG');
      bakeMarkers(svg);
      canonicalIds(svg);
      var natural = size(svg);
      return { svg: svg.outerHTML, width: natural.width, height: natural.height };
    } finally {
      box.remove();
    }
  }

  window.studyguideMermaid = {
    render: async function (jobs, configs) {
      var random = Math.random;
      var results = [];
      for (var i = 0; i < jobs.length; i++) {
        var job = jobs[i];
        Math.random = seededRandom(job.seed);
        try {
          results.push(await renderOne(job, configs[job.theme]));
        } catch (error) {
          results.push({ error: String((error && error.message) || error || 'unknown error') });
        } finally {
          Math.random = random;
          // What mermaid leaves behind after a failure.
          ['d', 'i', ''].forEach(function (p) {
            var left = document.getElementById(p + job.id);
            if (left) left.remove();
          });
        }
      }
      return results;
    },
  };
})();
