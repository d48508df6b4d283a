/** Defaults of the build options (kept apart so the CLI can show them without loading the pipeline). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Paper } from './render/cheatsheet.js';

/** The bundled templates folder (next to `dist/` in the package). */
export const BUNDLED_TEMPLATES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'templates');

export const DEFAULTS = {
  paper: 'A4' as Paper,
  landscape: false,
  columns: 3,
  fontPt: 7.5,
  minFontPt: 6,
  maxFontPt: 12,
  theme: 'white',
  slideWidth: 1280,
  slideHeight: 720,
};
