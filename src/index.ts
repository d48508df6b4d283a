/** Programmatic API: `import { build } from 'studyguide'`. */
export { build, createBuilder, DEFAULTS, type Builder, type BuildOptions, type BuildResult, type OutputKind } from './build.js';
export { watch, type WatchOptions, type Watcher } from './watch.js';
export { serve, type Server } from './serve.js';
export { loadConfig, validateConfig, type ConfigFile } from './config.js';
export { UserError } from './errors.js';
export type { Guide, Topic, Note, FrontMatter, SourcePosition } from './types.js';
export { buildGuide, walkTopics } from './tree.js';
export { formatMessage, consoleReporter, type Reporter } from './report.js';
