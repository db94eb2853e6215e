// Issue 12 item 7: build and release processes are killed with their process group on cancel,
// on failure, and after a control-plane crash. Real `slipway server` processes deploy apps whose
// build commands start a background job (a grandchild in the command's process group) and wait;
// each writes the pids of the command and of its job to a marker dir outside the data dir.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiClient } from '../../src/cli/api-client.js';
import { pidAlive } from '../../src/drivers/process/proc-identity.js';
import { SERVER_JS } from '../http/app-repo.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, waitTerminal } from '../support/deploy-client.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { waitUntil } from '../support/wait-until.js';

function spec(build: string[]): string {
  return `driver: process
processes:
  web:
    command: ["node", "server.js"]
    http: true
    instances: 1
    health: { path: /healthz, interval: 200ms, timeout: 1s, retries: 3, start_period: 20s }
build: [${JSON.stringify(build)}]
environments:
  staging: { branch: main }
`;
}

describe('build processes never outlive their deployment (real server process)', { timeout: 180_000 }, () => {
  let dataDir: string;
  let marks: string;
  let server: ServerProcess | undefined;
  let client: ApiClient;
  const repos: TestRepo[] = [];
  const pids: number[] = [];

  async function start(): Promise<void> {
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
  }

  /** An app whose build starts `sleep 600` in the background, records both pids, then does `then`. */
  async function app(name: string, then: 'wait' | 'exit 3'): Promise<void> {
    // `$$$$`: slipway.yml's argv takes `$$` for a literal `$`, so the shell sees `$$` (its own pid).
    const script = `sleep 600 & echo $! > ${marks}/${name}.job; echo $$$$ > ${marks}/${name}.command; ${then}`;
    const repo = await createTestRepo();
    repos.push(repo);
    await repo.commit({ 'slipway.yml': spec(['sh', '-c', script]), 'server.js': SERVER_JS, 'package.json': '{ "name": "app", "private": true, "type": "module" }\n' }, 'first');
    await repo.push('main');
    await client.createApp({ name, repo: repo.bare });
  }

  /** The pids the build of `name` recorded (the command, its background job), once both are written. */
  async function buildPids(name: string): Promise<{ command: number; job: number }> {
    const read = async (what: string) => Number((await readFile(path.join(marks, `${name}.${what}`), 'utf8').catch(() => '')).trim());
    await waitUntil(`the build of ${name} to record its pids`, async () => (await read('command')) > 0 && (await read('job')) > 0, 30_000, 50);
    const found = { command: await read('command'), job: await read('job') };
    pids.push(found.command, found.job);
    return found;
  }

  async function waitGone(what: string, ...list: number[]): Promise<void> {
    const alive = async () => (await Promise.all(list.map((p) => pidAlive(p)))).some(Boolean);
    await waitUntil(`${what} (pids ${list.join(', ')}) to be gone`, async () => !(await alive()), 15_000, 50);
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-orphans-'));
    marks = await mkdtemp(path.join(os.tmpdir(), 'slipway-orphan-marks-'));
    // As root, builds run as each app's own user: it must be able to leave its marks here.
    await chmod(marks, 0o1777);
    await start();
  });

  after(async () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    await stopControlPlane(server, dataDir);
    for (const repo of repos) await repo.cleanup();
    await rm(marks, { recursive: true, force: true });
  });

  test('a failed build command takes its background job with it, and the failure is reported at once', async () => {
    await app('fails', 'exit 3');
    const { deployment } = await client.deploy('fails', 'staging');
    const { job } = await buildPids('fails');
    const done = await waitTerminal(client, deployment.id, 20_000);
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /exit(ed with)? (code )?3/);
    await waitGone('the failed build\'s background job', job);
  });

  test('a cancelled deployment kills the build command and its background job', async () => {
    await app('cancelled', 'wait');
    const { deployment } = await client.deploy('cancelled', 'staging');
    const { command, job } = await buildPids('cancelled');
    await client.cancelDeployment(deployment.id);
    const done = await waitTerminal(client, deployment.id, 30_000);
    assert.equal(done.status, 'cancelled');
    await waitGone('the cancelled build', command, job);
  });

  test('after the control plane is killed mid-build, its next start kills the orphaned group', async () => {
    await app('orphan', 'wait');
    await client.deploy('orphan', 'staging');
    const { command, job } = await buildPids('orphan');
    server?.kill('SIGKILL');
    await server?.exited;
    server = undefined;
    assert.ok((await pidAlive(command)) && (await pidAlive(job)), 'the build outlived the control plane (its own process group)');
    await start();
    await waitGone('the orphaned build', command, job);
  });
});
