/**
 * The write stage: the one place a build writes into the output folder, and only there. It sweeps
 * what a killed build left, learns whose files the folder holds (src/foreign.ts), writes the files
 * the targets' pages load before they are laid out, then the targets' outputs, and removes what an
 * earlier build made that this one no longer does (the manifest). A write the file system refuses
 * is reported with its path and note once every other output is written.
 */
import path from 'node:path';
import type { VFileMessage } from 'vfile-message';
import { ownership } from './foreign.js';
import { processRunning } from './lock.js';
import {
  cannotWrite,
  emit,
  isFileSystemError,
  MANIFEST,
  pruneStale,
  readManifest,
  recordWritten,
  sweepTemporaries,
  type CopiedFiles,
  type FailedWrite,
  type OutputFile,
} from './output.js';
import { buildWarning, infoMessage } from './report.js';
import { shown, type ResolvedSettings } from './settings.js';
import type { Target, TargetResult } from './targets/target.js';

export interface OutputFolder {
  /** What the build has to say about the folder: entries of the manifest it ignored, files not its own. */
  messages: { warnings: VFileMessage[]; notices: VFileMessage[] };
  /** Write what the targets' pages load (each file once, as the first target listing it); returns how many files. */
  writeAssets(targets: readonly Target[], lists: OutputFile[][]): Promise<number>;
  /**
   * Write what the targets made, remove what they no longer make, and return their results. A target
   * that failed to write its own page made nothing (its last outputs stay); any other failure throws.
   * `files`: how many the build made.
   */
  writeOutputs(
    targets: readonly Target[],
    settled: PromiseSettledResult<TargetResult>[],
  ): Promise<{ built: TargetResult[]; files: number }>;
}

export async function openOutputFolder(settings: ResolvedSettings, copied: CopiedFiles): Promise<OutputFolder> {
  const { out } = settings;
  await sweepTemporaries(out, processRunning);
  // Whose files are in the output folder, before anything is written there.
  const manifest = await readManifest(out);
  const made = new Map<string, string>();
  let written = new Map<string, string>();
  const messages = { warnings: [] as VFileMessage[], notices: [] as VFileMessage[] };
  const guard = await ownership(
    out,
    shown(settings, out),
    manifest,
    settings.force,
    () => written,
    (line) => messages.notices.push(infoMessage(line, 'foreign-files')),
  );
  for (const rel of manifest.refused) {
    messages.warnings.push(
      buildWarning(`${MANIFEST}: "${rel}" is not a path inside the output folder; ignored (never removed)`, 'manifest'),
    );
  }
  // A file two targets list (the fonts, the images) is written once, recorded as the first one's.
  const owned = (target: Target, files: OutputFile[]) =>
    files.filter((file) => {
      if (made.has(file.path)) return false;
      made.set(file.path, target.name);
      return true;
    });
  const failed: FailedWrite[] = [];
  const inOut = (file: string | undefined) => {
    const rel = file === undefined ? '..' : path.relative(out, file);
    return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
  };

  return {
    messages,
    async writeAssets(targets, lists) {
      await emit(
        out,
        targets.flatMap((t, i) => owned(t, lists[i]!)),
        copied,
        failed,
        guard,
      );
      written = new Map(made);
      await recordWritten(out, manifest, written);
      return made.size;
    },
    async writeOutputs(targets, settled) {
      const writeFailure = (reason: unknown) => isFileSystemError(reason) && inOut(reason.path);
      const other = settled.find((s) => s.status === 'rejected' && !writeFailure(s.reason));
      if (other?.status === 'rejected') throw other.reason;
      const built = settled.map((s): TargetResult =>
        s.status === 'fulfilled' ? s.value : { files: [], messages: [], summary: undefined },
      );
      for (const s of settled) {
        const error = s.status === 'rejected' ? (s.reason as NodeJS.ErrnoException) : null;
        // Targets that waited for a failed one (the handouts print the decks) fail with its error: said once.
        if (error && !failed.some((f) => f.error === error)) failed.push({ path: path.relative(out, error.path!), error });
      }
      await emit(
        out,
        targets.flatMap((t, i) => owned(t, built[i]!.files)),
        copied,
        failed,
        guard,
      );
      // A target that failed keeps its last outputs: it did not make them again.
      const fulfilled = new Set(targets.filter((_, i) => settled[i]!.status === 'fulfilled').map((t) => t.name));
      await pruneStale(out, made, fulfilled, manifest);
      if (failed.length > 0) throw cannotWrite(failed, (file) => shown(settings, path.resolve(out, file)));
      return { built, files: made.size };
    },
  };
}
