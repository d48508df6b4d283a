/*
 * The reading view of a following deck on a phone (issue 30): the current slide
 * reflowed to the screen's width instead of a 16:9 picture scaled to a third.
 *
 * reveal.js stays the deck's engine (slides, fragments, the hash, live reload's
 * restore) with its layout off (`disableLayout`): it neither scales the slide
 * nor switches to its scroll view, which moves the deck by itself as the page
 * scrolls. follow.css shows the present slide in the page's flow; the page
 * scrolls natively, and only a sideways swipe (handled here, reveal.js's own
 * touch handling is off: it blocks scrolling) moves to another slide.
 */
import type { RevealApi, RevealOptions } from './reveal.js';

/** Phones and narrow windows, and any touch screen held upright. */
const PHONE = '(max-width: 600px), (hover: none) and (pointer: coarse) and (orientation: portrait)';
/** A screen whose reader has no keyboard to hand: labels name no keys. */
const TOUCH = '(hover: none) and (pointer: coarse)';
/** reveal.js's options in the reading view; the deck's own are put back on a large screen. */
const READING: RevealOptions = {
  disableLayout: true,
  touch: false,
  controls: false,
  progress: false,
  slideNumber: false,
  transition: 'none',
};
/** Body text is 18 px; nothing the reader is meant to read is smaller than this. */
const FLOOR_PX = 16;
const BODY_PX = 18;
/** Math's base size in the reading view (follow.css): first-level scripts, at 0.7 of it, are 16 px. */
const MATH_PX = 23;
/** A table cell longer than this (characters) wraps. */
const LONG_CELL = 32;
/** A swipe: this far sideways, and mostly sideways. */
const SWIPE_PX = 60;

export interface ReadingView {
  /** Whether the reading view is on now (it follows the screen: turning the phone turns it on or off). */
  active(): boolean;
}

/** Whether the reader's screen is a touch screen (no key names in labels). */
export const touchScreen = (): boolean => matchMedia(TOUCH).matches;

/**
 * Turns the reading view on and off with the screen; `badge` (the follow button) sits in its bar.
 * reveal.js may be ready already (it usually starts before this script runs) or not: options set
 * before it is ready are those it starts with, and after, `configure` lays the deck out again.
 */
export function readingView(Reveal: RevealApi, deck: string, badge: HTMLElement): ReadingView {
  const root = document.documentElement;
  const query = matchMedia(PHONE);
  const config = Reveal.getConfig();
  const deckOptions: RevealOptions = Object.fromEntries(Object.keys(READING).map((key) => [key, config[key as keyof RevealOptions]]));

  const bar = document.createElement('nav');
  bar.className = 'sg-bar';
  bar.setAttribute('aria-label', 'presentation');
  const number = document.createElement('span');
  number.className = 'sg-bar-number';
  const links = document.createElement('span');
  links.className = 'sg-bar-links';
  bar.append(number, links);
  document.body.appendChild(bar);

  let on = false;
  const apply = () => {
    if (query.matches === on) return;
    on = query.matches;
    root.classList.toggle('sg-reading', on);
    if (on) bar.append(badge);
    else document.body.appendChild(badge);
    Reveal.configure(on ? READING : deckOptions);
    if (on && Reveal.isReady()) show();
  };

  /** The current slide at the top of the page, laid out for the screen. */
  const show = () => {
    if (!on) return;
    window.scrollTo(0, 0);
    const slide = Reveal.getCurrentSlide();
    number.textContent = `${Reveal.getSlidePastCount() + 1} / ${Reveal.getTotalSlides()}`;
    if (slide) fit(slide);
  };

  Reveal.on('ready', show);
  Reveal.on('slidechanged', show);
  // A fragment shown further down than the reader is: brought into view (not scrolled past: "nearest").
  Reveal.on('fragmentshown', (event) => {
    const fragment = (event as Event & { fragment?: Element }).fragment;
    if (on && fragment) fragment.scrollIntoView({ block: 'nearest' });
  });
  query.addEventListener('change', apply);
  // A window resized within the reading view: the slide's measure changed (the page stays where it is).
  window.addEventListener('resize', () => {
    const slide = Reveal.getCurrentSlide();
    if (on && slide) fit(slide);
  });
  apply();
  addLinks(links, deck);
  swipes(Reveal, () => on, bar);
  return { active: () => on };
}

/**
 * The slide's blocks that need the screen's measure: a display formula a little too wide is
 * scaled (never below body size: else it scrolls), and text a stylesheet set below the floor is raised.
 */
function fit(slide: HTMLElement): void {
  for (const formula of slide.querySelectorAll<HTMLElement>('.sg-math-display:not(.wrapped)')) {
    const display = formula.querySelector<HTMLElement>(':scope > .katex-display');
    if (!display) continue;
    formula.classList.remove('sg-read-wrap');
    // A variable, not the zoom itself: follow.css applies it in the reading view only (the deck keeps its own).
    display.style.removeProperty('--sg-read-zoom');
    const room = formula.clientWidth;
    const width = display.scrollWidth;
    if (width <= room) continue;
    if (room / width >= BODY_PX / MATH_PX) display.style.setProperty('--sg-read-zoom', String(room / width));
    // Much too wide: set inline, where it can break after = and + (src/render/math.ts); what is still too wide scrolls.
    else if (formula.querySelector(':scope > .sg-math-wrap')) formula.classList.add('sg-read-wrap');
  }
  // A table's cells stay on one line (the table scrolls sideways) unless they hold a sentence.
  for (const cell of slide.querySelectorAll<HTMLElement>('td, th'))
    cell.classList.toggle('sg-read-long', (cell.textContent ?? '').trim().length > LONG_CELL);
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node as HTMLElement;
    // Math keeps TeX's sizes (scripts are smaller by design); SVG text is sized with its diagram.
    if (element.closest('.katex, svg, .sr-only') || element.hasAttribute('data-sg-floor')) continue;
    const hasText = Array.from(element.childNodes).some((child) => child.nodeType === Node.TEXT_NODE && /\S/.test(child.textContent ?? ''));
    if (hasText && parseFloat(getComputedStyle(element).fontSize) < FLOOR_PX) element.setAttribute('data-sg-floor', '');
  }
}

/**
 * Links to the material the build made: the cheat sheet and this deck's handout where the index
 * page lists them (asking the server for files that may not exist would log a 404 each), and the index.
 */
function addLinks(links: HTMLElement, deck: string): void {
  const name = deck.replace(/^.*\//, '').replace(/\.html$/, '');
  void fetch('/index.html')
    .then((response) => (response.ok ? response.text() : ''))
    .catch(() => '')
    .then((html) => {
      const index = new DOMParser().parseFromString(html, 'text/html');
      const listed = new Set(Array.from(index.querySelectorAll('a[href]'), (a) => a.getAttribute('href')));
      const wanted = [
        { file: 'cheatsheet.pdf', text: 'Cheat sheet' },
        { file: `handouts/${name}.pdf`, text: 'Handout' },
      ].filter((link) => listed.has(link.file));
      for (const link of [...wanted, ...(html ? [{ file: '', text: 'All' }] : [])]) {
        const a = document.createElement('a');
        a.href = `/${link.file}`;
        a.textContent = link.text;
        // The material opens beside the deck: the deck keeps following.
        a.target = '_blank';
        a.rel = 'noopener';
        links.appendChild(a);
      }
    });
}

/** Whether `element` or a parent of it scrolls sideways (a wide table, code, a diagram): its swipes are its own. */
function scrollsSideways(element: Element | null): boolean {
  for (let e = element; e && e !== document.body; e = e.parentElement) {
    const overflow = getComputedStyle(e).overflowX;
    if ((overflow === 'auto' || overflow === 'scroll') && e.scrollWidth > e.clientWidth + 1) return true;
  }
  return false;
}

/** A sideways swipe moves the deck (the reader's own move: follow mode lets the deck go free). */
function swipes(Reveal: RevealApi, active: () => boolean, bar: HTMLElement): void {
  let start: { x: number; y: number } | null = null;
  document.addEventListener(
    'touchstart',
    (event) => {
      const touch = event.touches[0];
      const target = event.target as Element | null;
      start =
        active() && event.touches.length === 1 && touch && !bar.contains(target) && !scrollsSideways(target)
          ? { x: touch.clientX, y: touch.clientY }
          : null;
    },
    { passive: true },
  );
  document.addEventListener(
    'touchend',
    (event) => {
      const touch = event.changedTouches[0];
      if (!start || !touch || !active()) return;
      const dx = touch.clientX - start.x;
      const dy = touch.clientY - start.y;
      start = null;
      if (Math.abs(dx) < SWIPE_PX || Math.abs(dx) < 2 * Math.abs(dy)) return;
      if (dx < 0) Reveal.next();
      else Reveal.prev();
    },
    { passive: true },
  );
  document.addEventListener('touchcancel', () => (start = null), { passive: true });
}
