import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FollowEvent } from '../../src/core/wire/index.js';
import { FakeControlPlane, sendJson } from './fake-control-plane.js';
import { deployment, finished, logLine, stagingStatus } from './fixtures.js';
import { runCli, serverEnv, tempDir } from './run-cli.js';

const DEPLOY = '/api/apps/hello/environments/staging/deployments';
const LOG = '/api/deployments/dep_1/log';

const succeededRun: FollowEvent[] = [
  { type: 'status', deployment: deployment({ status: 'running', startedAt: '2026-11-22T10:00:01.000Z' }) },
  { type: 'log', line: logLine(1, 'step', '==> resolve-source', 'resolve-source') },
  { type: 'log', line: logLine(2, 'info', 'main is abcdef1 "Add greetings page"', 'resolve-source') },
  { type: 'log', line: logLine(3, 'info', '<== resolve-source done in 1200 ms', 'resolve-source') },
  { type: 'log', line: logLine(4, 'step', '==> build-artifact', 'build-artifact') },
  { type: 'log', line: logLine(5, 'stdout', 'npm ci: added 12 packages', 'build-artifact') },
  { type: 'log', line: logLine(6, 'info', '<== build-artifact done in 5300 ms', 'build-artifact') },
  { type: 'status', deployment: finished('succeeded') },
];

function streamEvents(res: ServerResponse, events: FollowEvent[], opts: { dropAfter?: number } = {}): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const upTo = opts.dropAfter ?? events.length;
  for (const e of events.slice(0, upTo)) res.write(`${JSON.stringify(e)}\n`);
  if (opts.dropAfter !== undefined) {
    // A half-written line, then the connection dies: as when a proxy or the server restarts.
    res.write('{"type":"log","line":{"seq":', () => res.socket?.destroy());
  } else res.end();
}

describe('slipway deploy', () => {
  let server: FakeControlPlane;
  before(async () => {
    server = await FakeControlPlane.start();
  });
  after(() => server.close());
  beforeEach(() => {
    server.received.length = 0;
    server.reply('POST', DEPLOY, 202, { deployment: deployment() });
  });

  it('follows the log to success, shows steps with their durations and output, and exits 0', async () => {
    server.on('GET', LOG, (_req, res) => streamEvents(res, succeededRun));
    const r = await runCli(['deploy', 'hello', 'staging', '--ref', 'main'], { env: serverEnv(server) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(server.requestsTo('POST', DEPLOY)[0]?.body.toString() ?? ''), { ref: 'main' });
    const follow = server.requestsTo('GET', LOG)[0];
    assert.equal(follow?.query.get('follow'), '1');
    assert.equal(follow?.query.get('after'), '0');
    assert.match(r.stderr, /==> resolve-source\n/);
    assert.match(r.stderr, /<== resolve-source done in 1\.2s\n/);
    assert.match(r.stderr, /\n {4}npm ci: added 12 packages\n/);
    assert.match(r.stderr, /<== build-artifact done in 5\.3s/);
    assert.match(r.stdout, /deploy #7 \(dep_1\) succeeded in 12\.0s: release rel_9 is live/);
  });

  it('exits 1 and prints the error when the deployment fails', async () => {
    server.on('GET', LOG, (_req, res) =>
      streamEvents(res, [
        { type: 'log', line: logLine(1, 'step', '==> health-gate', 'health-gate') },
        { type: 'log', line: logLine(4, 'error', 'step "health-gate" failed: web never became healthy', 'health-gate') },
        { type: 'status', deployment: finished('rolled_back', { error: 'health-gate: web never became healthy' }) },
      ]),
    );
    server.reply('GET', '/api/deployments/dep_1', 200, { deployment: { ...finished('rolled_back'), app: 'hello', environment: 'staging', steps: [] } });
    server.reply('GET', '/api/status', 200, { environments: [{ ...stagingStatus, live: { ...stagingStatus.live, release: 'rel_8' } }] });
    const r = await runCli(['deploy', 'hello', 'staging'], { env: serverEnv(server) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /<== health-gate failed after 3\.0s/);
    assert.match(r.stderr, / {2}! step "health-gate" failed: web never became healthy/);
    assert.match(r.stderr, /error: deploy #7 \(dep_1\) rolled back in 12\.0s: health-gate: web never became healthy; release rel_8 is serving again/);
    assert.equal(r.stdout, '');
  });

  it('reconnects with after=<last seq> when the stream drops, showing every line once', async () => {
    let calls = 0;
    server.on('GET', LOG, (req, res) => {
      calls += 1;
      if (calls === 1) return streamEvents(res, succeededRun, { dropAfter: 4 }); // status + seq 1..3
      const afterSeq = Number(req.query.get('after'));
      // The server replays from `after`; send one already-seen line too, which must be skipped.
      const rest = succeededRun.filter((e) => (e.type === 'status' ? e.deployment.status === 'succeeded' : e.type === 'log' && e.line.seq >= afterSeq));
      streamEvents(res, rest);
    });
    server.reply('GET', '/api/deployments/dep_1', 200, { deployment: { ...deployment({ status: 'running' }), app: 'hello', environment: 'staging', steps: [] } });
    const r = await runCli(['deploy', 'hello', 'staging'], { env: serverEnv(server) });
    assert.equal(r.code, 0, r.stderr);
    const follows = server.requestsTo('GET', LOG);
    assert.equal(follows.length, 2);
    assert.equal(follows[1]?.query.get('after'), '3');
    assert.match(r.stderr, /log stream interrupted .*reconnecting after line 3/);
    assert.equal(r.stderr.match(/==> resolve-source/g)?.length, 1);
    assert.equal(r.stderr.match(/<== resolve-source/g)?.length, 1);
    assert.equal(r.stderr.match(/npm ci/g)?.length, 1);
  });

  it('finishes from the stored log when the deployment ended while the stream was down', async () => {
    server.on('GET', LOG, (req, res) => {
      if (req.query.get('follow') === '1') return streamEvents(res, succeededRun, { dropAfter: 2 });
      sendJson(res, 200, { lines: succeededRun.flatMap((e) => (e.type === 'log' && e.line.seq > Number(req.query.get('after')) ? [e.line] : [])) });
    });
    server.reply('GET', '/api/deployments/dep_1', 200, { deployment: { ...finished('failed', { error: 'build-artifact: npm ci failed' }), app: 'hello', environment: 'staging', steps: [] } });
    server.reply('GET', '/api/status', 200, { environments: [stagingStatus] });
    const r = await runCli(['deploy', 'hello', 'staging'], { env: serverEnv(server) });
    assert.equal(r.code, 1);
    assert.equal(server.requestsTo('GET', LOG).length, 2);
    assert.equal(server.requestsTo('GET', LOG)[1]?.query.get('after'), '1');
    assert.match(r.stderr, /npm ci: added 12 packages/);
    assert.match(r.stderr, /error: deploy #7 \(dep_1\) failed in 12\.0s: build-artifact: npm ci failed; release rel_9 is still serving/);
  });

  it('a failed first deploy says that nothing serves, not that a previous release does', async () => {
    server.on('GET', LOG, (_req, res) => streamEvents(res, [{ type: 'status', deployment: finished('failed', { error: 'build-artifact: npm ci failed' }) }]));
    server.reply('GET', '/api/deployments/dep_1', 200, { deployment: { ...finished('failed'), app: 'hello', environment: 'staging', steps: [] } });
    server.reply('GET', '/api/status', 200, { environments: [{ ...stagingStatus, live: null }] });
    const r = await runCli(['deploy', 'hello', 'staging'], { env: serverEnv(server) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /failed in 12\.0s: build-artifact: npm ci failed; nothing was live in this environment before, so nothing serves$/m);
    assert.doesNotMatch(r.stderr, /previous release/);
  });

  it('--no-follow returns once queued; --json prints only the API JSON', async () => {
    const r = await runCli(['deploy', 'hello', 'staging', '--no-follow', '--json'], { env: serverEnv(server) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { deployment: deployment() });
    assert.equal(server.requestsTo('GET', LOG).length, 0);
  });

  it('exits 1 with the API message when the deploy is refused', async () => {
    server.reply('POST', DEPLOY, 409, { error: { code: 'locked', message: 'hello/staging is locked by manual:alice: db migration', details: {} } });
    const r = await runCli(['deploy', 'hello', 'staging'], { env: serverEnv(server) });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'error: hello/staging is locked by manual:alice: db migration');
  });

  it('--upload streams the tarball with its content type', async () => {
    const up = '/api/apps/hello/environments/staging/uploads';
    server.reply('POST', up, 202, { deployment: deployment({ trigger: 'upload', ref: null }) });
    const tmp = tempDir();
    try {
      const tarball = path.join(tmp.dir, 'app.tgz');
      const bytes = gzipSync(Buffer.from('pretend this is a tar file'.repeat(1000)));
      writeFileSync(tarball, bytes);
      const r = await runCli(['deploy', 'hello', 'staging', '--upload', tarball, '--no-follow'], { env: serverEnv(server) });
      assert.equal(r.code, 0, r.stderr);
      const req = server.requestsTo('POST', up)[0];
      assert.equal(req?.headers['content-type'], 'application/gzip');
      assert.ok(req?.body.equals(bytes), 'the server received the file byte for byte');
      const notTar = path.join(tmp.dir, 'notes.txt');
      writeFileSync(notTar, 'hello');
      const bad = await runCli(['deploy', 'hello', 'staging', '--upload', notTar], { env: serverEnv(server) });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--upload .*notes\.txt: not a tar or gzip file/);
    } finally {
      tmp.remove();
    }
  });

  it('Ctrl-C stops following (exit 130) and says how to cancel the deployment', async () => {
    let child: ChildProcess | undefined;
    server.on('GET', LOG, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // Running, then nothing more. The CLI listens for Ctrl-C before it asks for the log, so
      // the interrupt can come as soon as the request is here.
      res.write(`${JSON.stringify(succeededRun[0])}\n`, () => child?.kill('SIGINT'));
    });
    const r = await runCli(['deploy', 'hello', 'staging'], { env: serverEnv(server), onSpawn: (c) => (child = c) });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /stopped following; deploy #7 \(dep_1\) goes on\. .*slipway deployments cancel dep_1/);
  });

  it('rollback --to follows like deploy', async () => {
    const rb = '/api/apps/hello/environments/staging/rollback';
    server.reply('POST', rb, 202, { deployment: deployment({ kind: 'rollback', trigger: 'rollback' }) });
    server.on('GET', LOG, (_req, res) => streamEvents(res, [{ type: 'status', deployment: finished('succeeded', { kind: 'rollback', releaseId: 'rel_8' }) }]));
    const r = await runCli(['rollback', 'hello', 'staging', '--to', 'rel_8'], { env: serverEnv(server) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(server.requestsTo('POST', rb)[0]?.body.toString() ?? ''), { to: 'rel_8' });
    assert.match(r.stdout, /rollback #7 \(dep_1\) succeeded .*release rel_8 is live/);
  });
});
