/** The page side of the ready protocol (src/page/protocol.ts): one global, one attribute. */
import type { PageGlobal, PageInput, PageName, PagePrograms, PageResult, PageState } from './protocol.js';

declare global {
  interface Window {
    studyguide?: PageGlobal<PageName>;
  }
}

/** Put the program's global on the page: its name, its API, no result yet. */
export function install<N extends PageName>(program: N, api: PagePrograms[N]['api']): PageGlobal<N> {
  const sg = { ...api, program, result: null } as PageGlobal<N>;
  window.studyguide = sg as unknown as PageGlobal<PageName>;
  return sg;
}

function announce(state: PageState): void {
  document.documentElement.dataset.studyguide = state;
}

/** The program is done: its result, then the signal Node waits for. */
export function ready<N extends PageName>(sg: PageGlobal<N>, result: PageResult<N>): void {
  sg.result = result;
  announce('ready');
}

/** The program failed: Node reads why instead of waiting until its time runs out. */
export function fail(error: unknown): void {
  const sg = window.studyguide;
  const message = error instanceof Error ? error.stack || error.message : String(error);
  if (sg) sg.error = message;
  announce('error');
}

/** The program's settings: the JSON of `#sg-config`. */
export function readConfig<N extends PageName>(): PageInput<N> {
  return JSON.parse(document.getElementById('sg-config')!.textContent!) as PageInput<N>;
}
