// The OpenAPI document lists every registered route with its request body schema; /healthz and
// the document answer without a token; every mutating call lands in the audit log with actor,
// action, target and outcome.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestRepo } from '../support/git-repo.js';
import { createAppRepo } from './app-repo.js';
import { startControlPlane, type TestControlPlane } from './control-plane.js';

/** Every route the control plane registers (src/http/http-app.ts and routes/), with whether it takes a JSON body. */
const ROUTES: { method: string; path: string; body: string[] | null }[] = [
  { method: 'get', path: '/healthz', body: null },
  { method: 'get', path: '/api/openapi.json', body: null },
  { method: 'get', path: '/api/apps', body: null },
  { method: 'post', path: '/api/apps', body: ['name', 'repo', 'ref'] },
  { method: 'get', path: '/api/apps/{app}', body: null },
  { method: 'get', path: '/api/apps/{app}/environments/{env}/releases', body: null },
  { method: 'put', path: '/api/apps/{app}/environments/{env}/maintenance', body: ['enabled', 'message', 'page', 'retryAfterSeconds'] },
  { method: 'get', path: '/api/status', body: null },
  { method: 'get', path: '/api/audit', body: null },
  { method: 'post', path: '/api/apps/{app}/environments/{env}/deployments', body: ['ref'] },
  { method: 'post', path: '/api/apps/{app}/environments/{env}/uploads', body: null },
  { method: 'post', path: '/api/apps/{app}/environments/{env}/rollback', body: ['to'] },
  { method: 'get', path: '/api/deployments', body: null },
  { method: 'get', path: '/api/deployments/{id}', body: null },
  { method: 'post', path: '/api/deployments/{id}/cancel', body: null },
  { method: 'get', path: '/api/deployments/{id}/log', body: null },
  { method: 'get', path: '/api/apps/{app}/secrets', body: null },
  { method: 'put', path: '/api/apps/{app}/secrets/{name}', body: ['value', 'env'] },
  { method: 'delete', path: '/api/apps/{app}/secrets/{name}', body: null },
  { method: 'get', path: '/api/locks', body: null },
  { method: 'post', path: '/api/system/shutdown', body: ['everything'] },
  { method: 'put', path: '/api/apps/{app}/environments/{env}/lock', body: ['reason'] },
  { method: 'delete', path: '/api/apps/{app}/environments/{env}/lock', body: null },
  { method: 'get', path: '/api/apps/{app}/environments/{env}/backups', body: null },
  { method: 'post', path: '/api/apps/{app}/environments/{env}/backups', body: ['database'] },
  { method: 'get', path: '/api/apps/{app}/environments/{env}/logs', body: null },
  { method: 'get', path: '/api/backups/{id}', body: null },
  { method: 'get', path: '/api/certificates', body: null },
  { method: 'get', path: '/api/certificates/{ref}', body: null },
  { method: 'post', path: '/api/certificates/{ref}/renew', body: null },
  { method: 'post', path: '/api/backups/{id}/verify', body: null },
  { method: 'post', path: '/api/backups/{id}/restore', body: ['to', 'confirm'] },
  { method: 'post', path: '/api/apps/{app}/environments/{env}/databases/{name}/reinitialize', body: ['confirm'] },
  // git-driven environments (issue 5)
  { method: 'post', path: '/hooks/{provider}/{app}', body: null },
  { method: 'post', path: '/api/apps/{app}/webhook-secret', body: ['revokeOld', 'rotate'] },
  { method: 'get', path: '/api/apps/{app}/webhook-secret', body: null },
  { method: 'get', path: '/api/apps/{app}/webhook-deliveries', body: null },
  { method: 'post', path: '/api/apps/{app}/promote', body: ['from', 'to'] },
  { method: 'get', path: '/api/apps/{app}/promote', body: null },
  { method: 'get', path: '/api/apps/{app}/diff', body: null },
  { method: 'post', path: '/api/apps/{app}/commits/{sha}/statuses', body: ['state', 'context', 'description'] },
  { method: 'get', path: '/api/apps/{app}/commits/{sha}/statuses', body: null },
];

interface AuditEvent {
  id: number;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  details: Record<string, unknown>;
}

describe('OpenAPI and audit', () => {
  let cp: TestControlPlane;
  let repo: TestRepo;

  before(async () => {
    repo = await createAppRepo();
    cp = await startControlPlane();
  });

  after(async () => {
    await cp?.close();
    await repo?.cleanup();
  });

  test('/healthz and /api/openapi.json answer without a token; the API does not', async () => {
    const health = await cp.request('GET', '/healthz', { token: null });
    assert.equal(health.status, 200);
    assert.equal((health.json as { ok: boolean }).ok, true);
    assert.equal((await cp.request('GET', '/api/openapi.json', { token: null })).status, 200);
    assert.equal((await cp.request('GET', '/api/status', { token: null })).status, 401);
  });

  test('the OpenAPI document lists every route, with its body schema, and only those', async () => {
    const doc = (await cp.request('GET', '/api/openapi.json', { token: null })).json as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; additionalProperties?: unknown } }> }; security?: unknown[] }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    const listed = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).sort();
    assert.deepEqual(listed, ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of ROUTES) {
      const op = doc.paths[r.path]?.[r.method];
      assert.ok(op, `${r.method} ${r.path}`);
      if (r.body) {
        const schema = op.requestBody?.content['application/json']?.schema;
        assert.ok(schema, `${r.method} ${r.path} has no JSON request body schema`);
        assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), [...r.body].sort(), `${r.method} ${r.path} body properties`);
        assert.equal(schema.additionalProperties, false, `${r.method} ${r.path}: unknown keys are refused, so the schema should say so`);
      } else if (r.path.endsWith('/uploads')) {
        assert.deepEqual(Object.keys(op.requestBody?.content ?? {}).sort(), ['application/gzip', 'application/x-tar']);
      } else if (r.path.startsWith('/hooks/')) {
        // The webhook receiver reads raw bytes of any type: its signature covers them exactly.
        assert.deepEqual(Object.keys(op.requestBody?.content ?? {}), ['*/*']);
      } else {
        assert.equal(op.requestBody, undefined, `${r.method} ${r.path} should have no request body`);
      }
    }
    assert.deepEqual(doc.paths['/healthz']?.['get']?.security, []);
    // Public: a webhook authenticates with its signature, not a bearer token.
    const hook = doc.paths['/hooks/{provider}/{app}']?.['post'] as { security?: unknown[]; responses?: Record<string, unknown>; parameters?: { name: string; in: string }[] } | undefined;
    assert.deepEqual(hook?.security, []);
    assert.deepEqual(Object.keys(hook?.responses ?? {}).sort(), ['200', '202', '4XX']);
    assert.deepEqual(hook?.parameters?.map((p) => `${p.in}:${p.name}`), ['path:provider', 'path:app']);
  });

  test('every mutating call is in the audit log with actor, action, target and outcome', async () => {
    const call = async (method: string, p: string, body?: unknown) => {
      const res = await cp.request(method, p, body === undefined ? {} : { body });
      assert.ok(res.status < 500, `${method} ${p}: ${res.status} ${res.text}`);
      return res;
    };
    assert.equal((await call('POST', '/api/apps', { name: 'shop', repo: repo.bare })).status, 201);
    assert.equal((await call('POST', '/api/apps', { name: 'shop', repo: repo.bare })).status, 409);
    assert.equal((await call('PUT', '/api/apps/shop/secrets/API_KEY', { value: 'a-long-secret-value' })).status, 200);
    assert.equal((await call('DELETE', '/api/apps/shop/secrets/API_KEY')).status, 204);
    assert.equal((await call('DELETE', '/api/apps/shop/secrets/API_KEY')).status, 404);
    // Locked first, so that the deployments below stay queued and can be cancelled.
    assert.equal((await call('PUT', '/api/apps/shop/environments/staging/lock', { reason: 'audit test' })).status, 200);
    assert.equal((await call('PUT', '/api/apps/shop/environments/staging/lock', { reason: '   ' })).status, 400);
    const deploy = await call('POST', '/api/apps/shop/environments/staging/deployments', {});
    assert.equal(deploy.status, 202, deploy.text);
    const depId = (deploy.json as { deployment: { id: string } }).deployment.id;
    assert.equal((await call('POST', `/api/deployments/${depId}/cancel`)).status, 202);
    const rollback = await call('POST', '/api/apps/shop/environments/staging/rollback', {});
    const rollbackId = rollback.status === 202 ? (rollback.json as { deployment: { id: string } }).deployment.id : null;
    if (rollbackId) await call('POST', `/api/deployments/${rollbackId}/cancel`);
    assert.equal((await call('POST', '/api/deployments/no-such-deployment/cancel')).status, 404);
    assert.equal((await call('DELETE', '/api/apps/shop/environments/staging/lock')).status, 204);
    for (const enabled of [true, false]) {
      const res = await cp.request('PUT', '/api/apps/shop/environments/staging/maintenance', { body: { enabled } });
      assert.equal(res.status, 503, `the edge is off here: ${res.text}`);
    }

    const events = ((await cp.request('GET', '/api/audit?limit=1000')).json as { events: AuditEvent[] }).events;
    for (const e of events) {
      assert.equal(e.actor, 'admin', JSON.stringify(e));
      assert.ok(e.outcome === 'ok' || e.outcome === 'error', JSON.stringify(e));
      assert.equal(typeof e.target, 'string');
      if (e.outcome === 'error') assert.equal(typeof e.details['error'], 'string', `an error event says why: ${JSON.stringify(e)}`);
    }
    const has = (action: string, target: string, outcome: string) =>
      assert.ok(
        events.some((e) => e.action === action && e.target === target && e.outcome === outcome),
        `no audit event ${action} ${target} ${outcome} in:\n${events.map((e) => `${e.action} ${e.target} ${e.outcome}`).join('\n')}`,
      );
    has('app.create', 'shop', 'ok');
    has('app.create', 'shop', 'error');
    has('secret.set', 'shop:API_KEY', 'ok');
    has('secret.unset', 'shop:API_KEY', 'ok');
    has('secret.unset', 'shop:API_KEY', 'error');
    has('lock.acquire', 'shop/staging', 'ok');
    has('lock.acquire', 'shop/staging', 'error');
    has('deployment.create', 'shop/staging', 'ok');
    has('deployment.cancel', depId, 'ok');
    has('deployment.rollback', 'shop/staging', rollback.status === 202 ? 'ok' : 'error');
    has('deployment.cancel', 'no-such-deployment', 'error');
    has('lock.release', 'shop/staging', 'ok');
    // The edge is off here, so maintenance is refused, and recorded as such.
    has('maintenance.on', 'shop/staging', 'error');
    has('maintenance.off', 'shop/staging', 'error');
    // Newest first, ids strictly decreasing.
    const ids = events.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    assert.ok(!JSON.stringify(events).includes('a-long-secret-value'), 'a secret value in the audit log');
  });
});
