/**
 * `studyguide serve`: the output folder over HTTP on 127.0.0.1, with live
 * reload by server-sent events. The reload script is added to HTML as it is
 * served; the files on disk stay as the build wrote them.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ExitCode, UserError } from './errors.js';
import type { Follow } from './present.js';
import { scriptHashSource } from './safety.js';
import { readTemplateFile, type TemplateSource } from './templates.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
};

export interface Server {
  url: string;
  port: number;
  /** Tell every open page to reload. */
  reload(): void;
  /** Show a failed build's message on every open page. */
  failed(message: string): void;
  /** How many pages are listening for reloads now. */
  listeners(): number;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Follow mode (`studyguide present`): its routes, and its script in the decks. */
  follow?: Follow;
  /** Addresses to listen on, all on the same port (default: 127.0.0.1 only). */
  hosts?: string[];
}

export async function serve(outDir: string, port: number, templates: TemplateSource, options: ServeOptions = {}): Promise<Server> {
  const { follow } = options;
  const hosts = options.hosts?.length ? options.hosts : ['127.0.0.1'];
  const root = path.resolve(outDir);
  const script = await readTemplateFile(templates, 'live-reload.js');
  const scriptHash = scriptHashSource(script);
  const clients = new Set<http.ServerResponse>();
  const pdfViewer = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>cheat sheet (live)</title><link rel="icon" href="data:,">
<style>html,body,iframe{margin:0;width:100%;height:100%;border:0}</style></head>
<body><iframe src="/cheatsheet.pdf" title="cheat sheet"></iframe><script>${script}</script></body></html>`;

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (follow?.handle(req, res, url.pathname)) return;
    // The output folder is only read.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/__studyguide/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 500\n\n');
      clients.add(res);
      follow?.join(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (url.pathname === '/__studyguide/pdf') {
      res.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store' }).end(pdfViewer);
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = path.join(root, decoded);
    if (decoded.includes('\0') || path.relative(root, file).startsWith('..')) {
      res.writeHead(403).end();
      return;
    }
    const info = await stat(file).catch(() => null);
    if (info?.isDirectory()) file = path.join(file, 'index.html');
    const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    try {
      if (type.startsWith('text/html')) {
        // A page with its own script policy (the cheat sheet) lets the reload script in by its hash, and nothing more.
        const html = (await readFile(file, 'utf8')).replace(
          /(http-equiv="Content-Security-Policy"\s+content="script-src )/i,
          `$1'${scriptHash}' `,
        );
        const deck = follow && /^\/slides\/[^/]+\.html$/.test(url.pathname);
        const tag = `<script>${script}</script>` + (deck ? `\n<script>${follow.script}</script>` : '');
        const end = html.lastIndexOf('</body>');
        const body = end >= 0 ? `${html.slice(0, end)}${tag}\n${html.slice(end)}` : html + tag;
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
      } else {
        await stat(file);
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        createReadStream(file).pipe(res);
      }
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  };

  // One server per address, on the same port (the first one's, when the port is 0).
  const servers: http.Server[] = [];
  let actual = port;
  for (const host of hosts) {
    const server = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new UserError(`port ${actual} on ${host} is already in use; pass another --port`, ExitCode.PortInUse, { cause: error })
            : new UserError(`cannot serve on ${host}:${actual}: ${error.message}`, ExitCode.PortInUse, { cause: error }),
        );
      });
      server.listen(actual, host, () => resolve());
    }).catch(async (error: unknown) => {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      throw error;
    });
    actual = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  const send = (event: string, data: string) => {
    const payload = `event: ${event}\ndata: ${data.split('\n').join('\ndata: ')}\n\n`;
    for (const client of clients) client.write(payload);
  };
  return {
    url: `http://${hosts[0]}:${actual}/`,
    port: actual,
    reload: () => send('reload', String(Date.now())),
    failed: (message) => send('failed', message),
    listeners: () => clients.size,
    async close() {
      for (const client of clients) client.end();
      follow?.close();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
