/** Programmatic API: `import { build } from 'studyguide'`. */
export { build, DEFAULTS, type BuildOptions, type BuildResult, type OutputKind } from './build.js';
export { UserError } from './errors.js';
export type { Guide, Topic, Note, FrontMatter, SourcePosition } from './types.js';
export { buildGuide, walkTopics } from './tree.js';
export { formatMessage, consoleReporter, type Reporter } from './report.js';
