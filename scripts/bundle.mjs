// Bundles the entry points that start as their own processes into single ESM files under
// dist/bundle/ (fewer files to load at start; the edge bundle is what the Swarm edge image runs).
// better-sqlite3 is native and stays external; everything else is inlined.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = { edge: 'src/edge/main.ts' };

await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist/bundle',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['better-sqlite3'],
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);" },
  legalComments: 'linked',
  logLevel: 'warning',
});
