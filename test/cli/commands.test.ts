import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeControlPlane, sendJson } from './fake-control-plane.js';
import { at, deployment, deploymentView, helloApp, stagingStatus } from './fixtures.js';
import { runCli, serverEnv } from './run-cli.js';

const lock = { environmentId: 'env_1', owner: 'manual:alice', kind: 'manual', reason: 'db migration', deploymentId: null, acquiredAt: at(0), heartbeatAt: at(0), expiresAt: at(99999), app: 'hello', environment: 'staging' };
const release = { id: 'rel_9', appId: 'app_1', environmentId: 'env_1', deploymentId: 'dep_1', commitSha: 'abcdef1234567890', commitSubject: 'Add greetings page', artifact: null, status: 'live', driverState: {}, spec: {}, notes: [], trigger: 'manual', deployedBy: 'admin', createdAt: at(0), deployedAt: at(13) };
const auditEvent = { id: 41, at: at(2), actor: 'admin', action: 'deployment.create', target: 'hello/staging', outcome: 'ok', details: {} };
const logLines = [{ deploymentId: 'dep_1', seq: 1, at: at(1), stream: 'step', step: 'build', text: '==> build' }];

describe('slipway read commands and exit codes', () => {
  let server: FakeControlPlane;
  let env: Record<string, string>;
  before(async () => {
    server = await FakeControlPlane.start();
    env = serverEnv(server);
    server
      .reply('GET', '/api/apps', 200, { apps: [helloApp] })
      .reply('GET', '/api/apps/hello', 200, { app: helloApp })
      .reply('GET', '/api/status', 200, { environments: [stagingStatus] })
      .reply('GET', '/api/deployments', 200, { deployments: [deploymentView({ status: 'succeeded' })] })
      .reply('GET', '/api/deployments/dep_1', 200, { deployment: deploymentView() })
      .reply('GET', '/api/deployments/dep_1/log', 200, { lines: logLines })
      .reply('GET', '/api/apps/hello/environments/staging/releases', 200, { releases: [release] })
      .reply('GET', '/api/locks', 200, { locks: [lock] })
      .reply('GET', '/api/audit', 200, { events: [auditEvent] })
      .reply('POST', '/api/deployments/dep_1/cancel', 202, { deployment: deployment({ cancelRequested: true, status: 'running' }) })
      .reply('PUT', '/api/apps/hello/environments/staging/lock', 200, { lock })
      .reply('DELETE', '/api/apps/hello/environments/staging/lock', 204)
      .reply('PUT', '/api/apps/hello/environments/staging/maintenance', 200, { ok: true })
      .reply('POST', '/api/apps', 201, { app: helloApp })
      .reply('GET', '/api/apps/nope', 404, { error: { code: 'not_found', message: 'app "nope" was not found', details: {} } });
  });
  after(() => server.close());

  const jsonCases: Array<[string[], unknown]> = [
    [['apps', 'list'], { apps: [helloApp] }],
    [['apps', 'show', 'hello'], { app: helloApp }],
    [['status'], { environments: [stagingStatus] }],
    [['deployments', 'list', 'hello', 'staging', '--status', 'succeeded', '--limit', '5'], { deployments: [deploymentView({ status: 'succeeded' })] }],
    [['deployments', 'show', 'dep_1'], { deployment: deploymentView() }],
    [['deployments', 'logs', 'dep_1'], { lines: logLines }],
    [['releases', 'hello', 'staging'], { releases: [release] }],
    [['locks'], { locks: [lock] }],
    [['audit', '--limit', '10'], { events: [auditEvent] }],
  ];
  for (const [args, expected] of jsonCases) {
    it(`${args.join(' ')} --json prints exactly the API's JSON`, async () => {
      const r = await runCli([...args, '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), expected);
    });
  }

  it('passes list filters as query parameters', async () => {
    assert.equal((await runCli(['deployments', 'list', 'hello', 'staging', '--status', 'succeeded', '--limit', '5', '--json'], { env })).code, 0);
    assert.equal((await runCli(['audit', '--limit', '10', '--json'], { env })).code, 0);
    const q = server.requestsTo('GET', '/api/deployments').at(-1)?.query;
    assert.deepEqual(Object.fromEntries(q ?? []), { app: 'hello', env: 'staging', status: 'succeeded', limit: '5' });
    assert.equal(server.requestsTo('GET', '/api/audit').at(-1)?.query.get('limit'), '10');
  });

  it('status prints a table with the release, sha7 and subject, deployer, last deployment and lock', async () => {
    const r = await runCli(['status'], { env });
    assert.equal(r.code, 0, r.stderr);
    const [header, row] = r.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^APP\s+ENV\s+RELEASE\s+COMMIT\s+DEPLOYED\s+BY\s+LAST DEPLOYMENT\s+LOCK$/);
    assert.match(row ?? '', /^hello\s+staging\s+rel_9\s+abcdef1 Add greetings page\s+2026-11-22 10:00 \(.+\)\s+admin\s+#7 deploy succeeded\s+manual:alice: db migration$/);
  });

  it('status APP adds the runtime view: every instance with its state and error', async () => {
    const runtime = {
      releaseId: 'rel_9',
      healthy: false,
      instances: [
        { process: 'web', instance: '0', state: 'healthy', pid: 4242, port: 41000, restarts: 0 },
        { process: 'worker', instance: '0', state: 'failed', restarts: 5, error: 'exited with code 1' },
      ],
    };
    server.on('GET', '/api/status', (req, res) =>
      sendJson(res, 200, { environments: [req.query.get('app') === 'hello' ? { ...stagingStatus, runtime } : stagingStatus] }),
    );
    const r = await runCli(['status', 'hello'], { env }).finally(() => server.reply('GET', '/api/status', 200, { environments: [stagingStatus] }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nhello\/staging: release rel_9, NOT healthy\nPROCESS\s+INSTANCE\s+STATE/);
    assert.match(r.stdout, /\nweb\s+0\s+healthy\s+-\s+4242\s+41000\s+0\n/);
    assert.match(r.stdout, /\nworker\s+0\s+failed\s+-\s+-\s+-\s+5\s+exited with code 1$/m);
  });

  it('mutating commands send what was asked', async () => {
    const create = await runCli(['apps', 'create', 'hello', '--repo', '/srv/git/hello.git', '--ref', 'main'], { env });
    assert.equal(create.code, 0, create.stderr);
    assert.deepEqual(JSON.parse(server.requestsTo('POST', '/api/apps').at(-1)?.body.toString() ?? ''), { name: 'hello', repo: '/srv/git/hello.git', ref: 'main' });
    assert.match(create.stdout, /created app hello \(process\) with environments: staging, production/);

    const lockRun = await runCli(['lock', 'hello', 'staging', '--reason', 'db migration'], { env });
    assert.equal(lockRun.code, 0, lockRun.stderr);
    assert.deepEqual(JSON.parse(server.requestsTo('PUT', '/api/apps/hello/environments/staging/lock').at(-1)?.body.toString() ?? ''), { reason: 'db migration' });
    assert.equal((await runCli(['unlock', 'hello', 'staging'], { env })).code, 0);

    const m = await runCli(['maintenance', 'on', 'hello', 'staging', '--message', 'back soon'], { env });
    assert.equal(m.code, 0, m.stderr);
    assert.deepEqual(JSON.parse(server.requestsTo('PUT', '/api/apps/hello/environments/staging/maintenance').at(-1)?.body.toString() ?? ''), { enabled: true, message: 'back soon' });

    const c = await runCli(['deployments', 'cancel', 'dep_1'], { env });
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /cancel requested for deployment dep_1/);
  });

  it('exits 1 with `error: <message>` on an API 4xx', async () => {
    const r = await runCli(['apps', 'show', 'nope'], { env });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: app "nope" was not found\n');
    assert.equal(r.stdout, '');
  });

  it('with --json an API error is JSON on stdout, with the same exit status', async () => {
    const r = await runCli(['apps', 'show', 'nope', '--json'], { env });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(JSON.parse(r.stdout), { error: { code: 'not_found', message: 'app "nope" was not found' } });
  });

  const usage: Array<[string[], RegExp]> = [
    [['frobnicate'], /error: unknown command 'frobnicate'/],
    [['apps', 'list', '--colour'], /error: unknown option '--colour'/],
    [['deploy', 'hello'], /error: missing required argument 'env'/],
    [['lock', 'hello', 'staging'], /error: required option '--reason <text>' not specified/],
    [['audit', '--limit', 'ten'], /error: option '--limit <n>' argument 'ten' is invalid/],
    [['deployments', 'list', '--status', 'done'], /error: option '--status <status>' argument 'done' is invalid/],
    [['maintenance', 'maybe', 'hello', 'staging'], /error: command-argument value 'maybe' is invalid/],
    [['deploy', 'hello', 'staging', '--ref', 'main', '--upload', 'x.tgz'], /cannot be used with option '--ref <ref>'/],
    [['apps'], /Usage: slipway apps/],
  ];
  for (const [args, re] of usage) {
    it(`exits 2 on a usage error, with a hint: ${args.join(' ')}`, async () => {
      const before = server.received.length;
      const r = await runCli(args, { env });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      if (args.length > 1) assert.match(r.stderr, /--help/);
      assert.equal(server.received.length, before, 'nothing was sent');
    });
  }

  it('--help and --version exit 0', async () => {
    const h = await runCli(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Usage: slipway/);
    const v = await runCli(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
