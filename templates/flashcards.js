/* Flashcards: shrink a card's text until it fits the card (never below 6 pt), then signal the build. */
(function () {
  'use strict';
  function fit() {
    document.querySelectorAll('.card-text').forEach(function (box) {
      var size = parseFloat(getComputedStyle(box).fontSize) * 0.75;
      while (box.scrollHeight > box.clientHeight + 1 && size > 6) {
        size -= 0.5;
        box.style.fontSize = size + 'pt';
      }
    });
    document.documentElement.setAttribute('data-ready', 'done');
  }
  (document.fonts ? document.fonts.ready : Promise.resolve()).then(fit);
})();
