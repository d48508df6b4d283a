/**
 * `studyguide present`: follow mode on top of `serve`. The presenter's deck
 * (opened with a secret token) posts where it is; every other deck served
 * follows by server-sent events, and a late joiner gets the current place on
 * connecting. Only the token's holder moves the room; the holder can pass it
 * on (a new token; the old one stops working). The decks on disk stay as the
 * build wrote them: the follow script is added as pages are served. With
 * `--quiz` the quiz deck is live (src/live-quiz.ts): its routes come through
 * here, the presenter's behind the same token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import type http from 'node:http';
import { renderUnicodeCompact } from 'uqr';
import { pageScript } from './browser.js';
import { PRESENTER_ROUTES, QUIZ_ROUTES, type LiveQuiz } from './live-quiz.js';
import type { Pointer, Position, PresentSettings } from './page/protocol.js';
import { parseJson, readBody } from './request-body.js';
import type { TemplateSource } from './templates.js';

export type { Pointer, Position } from './page/protocol.js';

export interface Follow {
  /**
   * A page's event stream (the server's live-reload stream, `/__studyguide/events`) gets the
   * moves too: one connection a page (a browser opens at most six to a server, and a room of
   * tabs in one browser would stall). Sends the current place at once.
   */
  join(res: http.ServerResponse): void;
  /** Answers `/__studyguide/move`, `/pass`, `/pointer` and the live quiz's routes; false for any other path. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean;
  /** The script decks get as they are served. */
  script: string;
  /** The presenter's current token (a pass makes a new one). */
  token(): string;
  close(): void;
}

/** What a move may weigh, and how many a second the presenter may send (a held arrow key is about 30). */
const MAX_BODY = 512;
const MOVES_PER_SECOND = 60;
const MAX_LOGGED_REFUSALS = 20;

/** A token: 128 random bits, in a URL as they are. */
const newToken = () => randomBytes(16).toString('base64url');

function sameToken(given: string | undefined, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isPointer(value: unknown): value is Pointer {
  const p = value as Pointer;
  const share = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && (n === -1 || (n >= 0 && n <= 1));
  return isPosition({ ...p, f: 0 }) && share(p.x) && share(p.y) && Object.keys(p).length === 5;
}

function isPosition(value: unknown): value is Position {
  const p = value as Position;
  const index = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 100_000;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.deck === 'string' &&
    /^\/slides\/[\w.-]+\.html$/.test(p.deck) &&
    index(p.h) &&
    index(p.v) &&
    index(p.f ?? 0)
  );
}

/** `_templates`: the follow script was a template once; it is page code now (src/page/follow.ts). */
export async function createFollow(
  _templates: TemplateSource,
  log: (line: string) => void,
  options: {
    /** The talk's length in seconds: the presenter's speaker view paces it. */
    duration?: number;
    /** `--quiz`: the live quiz, its routes and events. */
    quiz?: LiveQuiz;
  } = {},
): Promise<Follow> {
  const { quiz } = options;
  const quizRoutes = new Set<string>(Object.values(QUIZ_ROUTES));
  const settings: PresentSettings = { duration: options.duration ?? null, quiz: !!quiz };
  const script = `window.studyguidePresent = ${JSON.stringify(settings)};\n${await pageScript('follow')}`;
  const audience = new Set<http.ServerResponse>();
  let token = newToken();
  let position: Position | null = null;
  let rate = { start: 0, moves: 0 };
  const refused = new Set<string>();

  /** A server-sent event to one page (the data is JSON: one line). */
  const send = (res: http.ServerResponse, event: 'position' | 'pointer', data: Position | Pointer) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  /** A wrong or old token: 403, and one line in the log per token. */
  const refuse = (res: http.ServerResponse, given: string | undefined) => {
    const key = given ?? '';
    // Logged once per token, and for the first few only: a stream of made-up tokens neither floods the log nor fills memory.
    if (!refused.has(key) && refused.size < MAX_LOGGED_REFUSALS) {
      refused.add(key);
      log(`present: refused a ${given ? 'wrong or old' : 'missing'} presenter token`);
    }
    res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
  };

  /** The body of a POST, at most MAX_BODY bytes (null when larger). */
  const body = (req: http.IncomingMessage) => readBody(req, MAX_BODY);

  return {
    script,
    token: () => token,
    join(res) {
      if (position) send(res, 'position', position);
      quiz?.join(res);
      audience.add(res);
      res.on('close', () => audience.delete(res));
    },
    handle(req, res, pathname) {
      const quizRoute = !!quiz && quizRoutes.has(pathname);
      if (pathname !== '/__studyguide/move' && pathname !== '/__studyguide/pass' && pathname !== '/__studyguide/pointer' && !quizRoute)
        return false;
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return true;
      }
      const given = req.headers['x-studyguide-token'];
      // Answers need no token; everything else is the presenter's.
      if ((!quizRoute || PRESENTER_ROUTES.has(pathname)) && (typeof given !== 'string' || !sameToken(given, token))) {
        refuse(res, typeof given === 'string' ? given : undefined);
        return true;
      }
      if (quizRoute) {
        quiz!.handle(req, res, pathname);
        return true;
      }
      if (pathname === '/__studyguide/pass') {
        token = newToken();
        log('present: control passed on (the old presenter link no longer works)');
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ token }));
        return true;
      }
      const now = Date.now();
      if (now - rate.start >= 1000) rate = { start: now, moves: 0 };
      if (++rate.moves > MOVES_PER_SECOND) {
        res.writeHead(429).end();
        return true;
      }
      void body(req).then((text) => {
        // Too big: answered at once, and the rest of it is not read.
        if (text === null) return void res.writeHead(413, { connection: 'close' }).end(() => req.destroy());
        const move = parseJson(text);
        if (pathname === '/__studyguide/pointer') {
          if (!isPointer(move)) return void res.writeHead(400).end();
          // Not kept: a late joiner sees the next one.
          for (const client of audience) send(client, 'pointer', move);
          return void res.writeHead(204).end();
        }
        if (!isPosition(move)) return void res.writeHead(400).end();
        position = { deck: move.deck, h: move.h, v: move.v, f: move.f ?? 0 };
        for (const client of audience) send(client, 'position', position);
        res.writeHead(204).end();
      });
      return true;
    },
    close() {
      for (const client of audience) client.end();
      audience.clear();
      quiz?.close();
    },
  };
}

/** The machine's IPv4 addresses on its networks (not loopback): where a room reaches it. */
export function lanAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

/** The audience link as a QR code for a terminal (two rows of modules a line), to scan from a phone. */
export function terminalQr(url: string): string {
  return renderUnicodeCompact(url);
}
