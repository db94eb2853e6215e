// Bundles the entry points that start as their own processes into ESM files under dist/bundle/
// (a few files to load at start instead of ~300). better-sqlite3 is native and stays external.
//   dist/bundle/builds/<id>/        one build, never rewritten: <id> is the hash of its files
//     slipway.mjs                   the CLI and `slipway server`/`up`; code used only on some paths
//                                   (the server itself, the S3 client, the edge command, ...) is split
//                                   into chunks/*.mjs, loaded by dynamic import
//     edge.mjs                      the edge, one file (the Swarm edge image's program)
//     <dir>/edge/main.js, <dir>/supervisor-main.js, <dir>/spec-parse-worker.js
//                                   the programs (and the worker thread) the server spawns, found relative to the chunk
//                                   that holds src/edge-process.ts / supervisor-launch.ts, as in dist/src
//   dist/bundle/slipway.mjs         a two-line entry that imports the newest build (what `bin` and `npm start` run)
//   dist/bundle/edge.mjs            a copy of the newest build's edge.mjs
// A build in progress writes to a staging dir and then swaps the entry files by rename, so a running
// server (which loads chunks lazily, and whose supervisors and edge run from files of its build)
// never sees its files rewritten or deleted; the newest KEEP_BUILDS builds are kept.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundleDir = path.join(root, 'dist', 'bundle');
const buildsDir = path.join(bundleDir, 'builds');
const KEEP_BUILDS = 4;
const outdir = path.join(bundleDir, `.staging-${process.pid}`);
const requireFromRoot = createRequire(path.join(root, 'package.json'));

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['better-sqlite3'],
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);" },
  legalComments: 'linked',
  // Smaller sources to read, parse and keep in memory; identifiers stay, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

/**
 * esbuild's split chunk for a dynamically imported CommonJS package exports only `default`, so
 * `const { Pool } = await import('undici')` found no Pool. An ESM facade in front of each such
 * package re-exports its names (read from the installed package at build time) one by one.
 * List here every CommonJS package the source loads with `await import(...)`.
 */
const cjsDynamicImports = ['undici'];
const esmFacadeForDynamicImports = {
  name: 'esm-facade-for-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'dynamic-import' && cjsDynamicImports.includes(args.path)
        ? { path: args.path, namespace: 'esm-facade' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'esm-facade' }, async (args) => {
      const names = Object.keys(requireFromRoot(args.path)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
      const spec = JSON.stringify(args.path);
      return {
        contents: `import * as m from ${spec};\n${names.map((n) => `export const ${n} = m.${n};`).join('\n')}\nexport default m;\n`,
        resolveDir: root,
      };
    });
  },
};

/**
 * zod re-exports every locale (`z.locales.*`, ~300 KB of source) although only English, which it
 * registers itself, is used: the control plane's messages are English (core/config-file.ts words
 * them). The bundle's `z.locales` has `en` only.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: path.join(path.dirname(args.importer), args.path), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';\n",
      resolveDir: path.dirname(args.path),
    }));
  },
};

await rm(outdir, { recursive: true, force: true });

await build({ ...common, entryPoints: { edge: 'src/edge/main.ts' }, outdir, outExtension: { '.js': '.mjs' } });

const cli = await build({
  ...common,
  // Fastify requires its JSON-schema compilers only when no compilersFactory is given; the HTTP app
  // gives one (src/http/http-app.ts), so they never load. Left out of the bundle; should a future
  // route need them, they resolve from node_modules.
  // dockerode (the Swarm driver, loaded on first use) brings ssh2 with optional native addons that
  // it requires inside try/catch; from node_modules they load as they do for dist/src.
  external: [...common.external, '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'dockerode'],
  entryPoints: { slipway: 'src/cli/main.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  plugins: [esmFacadeForDynamicImports, zodEnglishOnly],
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});

for (const [file, input] of Object.entries(cli.metafile.inputs)) {
  for (const imp of input.imports) {
    if (imp.kind === 'dynamic-import' && cli.metafile.inputs[imp.path]?.format === 'cjs') {
      throw new Error(`bundle: ${file} imports the CommonJS module ${imp.original ?? imp.path} dynamically; add it to cjsDynamicImports`);
    }
  }
}

// The server spawns the edge and the release supervisors through paths relative to its own module
// (src/edge-process.ts, src/drivers/process/supervisor-launch.ts). Put the programs where those
// paths point from the chunk each module landed in.
const spawners = {
  'src/edge-process.ts': async (dir) => {
    await mkdir(path.join(dir, 'edge'), { recursive: true });
    // A copy, not an import shim: the edge runs only when import.meta.url is process.argv[1].
    await copyFile(path.join(outdir, 'edge.mjs'), path.join(dir, 'edge', 'main.js'));
  },
  'src/drivers/process/supervisor-launch.ts': async (dir) => {
    // The basename is what supervisor-control.ts recognizes a supervisor by.
    await build({ ...common, entryPoints: ['src/drivers/process/supervisor-main.ts'], outfile: path.join(dir, 'supervisor-main.js') });
  },
  'src/spec-parser/worker-spec-parser.ts': async (dir) => {
    // The slipway.yml parser's worker thread (new URL('./spec-parse-worker.js', import.meta.url)).
    await build({ ...common, plugins: [zodEnglishOnly], entryPoints: ['src/spec-parser/spec-parse-worker.ts'], outfile: path.join(dir, 'spec-parse-worker.js') });
  },
};
for (const [input, place] of Object.entries(spawners)) {
  const holders = Object.entries(cli.metafile.outputs).filter(([, o]) => input in o.inputs);
  if (holders.length !== 1) throw new Error(`bundle: expected ${input} in exactly one output, found ${holders.length}`);
  await place(path.dirname(path.join(root, holders[0][0])));
}

/** Every file under dir, relative, sorted. */
async function filesUnder(dir, rel = '') {
  const out = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(dir, r)));
    else out.push(r);
  }
  return out.sort();
}

const hash = createHash('sha256');
for (const f of await filesUnder(outdir)) hash.update(f).update('\0').update(await readFile(path.join(outdir, f))).update('\0');
const id = hash.digest('hex').slice(0, 16);
const buildDir = path.join(buildsDir, id);
await mkdir(buildsDir, { recursive: true });
if (await stat(buildDir).catch(() => null)) {
  // The same build is already there (and may be running): keep it, drop ours.
  await rm(outdir, { recursive: true, force: true });
  const now = new Date();
  await utimes(buildDir, now, now);
} else {
  await rename(outdir, buildDir);
}

/** Writes a file by rename, so a reader sees the old or the new content, never a partial one. */
async function replaceFile(file, content, mode) {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}
await replaceFile(
  path.join(bundleDir, 'slipway.mjs'),
  `#!/usr/bin/env node\n// The newest build (scripts/bundle.mjs); earlier builds stay for the processes that run them.\nimport './builds/${id}/slipway.mjs';\n`,
  0o755,
);
await replaceFile(path.join(bundleDir, 'edge.mjs'), await readFile(path.join(buildDir, 'edge.mjs')), 0o644);

// Old builds beyond the newest few go; a process still running one that old has had its chance
// to load what it needs (the server loads its chunks at start and on first use of a path).
const builds = [];
for (const name of await readdir(buildsDir)) {
  const info = await stat(path.join(buildsDir, name)).catch(() => null);
  if (info?.isDirectory()) builds.push({ name, mtime: info.mtimeMs });
}
builds.sort((a, b) => b.mtime - a.mtime);
for (const old of builds.slice(KEEP_BUILDS)) {
  if (old.name !== id) await rm(path.join(buildsDir, old.name), { recursive: true, force: true });
}
// What earlier versions of this script left directly in dist/bundle (chunks/, *.LEGAL.txt, ...).
for (const name of await readdir(bundleDir)) {
  if (['builds', 'slipway.mjs', 'edge.mjs'].includes(name) || name.includes('.tmp-')) continue;
  if (!name.startsWith('.staging-')) await rm(path.join(bundleDir, name), { recursive: true, force: true });
  else if (name !== path.basename(outdir)) {
    const pid = Number(name.slice('.staging-'.length));
    if (!alive(pid)) await rm(path.join(bundleDir, name), { recursive: true, force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}
