// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner. Node 20's
// `--test DIR` would also run helpers and fixtures, so the files are listed explicitly.
// Extra arguments are passed on to node (e.g. --test-name-pattern).
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

const files = find('dist/test').sort();
if (files.length === 0) {
  console.error('no compiled tests in dist/test: run `npm run build` first');
  process.exit(1);
}
const child = spawn(process.execPath, ['--test', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
