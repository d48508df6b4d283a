/** What a builder keeps between builds (watch mode): each stage's cache, each target's under its name. */
import type { CopiedFiles } from './output.js';
import type { ParseCache } from './parse.js';
import type { FontFaces } from './render/fonts.js';
import type { DiagramCache } from './render/mermaid.js';
import type { TemplateSource } from './templates.js';

export interface PipelineCache {
  parsed: ParseCache;
  /** KaTeX's HTML by formula: a rebuild typesets only new formulas. */
  math: Map<string, string>;
  diagrams: DiagramCache;
  templates: NonNullable<TemplateSource['compiled']>;
  copied: CopiedFiles;
  fonts: FontFaces;
  targets: Map<string, unknown>;
}

export const createPipelineCache = (): PipelineCache => ({
  parsed: new Map(),
  math: new Map(),
  diagrams: new Map(),
  templates: new Map(),
  copied: new Map(),
  fonts: new Map(),
  targets: new Map(),
});
