// Processes are started in one place: only the exec module and the detached launcher may import
// node:child_process (ARCHITECTURE.md, platform/).
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../support/entry.js';

const ALLOWED = new Set(['src/platform/exec.ts', 'src/platform/detached-launch.ts']);

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

test('only src/platform/exec.ts and detached-launch.ts import node:child_process', async () => {
  const files = await sources(path.join(projectRoot, 'src'));
  assert.ok(files.length > 50, `found the sources under ${projectRoot}/src`);
  const offenders: string[] = [];
  for (const file of files) {
    const rel = path.relative(projectRoot, file).split(path.sep).join('/');
    if (ALLOWED.has(rel)) continue;
    if (/['"](node:)?child_process['"]/.test(await readFile(file, 'utf8'))) offenders.push(rel);
  }
  assert.deepEqual(offenders, [], `these files import node:child_process; start processes through src/platform/exec.ts (or detached-launch.ts): ${offenders.join(', ')}`);
});
