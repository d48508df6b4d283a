import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest files, slowest first (measured on 2 cores): on a fresh clone vitest has no
 * timings to go by, and a slow file started last leaves one core idle at the end.
 */
const SLOWEST_FIRST = ['large-input', 'processes', 'slides', 'watch', 'robustness', 'cli', 'cheatsheet', 'package'];

class SlowestFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const i = SLOWEST_FIRST.indexOf(file.moduleId.replace(/^.*\/|\.test\.ts$/g, ''));
      return i < 0 ? SLOWEST_FIRST.length : i;
    };
    const rest = await super.sort(files);
    return [...rest].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Each end-to-end file drives its own Chromium; two cores here.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    sequence: { sequencer: SlowestFirst },
  },
});
