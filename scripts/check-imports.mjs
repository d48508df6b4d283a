#!/usr/bin/env node
/**
 * The module layering, checked by `npm test` (before the suite): no import
 * cycle in src/, and data flows one way. Stages and renderers never import
 * the pipeline (build.ts, builder.ts), the targets or the command line; the
 * targets never import the pipeline; the in-page programs (src/page) import
 * only each other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.resolve(import.meta.dirname, '..', 'src');
const files = readdirSync(SRC, { recursive: true })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.split(path.sep).join('/'));

/** Imports of each module, as module paths relative to src/ (`render/html.ts`). */
const graph = new Map(
  files.map((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(SRC, file), 'utf8'), true, true);
    const local = importedFiles
      .map((i) => i.fileName)
      // A stylesheet a page program imports as text (src/page/follow.css) is not a module.
      .filter((spec) => spec.startsWith('.') && !spec.endsWith('.css'))
      .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
    return [file, [...new Set(local)]];
  }),
);

const PIPELINE = /^(build|builder|cli|watch|serve|index)\.ts$|^targets\//;
const rules = [
  {
    from: /^(render|syntax|page|study|anki)\/|^(config|parse|load|tree|links|images|names|settings|output|report|errors|safety|templates|browser|lock|types)\.ts$/,
    to: PIPELINE,
    why: 'a stage or renderer imports the pipeline',
  },
  { from: /^targets\//, to: /^(build|builder|cli|watch|serve|index)\.ts$/, why: 'a target imports the pipeline' },
  { from: /^page\//, to: /^(?!page\/)/, why: 'in-page code imports Node code' },
];

const problems = [];
for (const [file, imports] of graph) {
  for (const target of imports) {
    if (!graph.has(target)) problems.push(`${file}: imports ${target}, which is not a module of src/`);
    for (const rule of rules) if (rule.from.test(file) && rule.to.test(target)) problems.push(`${file} → ${target}: ${rule.why}`);
  }
}

// Cycles: depth-first search, reporting each cycle once.
const state = new Map();
const stack = [];
const visit = (file) => {
  state.set(file, 'open');
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === 'open') problems.push(`import cycle: ${[...stack.slice(stack.indexOf(next)), next].join(' → ')}`);
    else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(file, 'done');
};
for (const file of graph.keys()) if (!state.has(file)) visit(file);

if (problems.length > 0) {
  console.error(
    `check-imports: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  ${p}`).join('\n')}`,
  );
  process.exit(1);
}
console.log(`check-imports: ${graph.size} modules, no cycle, layers respected`);
