import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FakeControlPlane, sendJson } from './fake-control-plane.js';
import { at } from './fixtures.js';
import { runCli, serverEnv, tempDir } from './run-cli.js';

const VALUE = 'postgres://app:s3cr3t-Pa55@db/app';
const SECRET = '/api/apps/hello/secrets/DATABASE_URL';
const view = { appId: 'app_1', environmentId: 'env_1', name: 'DATABASE_URL', createdAt: at(0), updatedAt: at(0), app: 'hello', environment: 'staging' };

describe('slipway secrets', () => {
  let server: FakeControlPlane;
  const tmp = tempDir();
  /** The command line of the CLI process, read from /proc while the server holds the request. */
  let seenCmdline: string | null = null;
  let cliPid: number | undefined;
  before(async () => {
    server = await FakeControlPlane.start();
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });
  beforeEach(() => {
    server.received.length = 0;
    seenCmdline = null;
    server.on('PUT', SECRET, (_req, res) => {
      const proc = `/proc/${cliPid}/cmdline`;
      if (cliPid && existsSync(proc)) seenCmdline = readFileSync(proc, 'utf8').split('\0').join(' ');
      sendJson(res, 200, { secret: view });
    });
  });

  it('set reads the value from piped stdin and sends it only in the request body', async () => {
    const r = await runCli(['secrets', 'set', 'hello', 'DATABASE_URL', '--env', 'staging'], {
      env: serverEnv(server),
      input: `${VALUE}\n`,
      onSpawn: (child) => (cliPid = child.pid),
    });
    assert.equal(r.code, 0, r.stderr);
    const put = server.requestsTo('PUT', SECRET);
    assert.equal(put.length, 1);
    assert.deepEqual(JSON.parse(put[0]?.body.toString() ?? ''), { value: VALUE, env: 'staging' });
    assert.ok(!put[0]?.query.toString().includes('s3cr3t'), 'not in the URL');
    if (existsSync('/proc/self/cmdline')) {
      assert.ok(seenCmdline?.includes('DATABASE_URL'), `read the running CLI's argv: ${seenCmdline}`);
      assert.ok(!seenCmdline?.includes('s3cr3t'), 'the value is not on the command line');
    }
    assert.ok(!r.stdout.includes('s3cr3t') && !r.stderr.includes('s3cr3t'), 'the value is never printed');
    assert.match(r.stdout, /set DATABASE_URL for hello\/staging/);
  });

  it('set --value-from-file reads the file (dropping one trailing newline)', async () => {
    const f = path.join(tmp.dir, 'value.txt');
    writeFileSync(f, `${VALUE}\n`);
    const r = await runCli(['secrets', 'set', 'hello', 'DATABASE_URL', '--value-from-file', f], { env: serverEnv(server) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(server.requestsTo('PUT', SECRET)[0]?.body.toString() ?? ''), { value: VALUE });
  });

  it('set refuses an empty value with exit 2 and sends nothing', async () => {
    const r = await runCli(['secrets', 'set', 'hello', 'DATABASE_URL'], { env: serverEnv(server), input: '' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: the secret value is empty/);
    assert.equal(server.received.length, 0);
  });

  it('set has no way to take the value as an argument', async () => {
    const r = await runCli(['secrets', 'set', 'hello', 'DATABASE_URL', VALUE], { env: serverEnv(server) });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /too many arguments/);
    assert.equal(server.received.length, 0);
    const r2 = await runCli(['secrets', 'set', 'hello', 'DATABASE_URL', '--value', VALUE], { env: serverEnv(server) });
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /unknown option '--value'/);
  });

  it('list --json prints the API JSON; unset sends env as a query parameter', async () => {
    server.reply('GET', '/api/apps/hello/secrets', 200, { secrets: [view] });
    server.reply('DELETE', SECRET, 204);
    const list = await runCli(['secrets', 'list', 'hello', '--env', 'staging', '--json'], { env: serverEnv(server) });
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), { secrets: [view] });
    assert.equal(server.requestsTo('GET', '/api/apps/hello/secrets')[0]?.query.get('env'), 'staging');
    const unset = await runCli(['secrets', 'unset', 'hello', 'DATABASE_URL', '--env', 'staging'], { env: serverEnv(server) });
    assert.equal(unset.code, 0, unset.stderr);
    assert.equal(server.requestsTo('DELETE', SECRET)[0]?.query.get('env'), 'staging');
  });
});
