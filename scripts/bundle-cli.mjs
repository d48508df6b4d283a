/**
 * The command line, bundled: src/cli.ts and everything it imports, our modules
 * and the dependencies' → dist/cli.js, over the file tsc wrote. Node then loads
 * a few files at start, not ~900 modules one by one (resolving, reading and
 * linking them cost more than the build's own work before Chromium starts), and
 * tree shaking leaves out what is never imported (lowlight's grammars other than
 * its `common` ones, which rehype-highlight registers). Each dynamic import
 * (the browser, the pipeline, serve, watch, …) is a chunk of its own, loaded
 * when the command needs it, as the modules were. Run by `npm run compile`,
 * after tsc; dist/index.js (the API) stays tsc's, unbundled.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');

// Chunks sit next to cli.js (our modules find templates/ and dist/page/ from their own file, one level under the
// package root), named cli-*.js: the last compile's chunks are removed first, their hashes change with the code.
for (const file of readdirSync(DIST)) if (/^cli-.*\.js$/.test(file)) rmSync(path.join(DIST, file));
// tsc's source map is of the file the bundle replaces.
rmSync(path.join(DIST, 'cli.js.map'), { force: true });

await build({
  absWorkingDir: ROOT,
  entryPoints: [{ in: 'src/cli.ts', out: 'cli' }],
  outdir: 'dist',
  chunkNames: 'cli-[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // package.json `engines`.
  target: 'node20.19',
  // Bundled CommonJS packages call require() (for Node's modules, and the optional ones below).
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // proxy-agent require()s these only when a download goes through a proxy, which a build never makes (it uses the
  // system's Chromium): left out (~1.6 MB to compile at every start), they would be required from dist/ then.
  // sql.js finds its WebAssembly from its own folder (`__dirname`, which a bundled module has not): loaded from node_modules.
  external: ['http-proxy-agent', 'https-proxy-agent', 'socks-proxy-agent', 'pac-proxy-agent', 'sql.js'],
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
});
