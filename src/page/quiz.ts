/*
 * The live quiz (`studyguide present --quiz`), started by follow mode (follow.ts) on a deck with
 * quiz slides. A quiz slide's title says which card it asks (src/render/study.ts `quizTitle`).
 *
 * The presenter's deck tells the server which card is on the screen, and that its answer was
 * shown (the deck's own next key press shows it: a fragment). Every page gets the quiz as it is
 * (the `quiz` event) and shows a panel on the current question's slide: a button per option (or
 * "knew it" / "didn't"), the tally, and after the reveal the counts and the right option(s). On a
 * phone (the reading view) the panel sits in the slide, under the question, and the slide's own
 * list of options gives way to it; on a large screen it is a bar at the foot of the screen. A
 * page answers as a device the server handed out (kept in localStorage with the nickname, asked
 * once); the presenter's page joins only when it answers (one student quizzing themselves).
 */
import css from './quiz.css';
import type { QuizAnswer, QuizJoined, QuizQuestion, QuizRefusal, QuizReveal, QuizState } from './protocol.js';
import type { ReadingView } from './reading.js';
import type { RevealApi } from './reveal.js';

export interface QuizPage {
  Reveal: RevealApi;
  /** The presenter's POST (with the token): null on an audience page. */
  presenter: ((pathname: string, body: unknown) => Promise<Response>) | null;
  /** The audience's reading view (phones): the panel goes into the slide while it is on. */
  reading: ReadingView | null;
  /** The page's event stream (src/page/live-reload.ts). */
  events: EventTarget;
}

const ROUTES = {
  question: '/__studyguide/quiz/question',
  reveal: '/__studyguide/quiz/reveal',
  join: '/__studyguide/quiz/join',
  answer: '/__studyguide/quiz/answer',
};
/**
 * What a page keeps: its device id (the server's), its nickname, and whether it was asked for one.
 * A phone keeps it (localStorage); the presenter's tab only for itself (sessionStorage: it answers
 * when one student quizzes themselves, and an audience tab in the same browser is another device).
 */
const STORE = 'studyguide:quiz';
const SELF_LABELS: Record<string, string> = { 'knew it': 'Knew it', "didn't": "Didn't" };

interface Kept {
  device?: string;
  name?: string;
  asked?: boolean;
}

/** A quiz card as its slide says it. */
interface SlideCard {
  card: string;
  question: string;
  options: string[];
  right: string[];
}

const words = (value: string | null) => (value ? value.split(' ').filter(Boolean) : []);

function cardOf(slide: Element | undefined): SlideCard | null {
  const title = slide?.querySelector<HTMLElement>('[data-sg-card]');
  if (!title) return null;
  return {
    card: title.dataset.sgCard!,
    question: title.dataset.sgQuestion ?? '',
    options: words(title.getAttribute('data-sg-options')),
    right: words(title.getAttribute('data-sg-right')),
  };
}

/** The slides (a long one is split in parts) that ask `card`. */
const slidesOf = (card: string) =>
  Array.from(document.querySelectorAll<HTMLElement>('.reveal .slides section')).filter(
    (section) => section.querySelector(':scope > [data-sg-card]')?.getAttribute('data-sg-card') === card,
  );

/** An option's text as the slide shows it, without its letter (the button shows it apart). */
function optionContent(card: string, index: number): Node[] {
  const item = slidesOf(card).flatMap((s) => Array.from(s.querySelectorAll('li.sg-choice')))[index];
  if (!item) return [];
  const copy = item.cloneNode(true) as HTMLElement;
  copy.querySelector('.sg-letter')?.remove();
  const first = copy.firstChild;
  if (first?.nodeType === Node.TEXT_NODE) first.textContent = (first.textContent ?? '').replace(/^\s*\(?[A-Za-z][.)]\s*/, '');
  return Array.from(copy.childNodes);
}

function load(storage: () => Storage): Kept {
  try {
    return (JSON.parse(storage().getItem(STORE) ?? '{}') as Kept | null) ?? {};
  } catch {
    return {};
  }
}

function save(storage: () => Storage, kept: Kept): void {
  try {
    storage().setItem(STORE, JSON.stringify(kept));
  } catch {
    // Storage refused (private mode): the device joins again as a new one after a reload.
  }
}

const element = <K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
};

export function startQuiz(page: QuizPage): void {
  const { Reveal, presenter, reading, events } = page;
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);

  const storage = () => (presenter ? sessionStorage : localStorage);
  let kept = load(storage);
  let state: QuizState | null = null;
  let stream: string | null = null;
  /** This device's answers, by card (what the server accepted), and one on its way. */
  const mine = new Map<string, string>();
  let pending: { card: string; answer: string } | null = null;
  let note = '';

  const panel = element('div', 'sg-quiz-panel');
  panel.setAttribute('role', 'region');
  panel.setAttribute('aria-label', 'quiz');
  const nameForm = element('form', 'sg-quiz-name');
  const nameInput = element('input', 'sg-quiz-name-input');
  nameInput.type = 'text';
  nameInput.maxLength = 40;
  nameInput.setAttribute('autocomplete', 'nickname');
  nameInput.placeholder = 'Your name (optional)';
  nameInput.setAttribute('aria-label', 'your name for the quiz (optional)');
  const nameOk = element('button', 'sg-quiz-name-ok', 'OK');
  nameOk.type = 'submit';
  const nameSkip = element('button', 'sg-quiz-name-skip', 'Skip');
  nameSkip.type = 'button';
  nameForm.append(nameInput, nameOk, nameSkip);
  const tally = element('p', 'sg-quiz-tally');
  tally.setAttribute('aria-live', 'polite');
  const choices = element('div', 'sg-quiz-options');
  choices.setAttribute('role', 'group');
  const result = element('p', 'sg-quiz-result');
  result.setAttribute('role', 'status');
  panel.append(tally, choices, result);
  if (!presenter && !kept.asked) panel.prepend(nameForm);

  /** The buttons of the card they were made for. */
  let made: { card: string; buttons: Map<string, HTMLButtonElement> } | null = null;
  const buttonsFor = (s: QuizState): Map<string, HTMLButtonElement> => {
    if (made?.card === s.card) return made.buttons;
    const buttons = new Map<string, HTMLButtonElement>();
    choices.replaceChildren();
    s.options.forEach((option, i) => {
      const button = element('button', 'sg-quiz-option');
      button.type = 'button';
      button.dataset.option = option;
      const letter = SELF_LABELS[option] ? null : element('span', 'sg-quiz-letter', option);
      const text = element('span', 'sg-quiz-text');
      if (letter) text.append(...optionContent(s.card!, i));
      else text.textContent = SELF_LABELS[option]!;
      button.append(...(letter ? [letter] : []), text, element('span', 'sg-quiz-count'));
      button.addEventListener('click', () => choose(option));
      buttons.set(option, button);
      choices.appendChild(button);
    });
    panel.dataset.kind = SELF_LABELS[s.options[0] ?? ''] ? 'self' : 'choice';
    made = { card: s.card!, buttons };
    return buttons;
  };

  /** Where the panel goes: in the current slide on a phone, at the foot of the screen elsewhere; away when the slide does not ask the current card. */
  const place = () => {
    const slide = Reveal.getCurrentSlide();
    const here = !!state?.card && (presenter !== null || cardOf(slide)?.card === state.card);
    document.querySelectorAll('.sg-quiz-live').forEach((s) => s !== slide && s.classList.remove('sg-quiz-live'));
    if (!here || !slide) {
      panel.remove();
      return;
    }
    if (reading?.active()) {
      slide.classList.add('sg-quiz-live');
      const after = slide.querySelector(':scope > ul.sg-choices') ?? slide.querySelector(':scope > [data-sg-card]');
      if (after && after.nextElementSibling !== panel) after.after(panel);
      panel.dataset.place = 'slide';
    } else {
      slide.classList.remove('sg-quiz-live');
      if (panel.parentElement !== document.body) document.body.appendChild(panel);
      panel.dataset.place = 'screen';
    }
  };

  const render = () => {
    place();
    const s = state;
    if (!s?.card) return;
    const buttons = buttonsFor(s);
    const own = pending?.card === s.card ? pending.answer : mine.get(s.card);
    const picked = new Set(own === undefined ? [] : s.options.length && !SELF_LABELS[s.options[0]!] ? [...own] : [own]);
    // A bar is the share of the answers that chose the option.
    const total = Math.max(1, s.answered);
    for (const [option, button] of buttons) {
      const count = s.counts?.[option] ?? 0;
      button.setAttribute('aria-pressed', String(picked.has(option)));
      button.disabled = s.revealed;
      button.classList.toggle('sg-quiz-right', !!s.right?.includes(option));
      button.style.setProperty('--sg-share', s.counts ? String(count / total) : '0');
      button.querySelector('.sg-quiz-count')!.textContent = s.counts ? String(count) : '';
    }
    panel.dataset.state = s.revealed ? 'revealed' : 'open';
    panel.dataset.card = s.card;
    panel.dataset.mine = mine.get(s.card) ?? '';
    panel.dataset.answered = String(s.answered);
    panel.dataset.connected = String(s.connected);
    tally.textContent = `${s.answered} / ${s.connected} answered` + (s.picks > 1 && !s.revealed ? ` · pick ${s.picks}` : '');
    let said = note;
    if (s.revealed && s.right) {
      const right = s.right.join(', ');
      const self = !!SELF_LABELS[s.right[0]!];
      if (own === undefined) said = self || presenter ? '' : `The answer: ${right}`;
      else if (self) said = own === 'knew it' ? 'You knew it.' : 'Next time.';
      else said = own === s.right.join('') ? 'Right!' : `Not this time: the answer is ${right}`;
      result.dataset.right = own === undefined ? '' : String(self ? own === 'knew it' : own === s.right.join(''));
    } else delete result.dataset.right;
    result.textContent = said;
  };

  const post = (pathname: string, body: unknown) =>
    fetch(pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** Join (or come back, with the stream to count this page as connected); the answer to the current card comes back. */
  let joining: Promise<boolean> | null = null;
  const join = (): Promise<boolean> => {
    joining ??= post(ROUTES.join, { device: kept.device, name: kept.name, stream: stream ?? undefined })
      .then(async (response) => {
        if (!response.ok) return false;
        const joined = (await response.json()) as QuizJoined;
        kept = { ...kept, device: joined.device };
        save(storage, kept);
        if (joined.answer !== null && state?.card) mine.set(state.card, joined.answer);
        render();
        return true;
      })
      .catch(() => false)
      .finally(() => (joining = null));
    return joining;
  };

  /** Sends one answer: whether it is settled (accepted or refused for good), or to be sent again shortly (too frequent). */
  const send = async (card: string, answer: string, again = true): Promise<boolean> => {
    if (!kept.device && !(await join())) {
      note = 'Not sent: no connection';
      return true;
    }
    const device = kept.device!;
    const response = await post(ROUTES.answer, { device, card, answer } satisfies QuizAnswer).catch(() => null);
    if (!response) {
      note = 'Not sent: no connection';
      return true;
    }
    if (response.ok) {
      mine.set(card, ((await response.json()) as QuizAnswer).answer);
      note = '';
      return true;
    }
    const refusal = (await response.json().catch(() => null)) as QuizRefusal | null;
    // The server restarted (a new session): join again, as a new device, and answer once more.
    if (refusal?.error === 'unknown-device' && again) {
      kept = { ...kept, device: undefined };
      return send(card, answer, false);
    }
    if (refusal?.error === 'too-frequent') return false;
    note = refusal?.message ?? `Not sent (${response.status})`;
    return true;
  };

  /**
   * The reader's latest choice goes out once the one before it is answered: one request at a time, so the
   * server keeps the last choice made, and taps faster than the rate limit send only the last.
   */
  let sending = false;
  const flush = async () => {
    if (sending) return;
    sending = true;
    while (pending) {
      const { card, answer } = pending;
      const settled = await send(card, answer);
      if (!settled) {
        note = 'One moment…';
        render();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (pending?.card === card && pending.answer === answer) pending = null;
      render();
    }
    sending = false;
  };

  const choose = (option: string) => {
    const s = state;
    if (!s?.card || s.revealed) return;
    let answer = option;
    if (s.picks > 1) {
      // Several right options: a tap adds or takes away one.
      const picked = new Set(pending?.card === s.card ? pending.answer : (mine.get(s.card) ?? ''));
      if (picked.has(option)) picked.delete(option);
      else picked.add(option);
      if (picked.size === 0) return;
      answer = [...picked].sort().join('');
    }
    pending = { card: s.card, answer };
    render();
    void flush();
  };

  nameForm.addEventListener('submit', (event) => {
    event.preventDefault();
    kept = { ...kept, name: nameInput.value.trim(), asked: true };
    save(storage, kept);
    nameForm.remove();
    void join();
  });
  nameSkip.addEventListener('click', () => {
    kept = { ...kept, asked: true };
    save(storage, kept);
    nameForm.remove();
  });

  // The presenter's deck says where it is: the card on the screen, and its answer shown. In order: a reveal never overtakes its question.
  let told: string | null | undefined;
  const revealed = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  const tell = presenter
    ? () => {
        const card = cardOf(Reveal.getCurrentSlide());
        const id = card?.card ?? null;
        if (id !== told) {
          told = id;
          const question: QuizQuestion = card ?? { card: null };
          queue = queue.then(() => presenter(ROUTES.question, question)).catch(() => undefined);
        }
        const f = Reveal.getIndices().f;
        if (card && typeof f === 'number' && f >= 0 && !revealed.has(card.card)) {
          revealed.add(card.card);
          queue = queue.then(() => presenter(ROUTES.reveal, { card: card.card } satisfies QuizReveal)).catch(() => undefined);
        }
      }
    : () => undefined;

  events.addEventListener('hello', (event) => {
    stream = JSON.parse((event as MessageEvent<string>).data) as string;
    // A new stream (the page's first, or after the network dropped one): the presenter says again where it is, a device joins again.
    told = undefined;
    revealed.clear();
    tell();
    if (!presenter || kept.device) void join();
  });
  events.addEventListener('quiz', (event) => {
    const next = JSON.parse((event as MessageEvent<string>).data) as QuizState;
    // What was said of an answer (not sent, refused) holds until the next question.
    if (next.card !== state?.card) note = '';
    state = next;
    render();
  });
  for (const name of ['slidechanged', 'fragmentshown', 'fragmenthidden']) Reveal.on(name, () => (tell(), render()));
  window.addEventListener('resize', render);
  if (Reveal.isReady()) tell();
  else Reveal.on('ready', () => (tell(), render()));
}
