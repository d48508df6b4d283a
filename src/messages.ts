/** The build's messages about the notes: each note's own, sorted by place, and what concerns the notes as a whole. */
import type { VFileMessage } from 'vfile-message';
import type { LinkReport } from './links.js';
import type { LoadedNote } from './load.js';
import { blockedWarning, infoMessage } from './report.js';
import { dataviewInfo } from './syntax/dataview.js';
import type { Note } from './types.js';

/** The notes' messages, sorted by place, split into warnings and notices; plus what the build has to tell about the notes as a whole. */
export function noteMessages(
  loaded: LoadedNote[],
  notes: Note[],
  links: LinkReport,
  blocked: Set<string>,
  /** Template overrides of scripts that are no longer templates (src/page/): ignored, and said so. */
  retired: string[] = [],
  /** The other stages' messages (the output folder, the study results, the render), after the notes'. */
  more: { warnings?: VFileMessage[]; notices?: VFileMessage[] }[] = [],
): { warnings: VFileMessage[]; notices: VFileMessage[] } {
  // Notes that could not be used (binary, too large, unreadable) have only their messages.
  const messages = [...loaded.filter((n) => n.text === null), ...notes]
    .flatMap((n) => n.file.messages)
    .sort((a, b) => String(a.file).localeCompare(String(b.file)) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  // `file.info()` leaves `fatal` undefined (`file.message()` sets false): those inform, they are not warnings.
  const warnings = messages.filter((m) => m.fatal !== undefined);
  const notices = messages.filter((m) => m.fatal === undefined);
  const dataview = dataviewInfo(notes);
  if (dataview) notices.push(dataview);
  if (links.missing.length > 0) {
    const names = links.missing.slice(0, 5).join(', ') + (links.missing.length > 5 ? ', …' : '');
    const count = links.missingLinks === 1 ? '1 wiki link points' : `${links.missingLinks} wiki links point`;
    notices.push(infoMessage(`${count} at notes not in the build, shown as text: ${names}`, 'wiki-link'));
  }
  for (const file of retired) {
    notices.push(
      infoMessage(
        `${file} is ignored: the page programs are no longer templates (only .hbs and .css files can be overridden)`,
        'retired-template',
      ),
    );
  }
  for (const url of blocked) warnings.push(blockedWarning(url));
  for (const stage of more) {
    warnings.push(...(stage.warnings ?? []));
    notices.push(...(stage.notices ?? []));
  }
  return { warnings, notices };
}
