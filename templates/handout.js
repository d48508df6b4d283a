/* Handouts: speaker notes move from each slide (where they are hidden) to the space under it. */
document.querySelectorAll('.hd-cell').forEach(function (cell) {
  var notes = cell.querySelector('aside.notes');
  var target = cell.querySelector('.hd-notes');
  if (notes && target) target.append.apply(target, Array.prototype.slice.call(notes.childNodes));
});
document.documentElement.setAttribute('data-ready', 'done');
