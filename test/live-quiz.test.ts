/**
 * Issue 31: the live quiz. `present`'s real server on 127.0.0.1 with the live quiz, real Chromium:
 * the presenter's deck and phones with mobile emulation (each in a browser context of its own: its
 * own storage, so its own device, and its own connections), the rest of the room as HTTP clients
 * speaking the pages' protocol (src/page/protocol.ts). Then the real CLI, killed with SIGKILL; then
 * the next build with the results. Nothing waits for a duration: every wait is for an event.
 */
import { spawn } from 'node:child_process';
import { cp, readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page, Viewport } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/builder.js';
import { createLiveQuiz, type LiveQuiz } from '../src/live-quiz.js';
import type { QuizJoined, QuizRefusal, QuizState } from '../src/page/protocol.js';
import { createFollow, type Follow } from '../src/present.js';
import { openResultsFile } from '../src/results-file.js';
import { readResults, type Answer } from '../src/results.js';
import { serve, type Server } from '../src/serve.js';
import { BUNDLED_TEMPLATES } from '../src/templates.js';
import { CLI, ROOT, cli, launchTestBrowser, readPdf, tempDir } from './helpers.js';

const PHONE: Viewport = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
const EXAM_NOTES = path.join(ROOT, 'test', 'fixtures', 'exam-sheet', 'notes');
const QUIZ_NOTE = path.join(ROOT, 'test', 'fixtures', 'live-quiz', '5-quiz.md');
/** The room: 30 phones, the last of them a real page that joins late (at the third question). */
const PHONES = 30;
const PAGE_PHONES = [0, 1, 2];
const LATE = 29;

/** A notes folder: the exam-sheet fixture (a sheet that must choose at --pages 1) and a note of quiz questions. */
async function quizNotes(): Promise<{ dir: string; notes: string; results: string }> {
  const dir = await tempDir();
  const notes = path.join(dir, 'notes');
  await cp(EXAM_NOTES, notes, { recursive: true });
  await cp(QUIZ_NOTE, path.join(notes, '5-quiz.md'));
  return { dir, notes, results: path.join(notes, '.studyguide', 'results') };
}

/** The server's events as a phone's page gets them: `hello` (its stream id) and `quiz`, with the time each arrived. */
class EventStream {
  hello: Promise<string>;
  states: { state: QuizState; at: number }[] = [];
  private waiters: (() => void)[] = [];
  private req: http.ClientRequest;

  constructor(base: string) {
    let helloResolve: (id: string) => void = () => undefined;
    this.hello = new Promise((resolve) => (helloResolve = resolve));
    this.req = http.get(new URL('/__studyguide/events', base), (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
          if (event === 'hello') helloResolve(JSON.parse(data) as string);
          if (event === 'quiz') this.states.push({ state: JSON.parse(data) as QuizState, at: Date.now() });
          this.waiters.forEach((wake) => wake());
        }
      });
    });
    this.req.on('error', () => undefined);
  }

  latest(): QuizState | undefined {
    return this.states.at(-1)?.state;
  }

  /** The first state (from now on, or already here when `past`) that `test` accepts, and when it came. */
  next(test: (state: QuizState) => boolean, past = false): Promise<{ state: QuizState; at: number }> {
    const from = past ? 0 : this.states.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such quiz state; last: ${JSON.stringify(this.latest())}`)), 15_000);
      const check = () => {
        const found = this.states.slice(from).find((s) => test(s.state));
        if (!found) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(found);
      };
      this.waiters.push(check);
      check();
    });
  }

  close(): void {
    this.req.destroy();
  }
}

/** A POST as the pages make it: JSON in, status and JSON out. */
async function postJson(base: string, pathname: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(pathname, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').startsWith('application/json') ? (JSON.parse(text) as unknown) : null;
  return { status: response.status, json, text };
}

/** A phone that is an HTTP client: its event stream, its join, its answers. */
class HttpPhone {
  events: EventStream;
  device = '';
  constructor(private base: string) {
    this.events = new EventStream(base);
  }
  async join(name?: string): Promise<void> {
    const stream = await this.events.hello;
    const joined = await postJson(this.base, '/__studyguide/quiz/join', { name, stream });
    expect(joined.status).toBe(200);
    this.device = (joined.json as QuizJoined).device;
  }
  answer(card: string, answer: string) {
    return postJson(this.base, '/__studyguide/quiz/answer', { device: this.device, card, answer });
  }
}

/** A quiz card as the deck's slide titles say it. */
interface DeckCard {
  card: string;
  question: string;
  options: string[];
  right: string[];
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

let browser: Browser;
const pageErrors: string[] = [];
/** Presenter's reveal → a phone got it, in ms, for every phone and question (reported, not asserted). */
const revealLatency: number[] = [];

beforeAll(async () => {
  browser = await launchTestBrowser();
});
afterAll(async () => {
  await browser?.close();
  if (revealLatency.length) {
    const sorted = [...revealLatency].sort((a, b) => a - b);
    console.log(
      `reveal → phone latency (ms): median ${sorted[Math.floor(sorted.length / 2)]}, 95th ${sorted[Math.floor(sorted.length * 0.95)]}, max ${sorted.at(-1)}, n ${sorted.length}`,
    );
  }
});

async function openPage(url: string, viewport: Viewport): Promise<Page> {
  // A context of its own: a phone's own storage (its device) and its own connections (a browser opens six to a server).
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(`${url}: ${m.text()}`));
  page.on('pageerror', (e) => pageErrors.push(`${url}: ${String(e)}`));
  await page.setViewport(viewport);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction('window.Reveal && Reveal.isReady() && document.querySelector(".sg-follow")');
  await timeReveals(page);
  return page;
}

/** Records, in the page, when it heard of each reveal (the `quiz` event), by card. */
async function timeReveals(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    w.__revealedAt = {};
    w.studyguideEvents.addEventListener('quiz', (event: MessageEvent<string>) => {
      const state = JSON.parse(event.data);
      if (state.revealed && !(state.card in w.__revealedAt)) w.__revealedAt[state.card] = Date.now();
    });
  });
}

/** The quiz panel of a page, as it shows now. */
const panelOf = (page: Page) =>
  page.evaluate(() => {
    const panel = document.querySelector<HTMLElement>('.sg-quiz-panel');
    if (!panel?.isConnected) return null;
    return {
      card: panel.dataset.card ?? '',
      state: panel.dataset.state ?? '',
      answered: panel.dataset.answered ?? '',
      connected: panel.dataset.connected ?? '',
      mine: panel.dataset.mine ?? '',
      tally: panel.querySelector('.sg-quiz-tally')?.textContent ?? '',
      result: panel.querySelector('.sg-quiz-result')?.textContent ?? '',
      place: panel.dataset.place ?? '',
      options: Array.from(panel.querySelectorAll<HTMLElement>('.sg-quiz-option'), (b) => ({
        option: b.dataset.option ?? '',
        text: b.querySelector('.sg-quiz-text')?.textContent?.trim() ?? '',
        count: b.querySelector('.sg-quiz-count')?.textContent ?? '',
        right: b.classList.contains('sg-quiz-right'),
        pressed: b.getAttribute('aria-pressed') === 'true',
      })),
    };
  });

const waitPanel = (page: Page, test: string, arg: unknown) =>
  page.waitForFunction(
    `(() => { const p = document.querySelector('.sg-quiz-panel'); const arg = ${JSON.stringify(arg)}; return !!p && p.isConnected && (${test}); })()`,
    { polling: 20, timeout: 15_000 },
  );

/** What each phone answers to question `q`: the taps (or answers) it sends, in order; the last one stands. */
function plan(q: number, card: DeckCard, phone: number): string[] {
  if (card.options.length === 0) return phone % 4 === q % 4 ? ["didn't"] : phone % 6 === 1 ? ["didn't", 'knew it'] : ['knew it'];
  if (card.right.length > 1) return [['AC', 'A', 'BD'][phone % 3]!];
  const final = card.options[(phone * 7 + q) % card.options.length]!;
  const other = card.options.find((o) => o !== final)!;
  return phone % 6 === 1 ? [other, final] : [final];
}

/** Taps on a page that make the answer `answer` (a multi-pick answer is a tap per letter). */
const tapsFor = (card: DeckCard, answers: string[]) => (card.right.length > 1 ? [...answers.at(-1)!] : answers);

describe('the live quiz: 30 phones, 5 questions', () => {
  let notes: string;
  let resultsDir: string;
  let server: Server;
  let follow: Follow;
  let quiz: LiveQuiz;
  const log: string[] = [];

  beforeAll(async () => {
    const made = await quizNotes();
    notes = made.notes;
    resultsDir = made.results;
    const out = path.join(made.dir, 'out');
    await build({ notes, out, only: ['slides'], offline: true, browser });
    const templates = { dirs: [BUNDLED_TEMPLATES] };
    quiz = createLiveQuiz({ results: openResultsFile(resultsDir), log: (line) => log.push(line) });
    follow = await createFollow(templates, (line) => log.push(line), { quiz });
    server = await serve(out, 0, templates, { follow });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('answers exactly: the tally, the counts and the CSV; changed answers replace; the reveal reaches every phone; a late joiner; a wrong token; what is refused', async () => {
    const base = server.url;
    const deck = `${base}slides/quiz.html`;
    const presenter = await openPage(`${deck}?presenter=${follow.token()}`, { width: 1280, height: 720 });
    const cards = (await presenter.evaluate(() => {
      const seen = new Map<string, unknown>();
      for (const title of document.querySelectorAll<HTMLElement>('.reveal .slides [data-sg-card]')) {
        const card = title.dataset.sgCard!;
        if (!seen.has(card))
          seen.set(card, {
            card,
            question: title.dataset.sgQuestion,
            options: (title.dataset.sgOptions ?? '').split(' ').filter(Boolean),
            right: (title.dataset.sgRight ?? '').split(' ').filter(Boolean),
          });
      }
      return [...seen.values()];
    })) as DeckCard[];
    const find = (test: (c: DeckCard) => boolean, nth = 0) => cards.filter(test)[nth]!;
    // Multiple choice (one right of four), a worked example, two right of four, another worked example, a cloze.
    const questions = [
      find((c) => c.question.startsWith('Which distribution counts')),
      find((c) => c.question === 'Worked example', 0),
      find((c) => c.right.length === 2),
      find((c) => c.question === 'Worked example', 4),
      find((c) => c.card.endsWith('#c2')),
    ];
    expect(questions.every(Boolean)).toBe(true);
    expect(questions[0]).toMatchObject({ options: ['A', 'B', 'C', 'D'], right: ['B'] });
    expect(questions[2]).toMatchObject({ options: ['A', 'B', 'C', 'D'], right: ['A', 'C'] });

    // The room: three phone pages (the first gives a nickname), 26 HTTP phones; the 30th comes late.
    const pages = new Map<number, Page>();
    for (const i of PAGE_PHONES) pages.set(i, await openPage(deck, PHONE));
    const httpPhones = new Map<number, HttpPhone>();
    for (let i = 0; i < PHONES; i++) if (!PAGE_PHONES.includes(i) && i !== LATE) httpPhones.set(i, new HttpPhone(base));
    await Promise.all([...httpPhones].map(([i, phone]) => phone.join(i % 5 === 0 ? `http ${i}` : undefined)));
    const watcher = new EventStream(base);

    /** What the room answered, by question: the last answer of each phone. */
    const finals: Map<number, string>[] = [];
    const sent: number[] = [];
    for (const [q, card] of questions.entries()) {
      const connected = q < 2 ? PHONES - 1 : PHONES;
      // The presenter goes to the question (no fragment shown): it is the current one, open.
      const asked = watcher.next((s) => s.card === card.card && !s.revealed);
      await presenter.evaluate((id) => {
        const R = (window as any).Reveal;
        const title = document.querySelector(`.reveal .slides [data-sg-card="${CSS.escape(id)}"]`)!;
        const i = R.getIndices(title.closest('section'));
        R.slide(i.h, i.v ?? 0, -1);
      }, card.card);
      const { state } = await asked;
      expect(state.options).toEqual(card.options.length ? card.options : ['knew it', "didn't"]);
      expect(state.picks).toBe(Math.max(1, card.right.length));

      if (q === 0) {
        // The first phone page asks a nickname, once.
        const first = pages.get(0)!;
        await first.bringToFront();
        await first.waitForSelector('.sg-quiz-name-input');
        await first.type('.sg-quiz-name-input', 'ana');
        await first.tap('.sg-quiz-name-ok');
        for (const i of [1, 2]) {
          await pages.get(i)!.bringToFront();
          await pages.get(i)!.tap('.sg-quiz-name-skip');
        }
        // A wrong token (or none) can neither set the question nor reveal it.
        const other = questions[1]!;
        for (const headers of [{ 'x-studyguide-token': 'wrong-token-0123456789' }, {}] as Record<string, string>[]) {
          expect((await postJson(base, '/__studyguide/quiz/question', { ...other }, headers)).status).toBe(403);
          expect((await postJson(base, '/__studyguide/quiz/question', { card: null }, headers)).status).toBe(403);
          expect((await postJson(base, '/__studyguide/quiz/reveal', { card: card.card }, headers)).status).toBe(403);
        }
        expect(quiz.state()).toMatchObject({ card: card.card, revealed: false });
      }
      if (q === 1) {
        // A page reloaded keeps its device (and is not asked its name again).
        const first = pages.get(0)!;
        await first.reload({ waitUntil: 'load' });
        await first.waitForFunction('window.Reveal && Reveal.isReady()');
        await timeReveals(first);
        await waitPanel(first, 'p.dataset.card === arg', card.card);
        expect(await first.$('.sg-quiz-name')).toBeNull();
      }
      if (q === 2) {
        // The late joiner lands on the current question, open, with its options.
        const late = await openPage(deck, PHONE);
        pages.set(LATE, late);
        await waitPanel(late, 'p.dataset.card === arg && p.dataset.state === "open"', card.card);
        const shown = (await panelOf(late))!;
        expect(shown.options.map((o) => o.option)).toEqual(card.options);
        expect(shown.options.map((o) => o.text)).toEqual(
          await late.evaluate(
            (id) =>
              Array.from(
                document
                  .querySelector(`[data-sg-card="${CSS.escape(id)}"]`)!
                  .closest('section')!
                  .querySelectorAll('li.sg-choice'),
                (li) => li.textContent!.replace(/^\s*[A-D][.)]\s*/, '').trim(),
              ),
            card.card,
          ),
        );
        expect(shown.place).toBe('slide');
      }

      // Everyone answers; some change their minds.
      const final = new Map<number, string>();
      let rows = 0;
      await Promise.all(
        [...httpPhones].map(async ([i, phone]) => {
          for (const answer of plan(q, card, i)) {
            const response = await phone.answer(card.card, answer);
            expect(response.status, response.text).toBe(200);
            rows++;
            final.set(i, answer);
          }
        }),
      );
      for (const [i, page] of pages) {
        const answers = plan(q, card, i);
        await page.bringToFront();
        await waitPanel(page, 'p.dataset.card === arg', card.card);
        for (const [n, tap] of tapsFor(card, answers).entries()) {
          await page.tap(`.sg-quiz-option[data-option="${tap}"]`);
          // One tap at a time is sent and kept: the next waits for it (a multi-pick answer grows a letter a tap).
          const kept = card.right.length > 1 ? [...answers.at(-1)!].slice(0, n + 1).join('') : tap;
          await waitPanel(page, 'p.dataset.mine === arg', kept);
          rows++;
        }
        final.set(i, answers.at(-1)!);
      }
      finals.push(final);
      sent.push(rows);
      expect(final.size).toBe(connected);

      // The presenter's tally: every phone's answer, none twice, against the phones connected.
      await presenter.bringToFront();
      await waitPanel(presenter, 'p.dataset.answered === arg[0] && p.dataset.connected === arg[1]', [
        String(final.size),
        String(connected),
      ]);
      expect((await panelOf(presenter))!.tally).toBe(`${final.size} / ${connected} answered` + (card.right.length > 1 ? ' · pick 2' : ''));

      if (q === 1) {
        // Refused: an answer to a card that is not the current one, from a device the server never gave out, too big.
        const phone = httpPhones.get(3)!;
        const notCurrent = await phone.answer(questions[0]!.card, 'B');
        expect([notCurrent.status, (notCurrent.json as QuizRefusal).error]).toEqual([409, 'not-current']);
        const unknown = await postJson(base, '/__studyguide/quiz/answer', {
          device: 'not-a-device-of-this-server',
          card: card.card,
          answer: 'knew it',
        });
        expect([unknown.status, (unknown.json as QuizRefusal).error]).toEqual([403, 'unknown-device']);
        const big = await postJson(base, '/__studyguide/quiz/answer', { device: phone.device, card: card.card, answer: 'x'.repeat(5000) });
        expect(big.status).toBe(413);
        const wrong = await phone.answer(card.card, 'Z');
        expect([wrong.status, (wrong.json as QuizRefusal).error]).toEqual([400, 'bad-request']);
      }

      // The reveal: the deck's own next key press. Every phone hears of it; the time it took is measured.
      const revealed = watcher.next((s) => s.card === card.card && s.revealed);
      const pressed = (await presenter.evaluate(() => {
        const t = Date.now();
        (window as any).Reveal.next();
        return t;
      })) as number;
      const { state: shown } = await revealed;
      await Promise.all(
        [...httpPhones.values()].map(async (phone) => {
          const { at } = await phone.events.next((s) => s.card === card.card && s.revealed, true);
          revealLatency.push(at - pressed);
        }),
      );
      for (const page of pages.values()) {
        await waitPanel(page, 'p.dataset.state === "revealed" && p.dataset.card === arg', card.card);
        revealLatency.push((await page.evaluate((id) => (window as any).__revealedAt[id] as number, card.card)) - pressed);
      }

      // The counts per option, on the presenter's screen and in what every phone got, are exactly the answers.
      const keys = card.options.length ? card.options : ['knew it', "didn't"];
      const expected = Object.fromEntries(keys.map((k) => [k, 0]));
      for (const answer of final.values()) for (const k of card.options.length ? [...answer] : [answer]) expected[k]!++;
      expect(shown.counts).toEqual(expected);
      expect(shown.right).toEqual(card.options.length ? card.right : ['knew it']);
      expect(shown.answered).toBe(final.size);
      await presenter.bringToFront();
      await waitPanel(presenter, 'p.dataset.state === "revealed"', null);
      const onScreen = (await panelOf(presenter))!;
      expect(Object.fromEntries(onScreen.options.map((o) => [o.option, Number(o.count)]))).toEqual(expected);
      expect(onScreen.options.filter((o) => o.right).map((o) => o.option)).toEqual(shown.right);
      // Each phone page: its own answer marked, the right ones, whether it was right, and the explanation (the slide's answer).
      for (const [i, page] of pages) {
        const phone = (await panelOf(page))!;
        const mine = final.get(i)!;
        expect(phone.mine).toBe(mine);
        expect(phone.options.filter((o) => o.pressed).map((o) => o.option)).toEqual(card.options.length ? [...mine] : [mine]);
        expect(phone.options.filter((o) => o.right).map((o) => o.option)).toEqual(shown.right);
        const right = card.options.length ? mine === card.right.join('') : mine === 'knew it';
        expect(phone.result).toBe(
          card.options.length
            ? right
              ? 'Right!'
              : `Not this time: the answer is ${card.right.join(', ')}`
            : right
              ? 'You knew it.'
              : 'Next time.',
        );
        expect(await page.evaluate(() => document.querySelectorAll('.present .fragment.visible').length)).toBeGreaterThan(0);
      }
      // An answer after the reveal is refused; a late joiner sees the question revealed, with its counts.
      const late = await httpPhones.get(4)!.answer(card.card, keys[0]!);
      expect([late.status, (late.json as QuizRefusal).error]).toEqual([410, 'revealed']);
      const lateStream = new EventStream(base);
      const { state: seen } = await lateStream.next((s) => s.card !== undefined, true);
      expect(seen).toMatchObject({ card: card.card, revealed: true, counts: expected });
      lateStream.close();
    }

    // Too frequent: a device's sixth answer in a second.
    const phone = httpPhones.get(5)!;
    const statuses = [];
    for (let n = 0; n < 6; n++) statuses.push((await phone.answer(questions[4]!.card, 'knew it')).status);
    expect(statuses.at(-1)).toBe(429);

    // The results file: a row for every answer sent (changes too), and counted, the last one of each phone only.
    const [file] = await readdir(resultsDir);
    const text = await readFile(path.join(resultsDir, file!), 'utf8');
    expect(text.split('\n')[0]).toBe('time,card,question,who,answer,right');
    const { answers, warnings } = await readResults(resultsDir, (f) => f);
    expect(warnings).toEqual([]);
    for (const [q, card] of questions.entries()) {
      const rows = answers.filter((a) => a.card === card.card);
      expect(rows.length).toBe(sent[q]);
      const last = new Map<string, Answer>();
      for (const row of rows) last.set(row.who!, row);
      expect(last.size).toBe(finals[q]!.size);
      const right = [...finals[q]!.values()].filter((a) => (card.options.length ? a === card.right.join('') : a === 'knew it')).length;
      expect([...last.values()].filter((a) => a.right).length).toBe(right);
      expect(rows.every((row) => row.question === card.question)).toBe(true);
    }
    expect(answers.some((a) => /^ana #\d+$/.test(a.who ?? ''))).toBe(true);
    expect(text).toContain(',device ');

    watcher.close();
    for (const page of pages.values()) await page.browserContext().close();
    await presenter.browserContext().close();
    for (const phone of httpPhones.values()) phone.events.close();
    expect(log.filter((line) => line.startsWith('quiz: revealed'))).toHaveLength(5);
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('alone: the presenter answers on their own screen (it joins as it answers), reveals, and the answer is a row', async () => {
    const presenter = await openPage(`${server.url}slides/quiz.html?presenter=${follow.token()}`, { width: 1280, height: 720 });
    const card = await presenter.evaluate(() => {
      const title = document.querySelector<HTMLElement>('[data-sg-question^="Which distribution approximates"]')!;
      const R = (window as any).Reveal;
      const i = R.getIndices(title.closest('section'));
      R.slide(i.h, i.v ?? 0, -1);
      return title.dataset.sgCard!;
    });
    await waitPanel(presenter, 'p.dataset.card === arg && p.dataset.state === "open"', card);
    // Nobody else is connected: the presenter's page counts once it answers.
    expect((await panelOf(presenter))!.tally).toBe('0 / 0 answered');
    await presenter.click('.sg-quiz-option[data-option="C"]');
    await waitPanel(presenter, 'p.dataset.mine === "C" && p.dataset.answered === "1" && p.dataset.connected === "1"', null);
    await presenter.keyboard.press('ArrowRight');
    await waitPanel(presenter, 'p.dataset.state === "revealed"', null);
    expect((await panelOf(presenter))!.result).toBe('Right!');
    const { answers } = await readResults(resultsDir, (f) => f);
    expect(answers.filter((a) => a.card === card)).toMatchObject([{ who: expect.stringMatching(/^device \d+$/), right: true }]);
    await presenter.browserContext().close();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('the next build reads those results: index.html lists the weak cards; the sheet at --pages 1 prints them before the other cards of their priority', async () => {
    const out = await tempDir();
    const run = await cli(['build', '--notes', notes, '--out', out, '--offline', '--only', 'pdf', '--pages', '1']);
    expect(run.code, run.stderr).toBe(0);
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('Weak spots (5)');
    for (const question of [
      'Which distribution counts the trials up to the first success?',
      'Which of these hold for every pair of events?',
    ])
      expect(index).toContain(question);
    const pdf = (await readPdf(path.join(out, 'cheatsheet.pdf'))).pageText.join(' ').replace(/\s+/g, '');
    const leftOut = JSON.parse(await readFile(path.join(out, 'cheatsheet-left-out.json'), 'utf8')) as { text: string; priority: unknown }[];
    // The two worked examples the room missed (notes 41 and 45) are printed; the ten others, of the same priority, are left out.
    const worked = leftOut.filter((e) => e.text.startsWith('Worked example:'));
    expect(worked).toHaveLength(10);
    expect(worked.some((e) => /note (41|45) says/.test(e.text))).toBe(false);
    for (const n of [41, 45]) expect(pdf).toContain(`note${n}saysthisagain`);
  }, 120_000);
});

describe('present --quiz, the real CLI', () => {
  it('prints the results path; killed with SIGKILL after 3 questions, its CSV holds every answer to them', async () => {
    const { dir, notes, results } = await quizNotes();
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [CLI, 'present', '--notes', notes, '--out', path.join(dir, 'out'), '--offline', '--only', 'slides', '--quiz', '--port', String(port)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      const lines = await new Promise<Record<string, string>>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          stdout += d;
          const found = Object.fromEntries(
            stdout.split('\n').flatMap((l) => (/^(results|audience|presenter): /.test(l) ? [l.split(': ')] : [])),
          );
          if (found.presenter) resolve(found);
        });
        void exited.then(() => reject(new Error(`present exited: ${stderr}`)));
      });
      expect(lines.results).toMatch(new RegExp(`^${results.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d{4}-\\d\\d-\\d\\d-\\d{6}\\.csv$`));
      expect(lines.audience).toBe(`http://127.0.0.1:${port}/slides/quiz.html`);
      const token = new URL(lines.presenter!).searchParams.get('presenter')!;
      const base = `http://127.0.0.1:${port}/`;
      // The questions as the presenter's deck reads them: the quiz slides' titles.
      const html = await (await fetch(new URL('slides/quiz.html', base))).text();
      const cards = [
        ...html.matchAll(
          /<h2 class="sg-title" data-sg-card="([^"]+)" data-sg-question="([^"]*)"(?: data-sg-options="([^"]*)" data-sg-right="([^"]*)")?/g,
        ),
      ]
        .map((m) => ({ card: m[1]!, question: m[2]!, options: m[3]?.split(' ') ?? [], right: m[4]?.split(' ') ?? [] }))
        .filter((c, i, all) => all.findIndex((d) => d.card === c.card) === i);
      const phones = Array.from({ length: 10 }, () => new HttpPhone(base));
      await Promise.all(phones.map((phone) => phone.join()));
      const presenter = { 'x-studyguide-token': token };
      let answered = 0;
      for (const card of cards.slice(-4, -1)) {
        expect((await postJson(base, '/__studyguide/quiz/question', card, presenter)).status).toBe(204);
        await Promise.all(
          phones.map(async (phone, i) => {
            const response = await phone.answer(card.card, card.options.length ? card.options[i % card.options.length]! : 'knew it');
            expect(response.status, response.text).toBe(200);
            answered++;
          }),
        );
        expect((await postJson(base, '/__studyguide/quiz/reveal', { card: card.card }, presenter)).status).toBe(204);
      }
      // Killed at once after the third question: nothing answered is lost.
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const { answers } = await readResults(results, (f) => f);
      expect(answers).toHaveLength(answered);
      expect(answered).toBe(30);
      for (const card of cards.slice(-4, -1)) expect(answers.filter((a) => a.card === card.card)).toHaveLength(10);
      for (const phone of phones) phone.events.close();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  }, 120_000);
});
