/**
 * The one browser of a build: found on this machine (puppeteer's own download
 * is skipped), launched headless, kept off the network, always closed.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { UserError } from './errors.js';

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
    if (!executable(chosen)) throw new UserError(`PUPPETEER_EXECUTABLE_PATH=${chosen} is not an executable file; ${FIX}`, 3);
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
  if (!canInstall) throw new UserError(`no Chrome or Chromium found: ${FIX}`, 3);
  log("no Chrome or Chromium found: installing Debian's chromium with apt-get (once; set PUPPETEER_EXECUTABLE_PATH to use another browser)");
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv });
  const install =
    update.status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-liberation'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: aptEnv,
    });
  const installed = findBrowser(env);
  if (!install || install.status !== 0 || !installed) throw new UserError(`installing chromium with apt-get failed: ${FIX}`, 3);
  log(`installed ${installed}`);
  return installed;
}

export async function launchBrowser(executablePath: string): Promise<Browser> {
  const args = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'];
  // The sandbox needs an unprivileged user; as root (CI, containers) Chromium refuses to start with it.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  try {
    // Ctrl-C and SIGTERM are handled by the CLI (it closes watchers and servers first);
    // the browser is still killed on any process exit.
    // `pipe`: Chromium talks to us over fds it inherits, and exits when they close, so it dies
    // with this process whatever kills it (SIGKILL, the OOM killer), not only on a clean exit.
    return await puppeteer.launch({ executablePath, headless: true, pipe: true, args, timeout: 30_000, handleSIGINT: false, handleSIGTERM: false });
  } catch (error) {
    throw new UserError(`could not start the browser at ${executablePath}: ${(error as Error).message.split('\n')[0]}; ${FIX}`, 3);
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
