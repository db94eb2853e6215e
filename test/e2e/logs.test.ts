// `slipway logs` end to end on the embedded default: a real server, the real edge, the fixture
// app deployed from git; its output read back through the API (last lines, following) and
// through the real CLI, with clear refusals for what the process driver cannot do.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import type { ApiClient } from '../../src/cli/api-client.js';
import type { RuntimeLogLine } from '../../src/core/ports/runtime-driver.js';
import { runCli, serverEnv } from '../cli/run-cli.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, waitTerminal } from '../support/deploy-client.js';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

describe('slipway logs (process driver)', { timeout: 300_000 }, () => {
  let dataDir: string;
  let app: FixtureApp;
  let server: ServerProcess;
  let client: ApiClient;
  let edgeUrl: string;

  const say = async (words: string) => {
    const res = await request(`${edgeUrl}/say?m=${encodeURIComponent(words)}`, { headers: { host: 'web.test' } });
    assert.equal(res.statusCode, 200);
    await res.body.dump();
  };

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-logs-'));
    app = await createFixtureApp();
    await app.release(1);
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
    await client.createApp({ name: 'web', repo: app.repo.bare });
    const { deployment } = await client.deploy('web', 'staging');
    const done = await waitTerminal(client, deployment.id, 120_000);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
    edgeUrl = `http://127.0.0.1:${edge.port}`;
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    await app?.repo.cleanup();
  });

  test('the last lines of every instance: start-up line, stdout and stderr', async () => {
    await say('hello there');
    const lines: RuntimeLogLine[] = [];
    for await (const l of client.logs('web', 'staging', { tail: 20 })) lines.push(l);
    const texts = lines.map((l) => l.text);
    assert.ok(texts.some((t) => /^v1 listening on \d+$/.test(t)), texts.join('\n'));
    assert.ok(texts.includes('said: hello there'), texts.join('\n'));
    assert.ok(texts.includes('said on stderr: hello there'), texts.join('\n'));
    assert.ok(lines.every((l) => l.service === 'web' && l.instance !== null));
    // Every line is stamped by the supervisor with when it was written and on which stream.
    const said = lines.find((l) => l.text === 'said on stderr: hello there');
    assert.equal(said?.stream, 'stderr');
    assert.ok(lines.every((l) => l.time !== null && Math.abs(Date.parse(l.time) - Date.now()) < 10 * 60_000), JSON.stringify(lines));
  });

  test('--follow streams lines as the app writes them', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const l of client.logs('web', 'staging', { follow: true, tail: 0 }, { signal: controller.signal })) seen.push(l.text);
    })().catch((err: unknown) => {
      if (!controller.signal.aborted) throw err;
    });
    const deadline = Date.now() + 20_000;
    for (let i = 0; !seen.some((t) => t.startsWith('said: live ')); i++) {
      assert.ok(Date.now() < deadline, `nothing followed: ${JSON.stringify(seen)}`);
      await say(`live ${i}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    controller.abort();
    await following;
    assert.ok(!seen.includes('said: hello there'), '--tail 0 starts at the end');
  });

  test('the CLI prints time- and instance-prefixed lines; --since filters; a bad --since and an unknown process are refused with the fix', async () => {
    const env = serverEnv(server);
    const out = await runCli(['logs', 'web', 'staging', 'web', '--tail', '50'], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z web\.[01] \| said: hello there$/m);
    const marker = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await say('after the marker');
    const deadline = Date.now() + 10_000;
    let since = await runCli(['logs', 'web', 'staging', '--since', marker], { env });
    while (!since.stdout.includes('said: after the marker') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      since = await runCli(['logs', 'web', 'staging', '--since', marker], { env });
    }
    assert.equal(since.code, 0, since.stderr);
    assert.match(since.stdout, /said: after the marker/);
    assert.doesNotMatch(since.stdout, /said: hello there/);
    const badSince = await runCli(['logs', 'web', 'staging', '--since', 'yesterday'], { env });
    assert.notEqual(badSince.code, 0);
    assert.match(badSince.stderr, /since: expected Unix seconds or an RFC 3339 time/);
    const unknown = await runCli(['logs', 'web', 'staging', 'nope'], { env });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no process "nope"/);
    const badTail = await runCli(['logs', 'web', 'staging', '--tail', 'lots'], { env });
    assert.equal(badTail.code, 2);
    assert.match(badTail.stderr, /--tail lots: expected a whole number/);
  });

  test('a deployment is addressed by the number every output shows: 1, #1, web#1, --app web', async () => {
    const env = serverEnv(server);
    const { deployments } = await client.listDeployments({ app: 'web' });
    const first = deployments.find((d) => d.number === 1);
    assert.ok(first);
    for (const args of [['1'], ['#1'], ['web#1'], ['1', '--app', 'web'], [first.id]]) {
      const r = await runCli(['deployments', 'show', ...args, '--json'], { env });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal((JSON.parse(r.stdout) as { deployment: { id: string } }).deployment.id, first.id);
    }
    const logs = await runCli(['deployments', 'logs', 'web#1'], { env });
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /resolve-source/);
    const missing = await runCli(['deployments', 'show', 'web#99'], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /deployment "#99 of app web" was not found/);
  });
});
