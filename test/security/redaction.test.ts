// Issue 12 item 4: secret values of every shape stay out of the deployment log, `slipway logs`,
// API responses, the server's own log and the database: a multi-line PEM key, a value with
// quotes, spaces and backslashes printed raw, in two chunks, as JSON, util.inspect, URL- and
// form-encoded; and a value that was replaced or unset while the release that printed it still
// runs, also after the control plane restarted.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiClient } from '../../src/cli/api-client.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { runCli, serverEnv } from '../cli/run-cli.js';
import { SERVER_JS } from '../http/app-repo.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, logText, waitTerminal } from '../support/deploy-client.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const rand = (n: number) => randomBytes(n).toString('base64').replace(/[+/=]/g, 'x');
const PEM = ['-----BEGIN PRIVATE KEY-----', rand(48), rand(48), rand(20), '-----END PRIVATE KEY-----'].join('\n');
const TOKEN = `tok_${rand(12)} & 'single' "double" \\ back=slash`;
const OLD = `old_${rand(16)}`;
const GONE = `gone_${rand(16)}`;
const CANARIES = { PEM, TOKEN, OLD, GONE };

// Prints every secret it sees in every form, the token also in two writes with a pause between.
const PRINT_SECRETS = `const util = require('node:util');
for (const name of ['PEM', 'TOKEN', 'OLD', 'GONE']) {
  const v = process.env[name];
  if (!v) continue;
  console.log(name + ' raw ' + v);
  console.log(name + ' json ' + JSON.stringify(v));
  console.log(name + ' inspect ' + util.inspect(v));
  console.log(name + ' url ' + encodeURIComponent(v));
  console.log(name + ' form ' + new URLSearchParams({ v }).toString());
  console.error(name + ' stderr ' + v);
}
const t = process.env.TOKEN;
process.stdout.write('chunked ' + t.slice(0, 6));
setTimeout(() => process.stdout.write(t.slice(6) + ' end\\n'), 100);
`;

// The app prints what it was started with, so \`slipway logs\` has the values too.
const APP_JS = `console.log('app sees OLD=' + process.env.OLD + ' GONE=' + process.env.GONE + ' PEM=' + JSON.stringify(process.env.PEM));
${SERVER_JS}`;

const SPEC = `driver: process
processes:
  web:
    command: ["node", "server.js"]
    http: true
    health: { path: /healthz, interval: 200ms, timeout: 1s, retries: 3 }
release:
  - ["node", "print-secrets.cjs"]
environments:
  staging:
    branch: main
    route: { host: redaction.test }
`;

/** Every canary found in `text`, in any of its lines (a PEM body line alone counts too). */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(CANARIES)) {
    const pieces = value.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
    const tokenCore = name === 'TOKEN' ? [value.slice(4, 20)] : [];
    for (const p of [...pieces, ...tokenCore]) if (text.includes(p)) found.push(`${name}: ${p.slice(0, 12)}…`);
  }
  return found;
}

describe('redaction is complete', { timeout: 180_000 }, () => {
  let dataDir: string;
  let repo: TestRepo;
  let server: ServerProcess;
  let client: ApiClient;
  let deployLog = '';

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-redact-'));
    repo = await createTestRepo();
    await repo.commit({ 'slipway.yml': SPEC, 'server.js': APP_JS, 'print-secrets.cjs': PRINT_SECRETS, 'package.json': '{ "name": "r", "private": true, "type": "module" }\n' }, 'first');
    await repo.push('main');
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
    await client.createApp({ name: 'red', repo: repo.bare });
    for (const [name, value] of Object.entries(CANARIES)) await client.setSecret('red', name, new Sensitive(value));
    const { deployment } = await client.deploy('red', 'staging');
    const done = await waitTerminal(client, deployment.id, 120_000);
    deployLog = await logText(client, deployment.id);
    assert.equal(done.status, 'succeeded', `${done.error ?? ''}\n${deployLog}`);
    // While that release still runs with them: OLD is replaced, GONE is unset; then a restart.
    await client.setSecret('red', 'OLD', new Sensitive(`new_${rand(16)}`));
    await runCli(['secrets', 'unset', 'red', 'GONE'], { env: serverEnv(server) });
    server.kill('SIGTERM');
    await server.exited;
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    await repo?.cleanup();
  });

  test('the release printed every form (the test would prove nothing otherwise)', () => {
    for (const form of ['raw', 'json', 'inspect', 'url', 'form', 'stderr']) assert.match(deployLog, new RegExp(`TOKEN ${form} `));
    assert.match(deployLog, /chunked .* end/);
    assert.match(deployLog, /\[redacted\]/);
  });

  test('the deployment log holds no canary in any form', () => {
    assert.deepEqual(leaks(deployLog), []);
  });

  test('slipway logs, after the values were replaced or unset and the server restarted, holds none', async () => {
    const r = await runCli(['logs', 'red', 'staging', '--tail', '50'], { env: serverEnv(server) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /app sees OLD=\[redacted\] GONE=\[redacted\]/);
    assert.deepEqual(leaks(r.stdout + r.stderr), []);
  });

  test('API responses and the server log hold none', async () => {
    const { deployments } = await client.listDeployments({ app: 'red', env: 'staging', limit: 5 });
    const views = await Promise.all(deployments.map((d) => client.getDeployment(d.id)));
    const bodies = JSON.stringify([deployments, views, await client.status('red'), await client.listSecrets('red')]);
    assert.deepEqual(leaks(bodies), []);
    assert.deepEqual(leaks(server.logs()), []);
  });

  test('the database files hold none', async () => {
    for (const f of (await readdir(dataDir)).filter((n) => n.startsWith('slipway.db'))) {
      const bytes = (await readFile(path.join(dataDir, f))).toString('latin1');
      assert.deepEqual(leaks(bytes), [], f);
    }
  });
});
