/**
 * `studyguide present --quiz`: the quiz deck, live. The presenter's deck says which quiz card is on
 * the screen and when its answer is shown (src/page/quiz.ts); phones join (a device id the server
 * hands out) and answer the current card, and may change their answer until the reveal. Every page
 * gets the quiz as it is on its event stream: the card, open or revealed, answers against devices
 * connected, and after the reveal the counts per option and the right ones. Every answer is a row
 * of the session's results file before it is acknowledged (src/results-file.ts).
 *
 * Presenter routes (`question`, `reveal`) are let through by follow mode only with the token
 * (src/present.ts); answers need none, and are limited in size and rate per device.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { QuizAnswer, QuizError, QuizJoin, QuizJoined, QuizQuestion, QuizState, SelfAssessed } from './page/protocol.js';
import { parseJson, readBody } from './request-body.js';
import type { ResultsFile } from './results-file.js';

/** The routes; those of the presenter need the token. */
export const QUIZ_ROUTES = {
  question: '/__studyguide/quiz/question',
  reveal: '/__studyguide/quiz/reveal',
  join: '/__studyguide/quiz/join',
  answer: '/__studyguide/quiz/answer',
} as const;
export const PRESENTER_ROUTES: ReadonlySet<string> = new Set([QUIZ_ROUTES.question, QUIZ_ROUTES.reveal]);

export interface LiveQuiz {
  /** A page's event stream: its id (`hello`, for the page's join) and the quiz as it is now (`quiz`). */
  join(res: http.ServerResponse): void;
  /** Answers a POST to one of `QUIZ_ROUTES` (a presenter route only once the token was checked). */
  handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void;
  /** The quiz as it is now. */
  state(): QuizState;
  close(): void;
}

export interface LiveQuizOptions {
  results: ResultsFile;
  log: (line: string) => void;
  /** How long answers are gathered before the pages hear of them (ms; default 200): a room answering at once is one event, not thirty. */
  gatherMs?: number;
}

const SELF_ASSESSED: SelfAssessed[] = ['knew it', "didn't"];
const STATUS: Record<QuizError, number> = {
  'bad-request': 400,
  'unknown-device': 403,
  'not-current': 409,
  revealed: 410,
  'too-big': 413,
  'too-frequent': 429,
  full: 503,
};
/** Body limits: an answer or a join is small; a question carries its text. */
const MAX_SMALL_BODY = 1024;
const MAX_QUESTION_BODY = 16 * 1024;
const MAX_QUESTION_CHARS = 4000;
const MAX_NAME_CHARS = 40;
/** Answers a device may send in a second (a phone's taps are a few), and new devices a second (a room scanning the QR code). */
const ANSWERS_PER_SECOND = 5;
const JOINS_PER_SECOND = 100;
const PRESENTER_POSTS_PER_SECOND = 60;
/** Devices one session takes: a lecture hall, and not a memory leak. */
const MAX_DEVICES = 5000;
const GATHER_MS = 200;
const CARD = /^[\w-]{1,64}(#c\d{1,4})?$/;

interface Device {
  id: string;
  /** Its number in the session (1, 2, …): `who` in the results, with the nickname. */
  n: number;
  name: string;
  /** Its pages' event streams open now. */
  streams: Set<string>;
  rate: Rate;
}

interface Question {
  card: string;
  question: string;
  /** The letters, or none (self-assessed). */
  letters: string[];
  right: string[];
  revealed: boolean;
  /** The last answer of each device, by device id. */
  answers: Map<string, string>;
}

/** Requests in the current second. */
interface Rate {
  start: number;
  count: number;
}

/** Counts one request against `limit` a second: false when over. */
function within(rate: Rate, limit: number, now = Date.now()): boolean {
  if (now - rate.start >= 1000) {
    rate.start = now;
    rate.count = 0;
  }
  return ++rate.count <= limit;
}

const newId = () => randomBytes(16).toString('base64url');
const answersOf = (q: Question): string[] => (q.letters.length ? q.letters : SELF_ASSESSED);
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
/** A nickname as it may be written in the results: no control characters, no spreadsheet formula (`=`, `+`, `-`, `@` first). */
const cleanName = (name: string) =>
  name
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[=+\-@]+\s*/, '')
    .slice(0, MAX_NAME_CHARS)
    .trim();
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalString = (value: unknown, max: number) => value === undefined || (typeof value === 'string' && value.length <= max);

/** A presenter's question, checked: the letters A, B, … in order, the right ones among them. */
function asQuestion(value: unknown): QuizQuestion | null {
  if (!isObject(value)) return null;
  if (value.card === null) return Object.keys(value).length === 1 ? { card: null } : null;
  const { card, question, options, right } = value;
  const letters = (list: unknown): list is string[] => Array.isArray(list) && list.every((x) => typeof x === 'string');
  if (typeof card !== 'string' || !CARD.test(card) || typeof question !== 'string' || question.length > MAX_QUESTION_CHARS) return null;
  if (!letters(options) || !letters(right) || options.length > 26) return null;
  if (options.some((letter, i) => letter !== String.fromCharCode(65 + i))) return null;
  if (options.length === 1 || (options.length > 0 && right.length === 0) || (options.length === 0 && right.length > 0)) return null;
  if (right.some((letter) => !options.includes(letter)) || new Set(right).size !== right.length) return null;
  return { card, question, options, right: [...right].sort() };
}

/** An answer to `q` as it is kept (letters sorted), or null when it is not one it takes. */
function normalAnswer(q: Question, answer: string): string | null {
  if (!q.letters.length) return (SELF_ASSESSED as string[]).includes(answer) ? answer : null;
  const letters = [...answer];
  if (letters.length === 0 || new Set(letters).size !== letters.length || letters.some((l) => !q.letters.includes(l))) return null;
  if (q.right.length === 1 && letters.length !== 1) return null;
  return letters.sort().join('');
}

const isRight = (q: Question, answer: string) => (q.letters.length ? answer === q.right.join('') : answer === 'knew it');

export function createLiveQuiz(options: LiveQuizOptions): LiveQuiz {
  const { results, log } = options;
  const gatherMs = options.gatherMs ?? GATHER_MS;
  const devices = new Map<string, Device>();
  /** Every page's event stream, by its id, and the device it was joined by. */
  const streams = new Map<string, { res: http.ServerResponse; device: Device | null }>();
  const questions = new Map<string, Question>();
  let current: Question | null = null;
  let gathering: NodeJS.Timeout | null = null;
  const joins: Rate = { start: 0, count: 0 };
  const presenterPosts: Rate = { start: 0, count: 0 };

  const state = (): QuizState => {
    const connected = [...devices.values()].filter((d) => d.streams.size > 0).length;
    if (!current) return { card: null, options: [], picks: 0, revealed: false, answered: 0, connected, counts: null, right: null };
    const q = current;
    const keys = answersOf(q);
    let counts: Record<string, number> | null = null;
    if (q.revealed) {
      counts = Object.fromEntries(keys.map((key) => [key, 0]));
      for (const answer of q.answers.values())
        for (const key of q.letters.length ? [...answer] : [answer]) counts[key] = (counts[key] ?? 0) + 1;
    }
    return {
      card: q.card,
      options: keys,
      picks: Math.max(1, q.right.length),
      revealed: q.revealed,
      answered: q.answers.size,
      connected,
      counts,
      right: q.revealed ? (q.letters.length ? q.right : ['knew it']) : null,
    };
  };

  const write = (res: http.ServerResponse, event: 'hello' | 'quiz', data: string) => res.write(`event: ${event}\ndata: ${data}\n\n`);
  const broadcast = () => {
    if (gathering) clearTimeout(gathering);
    gathering = null;
    const data = JSON.stringify(state());
    for (const { res } of streams.values()) write(res, 'quiz', data);
  };
  /** Answers and connections: told within `gatherMs`, together. */
  const soon = () => {
    gathering ??= setTimeout(broadcast, gatherMs);
  };

  const send = (res: http.ServerResponse, status: number, body?: unknown, headers: http.OutgoingHttpHeaders = {}) => {
    if (body === undefined) return void res.writeHead(status, { 'cache-control': 'no-store', ...headers }).end();
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
  };
  const refuse = (res: http.ServerResponse, error: QuizError, message: string, headers: http.OutgoingHttpHeaders = {}) =>
    send(res, STATUS[error], { error, message }, headers);

  const setQuestion = (asked: QuizQuestion) => {
    if (asked.card === null) {
      current = null;
      return;
    }
    const known = questions.get(asked.card);
    // A card asked again is the same question (answers and reveal kept), unless a rebuild changed its options.
    if (known && sameList(known.letters, asked.options) && sameList(known.right, asked.right)) {
      known.question = asked.question;
      current = known;
      return;
    }
    current = {
      card: asked.card,
      question: asked.question,
      letters: asked.options,
      right: asked.right,
      revealed: false,
      answers: new Map(),
    };
    questions.set(asked.card, current);
  };

  const reveal = (q: Question) => {
    if (q.revealed) return;
    q.revealed = true;
    const right = [...q.answers.values()].filter((answer) => isRight(q, answer)).length;
    const shown = q.question.length > 60 ? `${q.question.slice(0, 57)}…` : q.question;
    log(`quiz: revealed "${shown}": ${q.answers.size} answered, ${right} right`);
  };

  const onJoin = (res: http.ServerResponse, body: unknown) => {
    if (!isObject(body) || !optionalString(body.device, 64) || !optionalString(body.name, 200) || !optionalString(body.stream, 64))
      return refuse(res, 'bad-request', 'expected {"device"?, "name"?, "stream"?}');
    const { name, stream } = body as QuizJoin;
    let device = typeof body.device === 'string' ? devices.get(body.device) : undefined;
    if (!device) {
      if (devices.size >= MAX_DEVICES) return refuse(res, 'full', `this quiz takes ${MAX_DEVICES} devices`);
      if (!within(joins, JOINS_PER_SECOND)) return refuse(res, 'too-frequent', 'too many joins at once: try again', { 'retry-after': '1' });
      device = { id: newId(), n: devices.size + 1, name: '', streams: new Set(), rate: { start: 0, count: 0 } };
      devices.set(device.id, device);
    }
    if (name !== undefined) device.name = cleanName(name);
    const open = stream === undefined ? undefined : streams.get(stream);
    if (open && open.device !== device) {
      open.device?.streams.delete(stream!);
      open.device = device;
      device.streams.add(stream!);
      soon();
    }
    send(res, 200, { device: device.id, name: device.name, answer: current?.answers.get(device.id) ?? null } satisfies QuizJoined);
  };

  const onAnswer = (res: http.ServerResponse, body: unknown) => {
    if (!isObject(body) || typeof body.device !== 'string' || typeof body.card !== 'string' || typeof body.answer !== 'string')
      return refuse(res, 'bad-request', 'expected {"device", "card", "answer"}');
    const { device: id, card, answer } = body as unknown as QuizAnswer;
    const device = devices.get(id);
    if (!device) return refuse(res, 'unknown-device', 'unknown device: join first');
    if (!within(device.rate, ANSWERS_PER_SECOND))
      return refuse(res, 'too-frequent', `at most ${ANSWERS_PER_SECOND} answers a second`, { 'retry-after': '1' });
    const q = current;
    if (!q || q.card !== card) return refuse(res, 'not-current', 'that is not the current question');
    if (q.revealed) return refuse(res, 'revealed', 'the answer was shown: answers are closed');
    const kept = normalAnswer(q, answer);
    if (kept === null) return refuse(res, 'bad-request', `the answers are ${answersOf(q).join(', ')}`);
    try {
      results.append({
        time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        card: q.card,
        question: q.question,
        who: device.name ? `${device.name} #${device.n}` : `device ${device.n}`,
        answer: kept,
        right: isRight(q, kept) ? 'yes' : 'no',
      });
    } catch (error) {
      log(`quiz: an answer could not be written to ${results.path}: ${(error as Error).message}`);
      return void res.writeHead(500, { 'content-type': 'text/plain' }).end('the answer could not be written');
    }
    q.answers.set(device.id, kept);
    soon();
    send(res, 200, { device: device.id, card: q.card, answer: kept } satisfies QuizAnswer);
  };

  const onPresenter = (res: http.ServerResponse, pathname: string, body: unknown) => {
    if (!within(presenterPosts, PRESENTER_POSTS_PER_SECOND)) return refuse(res, 'too-frequent', 'too many moves', { 'retry-after': '1' });
    if (pathname === QUIZ_ROUTES.question) {
      const asked = asQuestion(body);
      if (!asked) return refuse(res, 'bad-request', 'expected {"card", "question", "options", "right"} or {"card": null}');
      setQuestion(asked);
    } else {
      if (!isObject(body) || typeof body.card !== 'string') return refuse(res, 'bad-request', 'expected {"card"}');
      if (!current || current.card !== body.card) return refuse(res, 'not-current', 'that is not the current question');
      reveal(current);
    }
    broadcast();
    send(res, 204);
  };

  return {
    state,
    join(res) {
      const id = newId();
      streams.set(id, { res, device: null });
      write(res, 'hello', JSON.stringify(id));
      write(res, 'quiz', JSON.stringify(state()));
      res.on('close', () => {
        const device = streams.get(id)?.device;
        streams.delete(id);
        if (device) {
          device.streams.delete(id);
          soon();
        }
      });
    },
    handle(req, res, pathname) {
      const presenter = PRESENTER_ROUTES.has(pathname);
      void readBody(req, presenter ? MAX_QUESTION_BODY : MAX_SMALL_BODY).then((text) => {
        // Too big: answered at once, and the rest of it is not read.
        if (text === null) {
          res.once('finish', () => req.destroy());
          return refuse(res, 'too-big', 'the request is too big', { connection: 'close' });
        }
        const body = parseJson(text);
        if (presenter) onPresenter(res, pathname, body);
        else if (pathname === QUIZ_ROUTES.join) onJoin(res, body);
        else if (pathname === QUIZ_ROUTES.answer) onAnswer(res, body);
        else refuse(res, 'bad-request', 'no such route');
      });
    },
    close() {
      if (gathering) clearTimeout(gathering);
      gathering = null;
      results.close();
    },
  };
}
