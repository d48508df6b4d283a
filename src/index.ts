/** Programmatic API: `import { build } from 'studyguide'`. */
export { build, createBuilder, type Builder, type BuildOptions, type Runtime } from './builder.js';
export { type BuildResult } from './build.js';
export { TARGETS } from './targets/registry.js';
export { SETTINGS, resolveSettings, checkConfig, type ResolvedSettings, type SettingsInput, type OutputKind } from './settings.js';
export { watch, type WatchOptions, type Watcher } from './watch.js';
export { serve, type Server } from './serve.js';
export { loadConfig, type ConfigFile } from './config.js';
export { ExitCode, UserError } from './errors.js';
export type { Guide, Topic, Note, FrontMatter, SourcePosition } from './types.js';
export type { Target, TargetInput, TargetResult } from './targets/target.js';
export { buildGuide, walkTopics } from './tree.js';
export { formatMessage, consoleReporter, type Reporter } from './report.js';
