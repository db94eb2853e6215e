// The bundle (dist/bundle/slipway.mjs, what `npm start` and the `slipway` bin run) does what the tsc
// output does: `slipway up` starts the control plane and the edge, launches a release supervisor
// and deploys the example app, all from bundle files (the programs the server spawns are found
// next to the bundle's chunks). Skipped when the bundle is not built (`npm run build`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { baseChildEnv } from '../../src/platform/env.js';
import { projectRoot } from '../support/entry.js';
import { killDetached } from '../support/server-process.js';

const bundle = path.join(projectRoot, 'dist', 'bundle', 'slipway.mjs');

/** fetch() does not let a caller set Host; the edge routes by it. */
function getWithHost(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}/ through the edge timed out`)));
    req.on('error', reject);
  });
}

async function cmdline(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
}

test('slipway up from the bundle deploys the example app through the edge', { skip: existsSync(bundle) ? false : `${bundle} is not built`, timeout: 180_000 }, async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-bundle-'));
  // As root, the app's code runs as its own user, who must pass through to the data dir below.
  await chmod(dataDir, 0o711);
  const child = spawn(process.execPath, [bundle, 'up'], {
    cwd: dataDir,
    env: { ...baseChildEnv(), SLIPWAY_DATA_DIR: path.join(dataDir, 'data'), SLIPWAY_PORT: '0', SLIPWAY_EDGE_PORT: '0', SLIPWAY_EDGE_HTTPS_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    const deadline = Date.now() + 150_000;
    while (!/slipway: serving/.test(output)) {
      if (child.exitCode !== null) assert.fail(`slipway up exited (${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) assert.fail(`slipway up did not finish within 150 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(output, /deploy #1 \S+ succeeded/, output);
    const at = /answers at http:\/\/([^:/]+):(\d+)\//.exec(output);
    assert.ok(at?.[1] && at[2], `no address in:\n${output}`);
    const res = await getWithHost(Number(at[2]), at[1]);
    assert.equal(res.status, 200, res.body);
    assert.equal((JSON.parse(res.body) as { app?: string }).app, 'hello');

    // The edge and the supervisor run from the bundle's files, not from dist/src.
    const edge = JSON.parse(await readFile(path.join(dataDir, 'data', 'edge', 'edge.json'), 'utf8')) as { pid: number };
    const edgeArgs = await cmdline(edge.pid);
    assert.ok(edgeArgs.some((a) => a.startsWith(path.join(projectRoot, 'dist', 'bundle') + path.sep)), `edge runs ${edgeArgs.join(' ')}`);
    const status = spawn(process.execPath, [bundle, 'status', 'hello', '--json'], {
      env: { ...baseChildEnv(), SLIPWAY_DATA_DIR: path.join(dataDir, 'data') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let json = '';
    status.stdout.setEncoding('utf8').on('data', (s: string) => (json += s));
    assert.equal(await new Promise((r) => status.once('close', r)), 0);
    const staging = (JSON.parse(json) as { environments: { environment: string; health?: string }[] }).environments.find((e) => e.environment === 'staging');
    assert.equal(staging?.health, 'healthy', json);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await killDetached(path.join(dataDir, 'data'));
    await rm(dataDir, { recursive: true, force: true });
  }
});
