/**
 * `studyguide serve`: the output folder over HTTP on 127.0.0.1, with live
 * reload by server-sent events. The reload script is added to HTML as it is
 * served; the files on disk stay as the build wrote them.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pageScript } from './browser.js';
import { assetPolicy, NOSNIFF, pagePolicy, speakerViewHashes } from './csp.js';
import { ExitCode, UserError } from './errors.js';
import { isInside } from './paths.js';
import type { Follow } from './present.js';
import { scriptHashSource } from './safety.js';
import type { TemplateSource } from './templates.js';

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
  /**
   * How often every event stream gets a `ping` (ms; default 15 s). A connection that carries nothing
   * for minutes (a talk's long slide) is what phones, Wi-Fi power saving and NAT tables drop without
   * a word; the ping keeps it alive, and a page that misses pings reconnects (src/page/live-reload.ts).
   */
  keepAliveMs?: number;
}

const KEEP_ALIVE_MS = 15_000;

/**
 * `_templates`: the live-reload script was a template once; it is page code now (src/page/live-reload.ts),
 * and a notes folder's override of it is reported as retired by the build.
 */
export async function serve(outDir: string, port: number, _templates: TemplateSource, options: ServeOptions = {}): Promise<Server> {
  const { follow } = options;
  const hosts = options.hosts?.length ? options.hosts : ['127.0.0.1'];
  const root = path.resolve(outDir);
  const script = await pageScript('live-reload');
  const scriptHash = scriptHashSource(script);
  const speakerView = await speakerViewHashes();
  const clients = new Set<http.ServerResponse>();
  const keepAlive = options.keepAliveMs ?? KEEP_ALIVE_MS;
  const pdfViewer = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>cheat sheet (live)</title><link rel="icon" href="data:,">
<style>html,body,iframe{margin:0;width:100%;height:100%;border:0}</style></head>
<body><iframe src="/cheatsheet.pdf" title="cheat sheet"></iframe><script>${script}</script></body></html>`;

  // Every answer says what it is (nosniff) and what it may load (see src/csp.ts).
  const page = (res: http.ServerResponse, status: number, html: string) =>
    res
      .writeHead(status, {
        'content-type': TYPES['.html']!,
        'cache-control': 'no-store',
        ...NOSNIFF,
        'content-security-policy': pagePolicy(html, speakerView),
      })
      .end(html);
  const plain = (res: http.ServerResponse, status: number, text = '', headers: http.OutgoingHttpHeaders = {}) =>
    res
      .writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        ...NOSNIFF,
        'content-security-policy': assetPolicy(''),
        ...headers,
      })
      .end(text);

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    // Defaults for every answer, follow mode's included; a page's own policy replaces the CSP.
    res.setHeader('x-content-type-options', NOSNIFF['x-content-type-options']);
    res.setHeader('content-security-policy', assetPolicy(''));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (follow?.handle(req, res, url.pathname)) return;
    // The output folder is only read.
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, '', { allow: 'GET, HEAD' });
    if (url.pathname === '/__studyguide/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', ...NOSNIFF });
      // The first ping says how often they come: the page knows when one is overdue.
      res.write(`retry: 500\n\nevent: ping\ndata: ${keepAlive}\n\n`);
      clients.add(res);
      follow?.join(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (url.pathname === '/__studyguide/pdf') return page(res, 200, pdfViewer);
    const file = await servedFile(root, url.pathname);
    if (file === null) return plain(res, 404, 'not found');
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
        page(res, 200, end >= 0 ? `${html.slice(0, end)}${tag}\n${html.slice(end)}` : html + tag);
      } else {
        const stream = createReadStream(file);
        await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...NOSNIFF, 'content-security-policy': assetPolicy(type) });
        stream.pipe(res);
      }
    } catch {
      plain(res, 404, 'not found');
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
  const pinger = setInterval(() => send('ping', String(keepAlive)), keepAlive);
  pinger.unref();
  return {
    url: `http://${hosts[0]}:${actual}/`,
    port: actual,
    reload: () => send('reload', String(Date.now())),
    failed: (message) => send('failed', message),
    listeners: () => clients.size,
    async close() {
      clearInterval(pinger);
      for (const client of clients) client.end();
      follow?.close();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

/**
 * The file a request path names, by its real path: null (a 404) for a path that leaves the output
 * folder, through `..` or through a symlink, for a dotfile or dot-folder (the manifest, the cache,
 * the lock), and for what does not exist. A folder serves its index.html.
 */
export async function servedFile(root: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split(/[/\\]/).some((part) => part.startsWith('.'))) return null;
  const [rootReal, real] = await Promise.all([realpath(root).catch(() => null), realpath(path.join(root, decoded)).catch(() => null)]);
  if (!rootReal || !real || !isInside(rootReal, real)) return null;
  const info = await stat(real).catch(() => null);
  if (info?.isFile()) return real;
  if (!info?.isDirectory()) return null;
  const index = await realpath(path.join(real, 'index.html')).catch(() => null);
  return index && isInside(rootReal, index) && (await stat(index).catch(() => null))?.isFile() ? index : null;
}
