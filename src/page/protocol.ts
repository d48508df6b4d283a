/**
 * What Node and the programs it runs inside pages exchange: types only, shared
 * by the in-page programs (src/page/*.ts, bundled into dist/page/) and the
 * renderers that load them (`import type`).
 *
 * The ready protocol, the same for every page:
 *  - a program takes its input from the page: the JSON of `<script type="application/json" id="sg-config">`
 *    (cheat sheet, slide fitter) or the page's own markup (handouts, flashcards);
 *  - it puts one global, `window.studyguide` (`PageGlobal<name>`), at once: its name, its API, `result: null`;
 *  - when its work is done it sets `result` and then `<html data-studyguide="ready">`;
 *    when it fails it sets `error` and `<html data-studyguide="error">`.
 * Node waits for `html[data-studyguide]` and reads the global (src/browser.ts `waitForPage`).
 */

/** `document.documentElement.dataset.studyguide` once the program is done. */
export type PageState = 'ready' | 'error';

/* --- cheat sheet (src/page/cheatsheet.ts) --------------------------------- */

/** The cheat sheet's `#sg-config`. */
export interface CheatsheetConfig {
  title: string;
  columns: number;
  /** Body size of the first layout, in points. */
  fontPt: number;
  /** Text at the foot of every page. */
  footer: string;
  /** CSS font shorthands (with their family stacks) whose faces are loaded before the first layout. */
  fontSpecs: string[];
  /** Characters the stylesheet adds (`::before` content): their faces are loaded too. */
  cssGlyphs: string;
  /** The legibility floor (`--min-font-size`), in points: scaled text under it is warned about. */
  floorPt: number;
  /** Units to leave out (src/page/select.ts): the web version of a sheet that chose what to print. */
  leaveOut?: number[];
}

export interface LayoutOptions {
  /** Body size in points (unset or 0: the size the page has). */
  fontPt?: number;
}

export interface LayoutResult {
  pages: number;
  /** Pages used, as a continuous number (2.4 = two pages and 40% of the third). */
  fill: number;
  /** Body size in points, read from the laid-out page. */
  fontPt: number;
  /** Blocks scaled down because they are taller than a column. */
  shrunk: number;
  /** Headings left at a column end (should be none). */
  stranded: string[];
  /** Blocks scaled so that their smallest text is under the floor (`CheatsheetConfig.floorPt`). */
  belowFloor: { block: string; scale: number; pt: number }[];
  /** With `fit`: the size (points) this layout was made at. */
  size?: number;
  /** With `fit`: whether the sheet fits the asked pages at or above the floor. */
  fitted?: boolean;
  /** With `fit`: layouts tried. */
  tries?: number;
  /** With `fit.select`, when the notes did not fit at the floor: what was printed and what was left out. */
  selection?: Selection;
  /** Images set smaller than they would be (thumbnails, while choosing). */
  thumbnails?: number;
}

/** What the sheet chose to print (src/page/select.ts); units are those of src/priority.ts. */
export interface Selection {
  /** Units left out, by id. */
  leftOut: number[];
  /** Units in the sheet. */
  units: number;
  /** Set when the core units alone need more pages than asked: how many, a column's height and each core unit's (px, by id). */
  core: { pages: number; columnHeight: number; heights: [number, number][] } | null;
}

export interface FitOptions {
  pages: number;
  /** Legibility floor: body text never smaller. */
  minPt: number;
  maxPt: number;
  /** Size of the first layout (the one made on load). */
  startPt: number;
  /** When the notes do not fit at the floor: choose what to print, by priority, instead of adding pages. */
  select?: boolean;
  /** Units to leave out before anything else (the self-test leaves out what the sheet left out). */
  omit?: number[];
}

export interface CheatsheetApi {
  /** Watch mode: lay out the flow of a newly built sheet (same template and settings) without reloading. */
  update(html: string): Promise<LayoutResult>;
  /** Lay out again (at `fontPt`); the result becomes `result`. */
  layout(options?: LayoutOptions): LayoutResult;
  /** The largest size (to 0.05 pt) at which the sheet takes at most `pages` pages; the result becomes `result`. */
  fitPages(options: FitOptions): LayoutResult;
  /** Headings that end a column (should be none). */
  stranded(): string[];
}

/* --- slide fitter (src/page/slides-fit.ts) -------------------------------- */

/** The fitting page's `#sg-config`. */
export interface SlidesFitConfig {
  /** The deck's slide size in CSS px. */
  width: number;
  height: number;
  /** Pixels kept free at the bottom of every slide. */
  safety: number;
  /** Show list items one by one. */
  fragments: boolean;
}

export interface SlidesFitApi {
  /**
   * Watch mode: fit the slides of a newly rendered fitting page (same template, settings and
   * stylesheets) without reloading the page and its stylesheets and fonts; the result becomes `result`.
   */
  update(html: string): Promise<void>;
}

/** Fitted slides by key: each entry is one or more `<section>`s (continuations). */
export type FittedSlides = Record<string, string[]>;

/** A block scaled below the legibility floor because it cannot be split (ASCII art, a wide image). */
export interface BelowFloor {
  /** The slide's key. */
  key: string;
  /** What the block is, in a few words and its first characters. */
  block: string;
  /** The scale it was set at, and the size of its smallest text then, in slide pixels. */
  scale: number;
  px: number;
}

export interface SlidesFitResult {
  slides: FittedSlides;
  /** Keys of slides that still overflow after fitting (should be none). */
  overflowing: string[];
  belowFloor: BelowFloor[];
}

/* --- handouts and flashcards (src/page/handout.ts, flashcards.ts) --------- */

export interface HandoutResult {
  /** Slides on the handout's pages. */
  cells: number;
}

export interface FlashcardsResult {
  /** Cards whose text was set smaller to fit the card. */
  shrunk: number;
}

/* --- slide frames (src/page/slide-extract.ts) ----------------------------- */

/**
 * The slide frames page's `#sg-config`: every distinct fitted slide laid out on its own frame at
 * the deck's size, as reveal.js shows it with every fragment shown.
 */
export interface SlideFramesConfig {
  width: number;
  height: number;
  /** Read each slide's structure (the PowerPoint); without it, only the frames (slide images). */
  structure: boolean;
}

/** A rectangle in slide pixels (CSS px of the deck's size), from the slide's top left corner. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A run of text with one look. Colours are `RRGGBB`. */
export interface TextRun {
  text: string;
  sizePx: number;
  font: string;
  color: string;
  /** 0 (opaque) to 100: the text's opacity (reveal.js greys crumbs and part numbers with it). */
  transparency: number;
  bold?: boolean;
  italic?: boolean;
  strike?: boolean;
  sup?: boolean;
  sub?: boolean;
  highlight?: string;
  /** An http(s) or mailto link (links between slides are not kept). */
  link?: string;
  /** A line break (`<br>`) before this run, in the same paragraph. */
  breakBefore?: boolean;
}

export type ListMark = 'none' | 'disc' | 'circle' | 'square' | 'decimal' | 'lower-alpha' | 'upper-alpha' | 'lower-roman' | 'upper-roman';

/** One paragraph: a `<p>`, a heading, a list item's own text. */
export interface Paragraph {
  runs: TextRun[];
  /** List nesting: 0 for a paragraph or a top-level item. */
  level: number;
  /** The list item's marker; null for a paragraph that is not a list item. */
  mark: ListMark | null;
  /** An ordered list's first number. */
  start: number;
  /** From the text box's left edge to where this paragraph's text starts. */
  indentPx: number;
  sizePx: number;
  lineHeightPx: number;
  /** From the previous paragraph's last line to this one's first. */
  spaceBeforePx: number;
  align: 'left' | 'center' | 'right';
}

export interface TableCellPart {
  paragraphs: Paragraph[];
  header: boolean;
  fill: string | null;
  colspan: number;
  rowspan: number;
}

/** Something the slide shows, with its box. */
export type SlidePart =
  | { kind: 'text'; box: Rect; paragraphs: Paragraph[] }
  | { kind: 'code'; box: Rect; lines: TextRun[][]; lineHeightPx: number; padPx: number; fill: string | null; border: string | null }
  | { kind: 'table'; box: Rect; rows: TableCellPart[][]; colW: number[]; rowH: number[]; border: string }
  /** A rectangle drawn behind its content: a callout's or a quote's background and bar. */
  | {
      kind: 'shape';
      box: Rect;
      fill: string | null;
      fillTransparency: number;
      line: string | null;
      bar: { color: string; px: number } | null;
    }
  /** A screenshot of the element in the frame (`id` is its `data-sg-pic`). `why` says why a fallback was used. */
  | { kind: 'picture'; box: Rect; id: number; role: 'math' | 'diagram' | 'image' | 'fallback'; alt: string; why?: string };

export interface ExtractedSlide {
  /** Where the slide's frame is on the page, for screenshots. */
  frame: Rect;
  /** The slide's title (the title placeholder), with the parts of its title line. */
  title: { box: Rect; paragraphs: Paragraph[] } | null;
  /** Its title as text, for messages. */
  name: string;
  parts: SlidePart[];
  notes: string;
  /** Pictures that stand in for what could not be written as PowerPoint text: what and why, for a warning. */
  fallbacks: string[];
}

export interface SlideFramesResult {
  slides: ExtractedSlide[];
  /** The theme's background colour. */
  background: string;
}

/* --- mermaid (src/page/mermaid.ts) ---------------------------------------- */

export type DiagramTheme = 'light' | 'dark';

/** One diagram to render; `seed` seeds Math.random while it renders. */
export interface MermaidJob {
  theme: DiagramTheme;
  code: string;
  /** The SVG's id (see src/render/mermaid.ts `diagramId`). */
  id: string;
  seed: number;
}

/** mermaid's settings (`mermaid.initialize`), see src/render/mermaid.ts `mermaidConfig`. */
export type MermaidConfig = Record<string, unknown>;

/** A rendered diagram (its natural size in CSS px, from its viewBox) or why it could not be rendered. */
export type DiagramResult = { svg: string; width: number; height: number } | { error: string };

export interface MermaidApi {
  /** Render the jobs one after the other; a failure of one is its `{ error }`. */
  render(jobs: MermaidJob[], configs: Record<DiagramTheme, MermaidConfig>): Promise<DiagramResult[]>;
}

/* --- all programs ----------------------------------------------------------- */

/** Each program (`dist/page/<name>.js`): its input, the result it reports when ready, and the API it offers. */
export interface PagePrograms {
  cheatsheet: { input: CheatsheetConfig; result: LayoutResult; api: CheatsheetApi };
  'slides-fit': { input: SlidesFitConfig; result: SlidesFitResult; api: SlidesFitApi };
  handout: { input: null; result: HandoutResult; api: object };
  flashcards: { input: null; result: FlashcardsResult; api: object };
  'slide-extract': { input: SlideFramesConfig; result: SlideFramesResult; api: object };
  /** Ready as soon as its API is there: the diagrams are rendered by calling it. */
  mermaid: { input: null; result: null; api: MermaidApi };
}

export type PageName = keyof PagePrograms;
export type PageInput<N extends PageName> = PagePrograms[N]['input'];
export type PageResult<N extends PageName> = PagePrograms[N]['result'];

/** `window.studyguide` in a page running program `N`. */
export type PageGlobal<N extends PageName> = PagePrograms[N]['api'] & {
  program: N;
  /** Null until the page is ready. */
  result: PageResult<N> | null;
  /** Why the program failed, with `data-studyguide="error"`. */
  error?: string;
};

/** The window of a page running program `N`, as Node's `page.evaluate` callbacks see it. */
export interface PageWindow<N extends PageName> {
  studyguide: PageGlobal<N>;
}

/* --- served pages (src/page/live-reload.ts, follow.ts) ---------------------- */

/**
 * Scripts `studyguide serve` and `present` add to pages as they serve them (never written to the
 * outputs): not programs of the ready protocol, bundled with them all the same (dist/page/<name>.js).
 */
export type ServedScript = 'live-reload' | 'follow';

/** Where the presenter is: a deck (its path under the output folder) and reveal.js's indices (`f`: fragments shown). */
export interface Position {
  deck: string;
  h: number;
  v: number;
  f: number;
}

/** The presenter's pointer: where on a slide, as shares of its width and height (hidden: -1). */
export interface Pointer {
  deck: string;
  h: number;
  v: number;
  x: number;
  y: number;
}

/** What `present` tells the follow script (`window.studyguidePresent`, set before it). */
export interface PresentSettings {
  /** The talk's length in seconds: the presenter's speaker view paces it. */
  duration: number | null;
  /** `--quiz`: the quiz deck is live (src/page/quiz.ts). */
  quiz: boolean;
}

/* --- the live quiz (`present --quiz`: src/live-quiz.ts and src/page/quiz.ts) --- */

/**
 * The answers of a card that is not multiple choice: the reader says how it went. `knew it` is
 * right. (A multiple-choice card's answers are its options' letters, A, B, C, …)
 */
export type SelfAssessed = 'knew it' | "didn't";

/**
 * `POST /__studyguide/quiz/question` (presenter token): the presenter's deck is on this quiz card
 * (read from the slide's title, src/render/study.ts `quizTitle`), or on no quiz card (`card: null`).
 */
export type QuizQuestion =
  | {
      /** The card's id (RenderedCard.id): its GUID, a cloze card's with `#cN`. */
      card: string;
      /** The question as text, for the results file. */
      question: string;
      /** A multiple-choice card's letters (A, B, …); none for a card that is not multiple choice. */
      options: string[];
      /** The right letters (none for a card that is not multiple choice). */
      right: string[];
    }
  | { card: null };

/** `POST /__studyguide/quiz/reveal` (presenter token): the presenter showed the answer of the current card. */
export interface QuizReveal {
  card: string;
}

/** `POST /__studyguide/quiz/join`: a device joins, or comes back (its id, kept on the phone), with its optional nickname. */
export interface QuizJoin {
  device?: string;
  name?: string;
  /** The page's event stream (its `hello` event): while it is open, the device counts as connected. */
  stream?: string;
}

/** The answer to a join: the device's id (keep it), its nickname, and its answer to the current card (null: none yet). */
export interface QuizJoined {
  device: string;
  name: string;
  answer: string | null;
}

/**
 * `POST /__studyguide/quiz/answer`: a device's answer to the current card: a letter, the letters
 * sorted (a card with several right options), or a `SelfAssessed`. A later answer replaces it until
 * the reveal. Accepted: 200 and the answer as kept (`QuizAnswer`); refused: a `QuizRefusal`.
 */
export interface QuizAnswer {
  device: string;
  card: string;
  answer: string;
}

/** Why the server refused a quiz request, with its HTTP status. */
export type QuizError =
  /** 400: not JSON, a field missing or wrong, an answer that is not one of the options. */
  | 'bad-request'
  /** 403: a device id the server did not hand out (it restarted): join again. */
  | 'unknown-device'
  /** 409: the card is not the current question. */
  | 'not-current'
  /** 410: the current question was revealed: answers are closed. */
  | 'revealed'
  /** 413: the body is too big. */
  | 'too-big'
  /** 429: too many requests from this device (or joins) in a second: `retry-after` says when to try again. */
  | 'too-frequent'
  /** 503: the server holds as many devices as it takes. */
  | 'full';

export interface QuizRefusal {
  error: QuizError;
  message: string;
}

/**
 * The `quiz` event on every page's event stream: the quiz as it is now. Sent to a page as it
 * connects, and after every change (answers are gathered: at most a few a second).
 */
export interface QuizState {
  /** The current card, null between questions (the presenter is on a slide that asks nothing). */
  card: string | null;
  /** The answers it takes: its options' letters, or the two `SelfAssessed`. */
  options: string[];
  /** How many options a right answer has: more than one, a device picks that many. */
  picks: number;
  revealed: boolean;
  /** Devices that answered the current card. */
  answered: number;
  /** Devices with a page open now (joined, their event stream connected). */
  connected: number;
  /** After the reveal: answers per option (a multi-pick answer counts for each letter in it). */
  counts: Record<string, number> | null;
  /** After the reveal: the right options. */
  right: string[] | null;
}
