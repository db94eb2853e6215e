// Long operations with progress: the server side (withProgress on a real Fastify server on port 0)
// and the CLI side (HttpCaller.withProgress) against each other over real HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { NotFoundError, PreconditionError } from '../../src/core/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { ApiError } from '../../src/cli/api-error.js';
import { HttpCaller, type ProgressEvent } from '../../src/cli/http-call.js';
import { installErrorHandler } from '../../src/http/error-handler.js';
import { withProgress } from '../../src/http/progress-stream.js';

const CANARY = 'canary-progress-5d1e';
const redact = (t: string) => t.split(CANARY).join('[redacted]');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let app: FastifyInstance;
let caller: HttpCaller;
const internal: unknown[] = [];
/** What /silent waits for before it answers (a test sets it to "the client has seen heartbeats"). */
let silentUntil: Promise<void> = Promise.resolve();

before(async () => {
  app = Fastify();
  installErrorHandler(app, redact);
  const opts = { redact, heartbeatMs: 100, onInternalError: (err: unknown) => internal.push(err) };
  const wanted = (q: unknown) => (q as { progress?: string }).progress === '1';
  app.post('/lines', async (req, reply) =>
    withProgress(reply, wanted(req.query), opts, async (log) => {
      log('dumping: 16 MiB written');
      await sleep(20); // work between two lines, so that they leave apart (nothing waits on this)
      log(`uploading with key ${CANARY}`);
      return { backups: [{ id: 'bk_1', note: `made with ${CANARY}` }] };
    }),
  );
  app.post('/quick-missing', async (req, reply) =>
    withProgress(reply, wanted(req.query), opts, async () => {
      throw new NotFoundError('backup', 'bk_nope');
    }),
  );
  app.post('/fails-late', async (req, reply) =>
    withProgress(reply, wanted(req.query), opts, async (log) => {
      log('restoring');
      throw new PreconditionError(`the restore tool failed for ${CANARY}`);
    }),
  );
  app.post('/crashes-late', async (req, reply) =>
    withProgress(reply, wanted(req.query), opts, async (log) => {
      log('restoring');
      throw new TypeError(`boom ${CANARY}`);
    }),
  );
  app.post('/silent', async (req, reply) =>
    withProgress(reply, wanted(req.query), opts, async () => {
      await silentUntil;
      return { ok: true };
    }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  caller = new HttpCaller(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, new Sensitive('token'));
});

after(async () => {
  await app.close();
});

test('progress lines arrive in order before the result; secrets are redacted in both', async () => {
  const events: ProgressEvent[] = [];
  const result = await caller.withProgress<{ backups: { id: string; note: string }[] }>('POST', '/lines', { json: {} }, (e) => events.push(e));
  assert.deepEqual(result, { backups: [{ id: 'bk_1', note: 'made with [redacted]' }] });
  assert.deepEqual(
    events.filter((e) => 'line' in e),
    [{ line: 'dumping: 16 MiB written' }, { line: 'uploading with key [redacted]' }],
  );
});

test('without progress=1 the same operation answers plain JSON', async () => {
  const result = await caller.json<{ backups: unknown[] }>('POST', '/lines', { json: {} });
  assert.equal(result.backups.length, 1);
});

test('an operation that fails before any progress answers with its HTTP status', async () => {
  const err = await caller.withProgress('POST', '/quick-missing', { json: {} }, () => {}).catch((e: unknown) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 404);
  assert.match(err.message, /bk_nope/);
});

test('an operation that fails after streaming began ends the stream with the error and its status', async () => {
  const err = await caller.withProgress('POST', '/fails-late', { json: {} }, () => {}).catch((e: unknown) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 412); // failed_precondition (src/core/error-status.ts)
  assert.match(err.message, /the restore tool failed for \[redacted\]/);
});

test('an unexpected error is reported as internal without its text', async () => {
  const err = await caller.withProgress('POST', '/crashes-late', { json: {} }, () => {}).catch((e: unknown) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 500);
  assert.doesNotMatch(err.message, /boom/);
  assert.equal(internal.length, 1);
});

test('a silent operation streams heartbeats with the elapsed time', async () => {
  const events: ProgressEvent[] = [];
  const isBeat = (e: ProgressEvent): e is { elapsedMs: number } => 'elapsedMs' in e;
  let heardTwice!: () => void;
  silentUntil = new Promise((resolve) => (heardTwice = resolve)); // silent until two heartbeats arrived
  const result = await caller.withProgress<{ ok: boolean }>('POST', '/silent', { json: {} }, (e) => {
    events.push(e);
    if (events.filter(isBeat).length >= 2) heardTwice();
  });
  assert.deepEqual(result, { ok: true });
  const beats = events.filter(isBeat);
  assert.ok(beats.length >= 2, JSON.stringify(events));
  assert.ok(beats.every((b, i) => i === 0 || b.elapsedMs >= beats[i - 1]!.elapsedMs));
});
