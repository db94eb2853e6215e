// Runs each compiled test file (dist/test/**/*.test.js, found as scripts/run-tests.mjs finds them)
// alone, one after the other, in its own `node --test` process: a test file must not depend on
// another file having run first. An optional argument keeps only the files whose path contains it
// (e.g. `npm run test:alone -- test/cli`). Prints each file's result and duration, then
// "N passed, N failed"; exits 1 when any file failed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  });
}

/** `test/cli` and `dist/test/cli` both select dist/test/cli/**. */
function matches(file, filter) {
  if (!filter) return true;
  const wanted = filter.replace(/^dist\//, '').replace(/\.ts$/, '');
  return file.replace(/^dist\//, '').includes(wanted);
}

function runAlone(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--test', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (output += s));
    child.on('close', (code, signal) => resolve({ ok: code === 0 && !signal, ms: performance.now() - started, output, code, signal }));
  });
}

const filter = process.argv[2];
let files;
try {
  files = find('dist/test').sort().filter((f) => matches(f, filter));
} catch {
  files = [];
}
if (files.length === 0) {
  console.error(filter ? `no compiled test file matches "${filter}" in dist/test (run \`npm run build\` first?)` : 'no compiled tests in dist/test: run `npm run build` first');
  process.exit(1);
}

let passed = 0;
let failed = 0;
for (const file of files) {
  const r = await runAlone(file);
  const seconds = `${(r.ms / 1000).toFixed(1)} s`;
  if (r.ok) {
    passed++;
    console.log(`pass  ${file}  (${seconds})`);
  } else {
    failed++;
    console.log(`FAIL  ${file}  (${seconds}, ${r.signal ? `signal ${r.signal}` : `exit ${r.code}`})`);
    console.log(r.output.replace(/^/gm, '    | ').trimEnd());
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
