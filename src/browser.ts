/**
 * The one browser of a build: found on this machine (puppeteer's own download
 * is skipped), launched headless, kept off the network, always closed. And the
 * pages it runs our programs in (src/page/): their scripts, their lifecycle,
 * the one ready protocol (src/page/protocol.ts).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ExitCode, firstLine, UserError } from './errors.js';
import { discardTemporary, writeAtomic } from './output.js';
import type { PageName, PageResult, PageWindow, ServedScript } from './page/protocol.js';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
];

const FIX = 'install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`) or set PUPPETEER_EXECUTABLE_PATH=/path/to/chrome';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `PUPPETEER_EXECUTABLE_PATH` first (and only, when set), then the usual system paths. */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env.PUPPETEER_EXECUTABLE_PATH;
  if (chosen) {
    if (!executable(chosen))
      throw new UserError(`PUPPETEER_EXECUTABLE_PATH=${chosen} is not an executable file; ${FIX}`, ExitCode.BrowserMissing);
    return chosen;
  }
  return CANDIDATES.find(executable) ?? null;
}

/**
 * Find a browser; on a fresh Debian machine, where we run as root with apt-get,
 * install Debian's chromium (and say so) so the README's first command works.
 */
export function ensureBrowser(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): string {
  const found = findBrowser(env);
  if (found) return found;
  const canInstall =
    process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && env.STUDYGUIDE_NO_INSTALL !== '1';
  if (!canInstall) throw new UserError(`no Chrome or Chromium found: ${FIX}`, ExitCode.BrowserMissing);
  log(
    "no Chrome or Chromium found: installing Debian's chromium with apt-get (once; set PUPPETEER_EXECUTABLE_PATH to use another browser)",
  );
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv });
  const install =
    update.status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-liberation'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: aptEnv,
    });
  const installed = findBrowser(env);
  if (!install || install.status !== 0 || !installed)
    throw new UserError(`installing chromium with apt-get failed: ${FIX}`, ExitCode.BrowserMissing);
  log(`installed ${installed}`);
  return installed;
}

export async function launchBrowser(executablePath: string): Promise<Browser> {
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--font-render-hinting=none',
    // Headless Chromium 156 preloads the address bar's popup (a WebUI page in a renderer of its own,
    // ~55 MB) that a headless browser never shows: left out, launching is faster and lighter.
    '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup',
  ];
  // The sandbox needs an unprivileged user; as root (CI, containers) Chromium refuses to start with it.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  try {
    // Ctrl-C and SIGTERM are handled by the CLI (it closes watchers and servers first);
    // the browser is still killed on any process exit.
    // `pipe`: Chromium talks to us over fds it inherits, and exits when they close, so it dies
    // with this process whatever kills it (SIGKILL, the OOM killer), not only on a clean exit.
    return await puppeteer.launch({
      executablePath,
      headless: true,
      pipe: true,
      args,
      timeout: 30_000,
      handleSIGINT: false,
      handleSIGTERM: false,
    });
  } catch (error) {
    throw new UserError(`could not start the browser at ${executablePath}: ${firstLine(error)}; ${FIX}`, ExitCode.BrowserFailed, {
      cause: error,
    });
  }
}

/** Requests a page may make: its own files and inline data, never the network. */
export function isLocalUrl(url: string): boolean {
  return /^(file|data|blob|about):/i.test(url);
}

/** A page that can only load local files: anything else is aborted (and reported to `onBlocked`). */
export async function openLocalPage(browser: Browser, onBlocked?: (url: string) => void): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(120_000);
  // A dialog (alert() in trusted notes) would block the page forever.
  page.on('dialog', (dialog) => void dialog.dismiss().catch(() => undefined));
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.isInterceptResolutionHandled()) return;
    if (isLocalUrl(request.url())) void request.continue();
    else {
      onBlocked?.(request.url());
      void request.abort('blockedbyclient');
    }
  });
  return page;
}

/**
 * How long a page may take to lay out or print `units` of work (slides, blocks,
 * pages): long enough for a large corpus on a busy 2-core machine (5,000 notes
 * are 5,300 slides to fit), short enough that a hung page is still caught.
 */
export function browserTimeout(units: number, perUnitMs: number): number {
  return 120_000 + Math.ceil(units * perUnitMs);
}

/**
 * The bundled in-page programs: src/page/<name>.ts → dist/page/<name>.js (`npm run compile`).
 * Found from src/ (vitest) and dist/ alike: both are one level under the package root.
 */
export const PAGE_SCRIPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'page');

/** The script of an in-page program, to inline into its page (not a template: notes folders cannot override it). */
export async function pageScript(name: PageName | ServedScript): Promise<string> {
  const file = path.join(PAGE_SCRIPTS, `${name}.js`);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // Exit code 1: the package itself is incomplete.
    throw new UserError(
      `the page script ${file} is missing: run npm run compile (it bundles src/page/ into dist/page/)`,
      ExitCode.Internal,
      { cause: error },
    );
  }
}

/** What every page sets when its program is done (src/page/protocol.ts): `ready` or `error`. */
const PAGE_DONE = 'html[data-studyguide]';

/**
 * Wait until the page's program is done and read its result: the one way Node
 * reads a page (src/page/protocol.ts). A program that failed, or a page that
 * runs another program, is an error.
 */
export async function waitForPage<N extends PageName>(page: Page, program: N, timeout?: number): Promise<PageResult<N>> {
  await page.waitForSelector(PAGE_DONE, timeout === undefined ? {} : { timeout });
  const seen = await page.evaluate(() => {
    const sg = (window as unknown as Partial<PageWindow<PageName>>).studyguide;
    return { state: document.documentElement.dataset.studyguide, program: sg?.program, result: sg?.result ?? null, error: sg?.error };
  });
  if (seen.state === 'error') throw new Error(`the ${program} page failed: ${seen.error ?? 'no reason given'}`);
  if (seen.state !== 'ready' || seen.program !== program) {
    throw new Error(`the page did not run ${program} (it says ${seen.program ?? 'nothing'}: ${seen.state})`);
  }
  return seen.result as PageResult<N>;
}

/** A page written to a temporary file and opened there, for one program. */
export interface LocalPage<N extends PageName> {
  /** Folder the page is written to: its relative links (stylesheets, fonts, images) resolve from there. */
  dir: string;
  /** The file is `<dir>/.<name>.<pid>.html`: a build killed meanwhile leaves it to the next build's sweep. */
  name: string;
  html: string;
  /** The program the page runs (dist/page/<program>.js, inlined in `html`): its result is read by that name. */
  program: N;
  /** Called with each non-local URL the page tried to load (blocked); with `reuse`, that page's own is called. */
  onBlocked?: (url: string) => void;
  /** How long the program may take to be ready (ms; default: the page's 120 s, see `browserTimeout`). */
  timeout?: number;
  /** Viewport size in CSS px (default: puppeteer's 800×600), and device pixels per CSS px for screenshots. */
  viewport?: { width: number; height: number; deviceScaleFactor?: number };
  /** Lay the page out for print (the cheat sheet), not for the screen. */
  print?: boolean;
  /**
   * A page of `openLocalPage` to load this one into, left open (its opener closes it): pages
   * loaded one after the other into the same tab reuse the stylesheets and fonts it has loaded
   * (a handout per deck: about 0.1 s a deck less than a new tab each).
   */
  reuse?: Page;
}

/**
 * The lifecycle of a page that runs one of our programs: written to a temporary
 * file, opened with `openLocalPage` (or loaded into `reuse`), its program waited
 * for (the ready protocol); then `fn(page, result)`; then, whatever happened,
 * the page is closed (unless reused) and the file removed.
 */
export async function withLocalPage<N extends PageName, T>(
  browser: Browser,
  options: LocalPage<N>,
  fn: (page: Page, result: PageResult<N>) => Promise<T>,
): Promise<T> {
  const file = path.join(options.dir, `.${options.name}.${process.pid}.html`);
  let opened: Page | null = null;
  try {
    await writeAtomic(file, options.html);
    const page = options.reuse ?? (opened = await openLocalPage(browser, options.onBlocked));
    if (options.viewport) await page.setViewport(options.viewport);
    if (options.print) await page.emulateMediaType('print');
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const result = await waitForPage(page, options.program, options.timeout);
    return await fn(page, result);
  } finally {
    await opened?.close().catch(() => undefined); // a page of a browser that is gone has nothing left to free
    await discardTemporary(file);
  }
}

/** Programs whose page takes new content in place (`studyguide.update(html)`): a warm page runs them again. */
type Updatable = { [N in PageName]: PageWindow<N>['studyguide'] extends { update(html: string): Promise<unknown> } ? N : never }[PageName];

/**
 * A page kept open between builds (watch mode): a rebuild whose page has the same shell (template,
 * styles, script, settings: `shellKey`) swaps the new content in (`update`) instead of loading the
 * page again, which skips the load and the fonts. The cheat sheet and the slide fitter keep one each.
 */
export interface WarmPage {
  page?: Page;
  /** What the open page shows, but for its content. */
  shellKey?: string;
  /** Where the open page reports blocked requests: the current build's. */
  onBlocked?: (url: string) => void;
}

/**
 * Run `options.program` in the warm page: content swapped in when the shell is the same, else the
 * page written and loaded (`withLocalPage`, into the same tab); then `fn`. A page that failed is
 * in an unknown state: it is closed, and the next use opens another.
 */
export async function inWarmPage<N extends Updatable, T>(
  warm: WarmPage,
  browser: Browser,
  shellKey: string,
  options: Omit<LocalPage<N>, 'reuse'>,
  fn: (page: Page, result: PageResult<N>) => Promise<T>,
): Promise<T> {
  warm.onBlocked = options.onBlocked;
  if (!warm.page || warm.page.isClosed()) {
    warm.page = await openLocalPage(browser, (url) => warm.onBlocked?.(url));
    warm.shellKey = undefined;
  }
  const page = warm.page;
  const inPlace = warm.shellKey === shellKey;
  warm.shellKey = undefined; // until this use is done
  try {
    let value: T;
    if (inPlace) {
      type InPage = { studyguide: { update(html: string): Promise<unknown> } };
      await page.evaluate((html) => (window as unknown as InPage).studyguide.update(html), options.html);
      value = await fn(page, await waitForPage(page, options.program, options.timeout));
    } else value = await withLocalPage(browser, { ...options, reuse: page }, fn);
    warm.shellKey = shellKey;
    return value;
  } catch (error) {
    await closeWarmPage(warm);
    throw error;
  }
}

/** Close a warm page (the browser goes, or a one-shot build is done with it). */
export async function closeWarmPage(warm: WarmPage): Promise<void> {
  const page = warm.page;
  warm.page = undefined;
  warm.shellKey = undefined;
  await page?.close().catch(() => undefined); // a page of a browser that is gone has nothing left to free
}
