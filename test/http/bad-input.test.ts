// Bad input never gives a 5xx and changes nothing: every refused request answers with
// `{ error: { code, message, details } }`, a message that says what is wrong, and afterwards the
// apps, environments, deployments, secrets, locks and live releases are exactly as before.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestRepo } from '../support/git-repo.js';
import { createAppRepo, VALID_SPEC } from './app-repo.js';
import { apiState, assertError, type ApiState, type ExpectedError } from './api-state.js';
import { startControlPlane, type RequestOptions, type TestControlPlane } from './control-plane.js';

interface Case extends ExpectedError {
  name: string;
  method: string;
  path: string | (() => string);
  opts?: RequestOptions | (() => RequestOptions);
}

/** slipway.yml variants that must be refused with 422, and the path their message must name. */
const BAD_SPECS: { name: string; spec: string; path: RegExp }[] = [
  {
    name: 'wrong type (instances: "two")',
    spec: VALID_SPEC.replace('instances: 1', 'instances: "two"'),
    path: /processes\.web\.instances: expected a number, got a string/,
  },
  {
    name: 'unknown key (brnach)',
    spec: VALID_SPEC.replace('    branch: release', '    brnach: release'),
    path: /environments\.production: unknown key "brnach"/,
  },
  {
    name: 'missing command',
    spec: VALID_SPEC.replace('    command: ["node", "server.js"]\n', ''),
    path: /processes\.web\.command: is required/,
  },
  {
    name: 'bad duration (stop_grace: 2 seconds)',
    spec: VALID_SPEC.replace('stop_grace: 2s', 'stop_grace: 2 seconds'),
    path: /processes\.web\.stop_grace: expected a duration/,
  },
  {
    name: 'command as a string instead of argv',
    spec: VALID_SPEC.replace('command: ["node", "server.js"]', 'command: node server.js'),
    path: /processes\.web\.command: expected a command as an argv array/,
  },
  {
    name: 'no environments',
    spec: VALID_SPEC.slice(0, VALID_SPEC.indexOf('environments:')) + 'environments: {}\n',
    path: /environments: at least one environment is required/,
  },
  {
    name: 'not YAML',
    spec: 'processes: [unclosed\n  web: {\n',
    path: /line \d+, column \d+/,
  },
];

describe('bad input', () => {
  let cp: TestControlPlane;
  let repo: TestRepo;
  const badRepos: TestRepo[] = [];
  let baseline: ApiState;
  let secretRoute: string;

  before(async () => {
    repo = await createAppRepo();
    cp = await startControlPlane();
    const created = await cp.request('POST', '/api/apps', { body: { name: 'shop', repo: repo.bare } });
    assert.equal(created.status, 201, created.text);
    const put = await cp.request('PUT', '/api/apps/shop/secrets/API_KEY', { body: { value: 'first-value' } });
    assert.equal(put.status, 200, put.text);
    secretRoute = '/api/apps/shop/secrets/API_KEY';
    for (const b of BAD_SPECS) badRepos.push(await createAppRepo(b.spec));
    baseline = await apiState(cp);
  });

  after(async () => {
    await cp?.close();
    await repo?.cleanup();
    for (const r of badRepos) await r.cleanup();
  });

  const cases: Case[] = [
    // Bodies
    {
      name: 'malformed JSON',
      method: 'POST',
      path: '/api/apps',
      opts: { rawBody: '{"name": "shop2", "repo": ', headers: { 'content-type': 'application/json' } },
      status: 400,
      code: 'invalid_input',
      message: /not valid JSON/,
    },
    {
      name: 'empty JSON body',
      method: 'POST',
      path: '/api/apps',
      opts: { rawBody: '', headers: { 'content-type': 'application/json' } },
      status: 400,
      code: 'invalid_input',
      message: /body is empty/,
    },
    { name: 'JSON null body', method: 'POST', path: '/api/apps', opts: { body: null }, status: 400, code: 'invalid_input', message: /body.*expected a mapping/ },
    { name: 'JSON array body', method: 'POST', path: '/api/apps', opts: { body: ['shop2'] }, status: 400, code: 'invalid_input', message: /body.*expected a mapping, got a list/ },
    {
      name: 'wrong types',
      method: 'POST',
      path: '/api/apps',
      opts: { body: { name: 5, repo: true } },
      status: 400,
      code: 'invalid_input',
      message: /body\.name: expected a string, got a number.*body\.repo: expected a string, got a boolean/,
    },
    {
      name: 'missing field',
      method: 'POST',
      path: '/api/apps',
      opts: { body: { name: 'shop2' } },
      status: 400,
      code: 'invalid_input',
      message: /body\.repo: is required/,
    },
    {
      name: 'unknown key',
      method: 'POST',
      path: '/api/apps',
      opts: () => ({ body: { name: 'shop2', repo: repo.bare, colour: 'red' } }),
      status: 400,
      code: 'invalid_input',
      message: /unknown key "colour"/,
    },
    {
      name: 'text/plain content type',
      method: 'POST',
      path: '/api/apps',
      opts: () => ({ rawBody: JSON.stringify({ name: 'shop2', repo: repo.bare }), headers: { 'content-type': 'text/plain' } }),
      status: 415,
      code: 'invalid_input',
      message: /Content-Type.*application\/json/,
    },
    {
      name: 'form content type',
      method: 'POST',
      path: '/api/apps',
      opts: { rawBody: 'name=shop2&repo=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      status: 415,
      code: 'invalid_input',
      message: /Content-Type/,
    },
    {
      name: 'tarball content type on a JSON route',
      method: 'POST',
      path: '/api/apps',
      opts: { rawBody: Buffer.from([0x1f, 0x8b, 0, 0]), headers: { 'content-type': 'application/gzip' } },
      status: 415,
      code: 'invalid_input',
      message: /Content-Type.*application\/json/,
    },
    {
      name: '5 MB JSON body',
      method: 'POST',
      path: '/api/apps',
      opts: () => ({ body: { name: 'shop2', repo: repo.bare, ref: 'x'.repeat(5 * 1024 * 1024) } }),
      status: 413,
      code: 'payload_too_large',
      message: /too large/,
    },
    {
      name: '5 MB secret value',
      method: 'PUT',
      path: '/api/apps/shop/secrets/BIG',
      opts: { body: { value: 'v'.repeat(5 * 1024 * 1024) } },
      status: 413,
      code: 'payload_too_large',
      message: /too large/,
    },
    // Names and ids
    { name: 'invalid app name', method: 'POST', path: '/api/apps', opts: () => ({ body: { name: 'Shop Two!', repo: repo.bare } }), status: 400, code: 'invalid_input', message: /app name "Shop Two!" is not valid/ },
    { name: 'app that exists', method: 'POST', path: '/api/apps', opts: () => ({ body: { name: 'shop', repo: repo.bare } }), status: 409, code: 'conflict', message: /"shop" already exists/ },
    { name: 'nonexistent repository', method: 'POST', path: '/api/apps', opts: { body: { name: 'ghost', repo: '/nonexistent/slipway-no-such-repo.git' } }, status: 404, message: /slipway-no-such-repo/ },
    { name: 'repository with an unsupported scheme', method: 'POST', path: '/api/apps', opts: { body: { name: 'ghost', repo: 'ftp://example.test/x.git' } }, status: 400, code: 'invalid_input', message: /unsupported scheme/ },
    { name: 'repository starting with -', method: 'POST', path: '/api/apps', opts: { body: { name: 'ghost', repo: '--upload-pack=touch /tmp/x' } }, status: 400, code: 'invalid_input', message: /must not start with "-"/ },
    { name: 'ref that does not exist', method: 'POST', path: '/api/apps', opts: () => ({ body: { name: 'ghost', repo: repo.bare, ref: 'no-such-branch' } }), status: 404, message: /no-such-branch/ },
    { name: 'unknown app', method: 'GET', path: '/api/apps/nope', status: 404, code: 'not_found', message: /app "nope" was not found/ },
    { name: 'unknown app (status)', method: 'GET', path: '/api/status?app=nope', status: 404, code: 'not_found', message: /app "nope" was not found/ },
    { name: 'unknown app (secrets)', method: 'GET', path: '/api/apps/nope/secrets', status: 404, code: 'not_found', message: /app "nope"/ },
    { name: 'unknown app (deploy)', method: 'POST', path: '/api/apps/nope/environments/staging/deployments', opts: { body: {} }, status: 404, code: 'not_found', message: /app "nope"/ },
    { name: 'unknown app (deployments filter)', method: 'GET', path: '/api/deployments?app=nope', status: 404, code: 'not_found', message: /app "nope"/ },
    { name: 'unknown environment (releases)', method: 'GET', path: '/api/apps/shop/environments/nope/releases', status: 404, code: 'not_found', message: /"nope".*|.*known: .*staging/ },
    { name: 'unknown environment (deploy)', method: 'POST', path: '/api/apps/shop/environments/nope/deployments', opts: { body: {} }, status: 404, code: 'not_found', message: /"nope"/ },
    { name: 'unknown environment (rollback)', method: 'POST', path: '/api/apps/shop/environments/nope/rollback', opts: { body: {} }, status: 404, code: 'not_found', message: /"nope"/ },
    { name: 'unknown environment (lock)', method: 'PUT', path: '/api/apps/shop/environments/nope/lock', opts: { body: { reason: 'testing' } }, status: 404, code: 'not_found', message: /"nope"/ },
    { name: 'unknown environment (secret)', method: 'PUT', path: '/api/apps/shop/secrets/OTHER', opts: { body: { value: 'x', env: 'nope' } }, status: 404, code: 'not_found', message: /"nope"/ },
    { name: 'unknown deployment', method: 'GET', path: '/api/deployments/01J0000000000000000000NOPE', status: 404, code: 'not_found', message: /deployment "01J0000000000000000000NOPE" was not found/ },
    { name: 'unknown deployment (log)', method: 'GET', path: '/api/deployments/nope/log', status: 404, code: 'not_found', message: /deployment "nope"/ },
    { name: 'unknown deployment (follow)', method: 'GET', path: '/api/deployments/nope/log?follow=1', status: 404, code: 'not_found', message: /deployment "nope"/ },
    { name: 'unknown deployment (cancel)', method: 'POST', path: '/api/deployments/nope/cancel', status: 404, code: 'not_found', message: /deployment "nope"/ },
    { name: 'path traversal in an app name', method: 'GET', path: '/api/apps/..%2F..%2Fetc%2Fpasswd', status: 404, code: 'not_found', message: /was not found/ },
    { name: 'unknown route', method: 'GET', path: '/api/nope', status: 404, code: 'not_found', message: /no route GET \/api\/nope/ },
    { name: 'unknown method', method: 'PATCH', path: '/api/apps', opts: { body: {} }, status: 404, code: 'not_found', message: /no route PATCH/ },
    // Secrets, locks, queries
    { name: 'invalid secret name', method: 'PUT', path: '/api/apps/shop/secrets/bad-name', opts: { body: { value: 'x' } }, status: 400, code: 'invalid_input', message: /secret name "bad-name" is not valid/ },
    { name: 'empty secret value', method: 'PUT', path: '/api/apps/shop/secrets/OTHER', opts: { body: { value: '' } }, status: 400, code: 'invalid_input', message: /body\.value: a secret value must not be empty/ },
    { name: 'secret value of the wrong type', method: 'PUT', path: '/api/apps/shop/secrets/OTHER', opts: { body: { value: 42 } }, status: 400, code: 'invalid_input', message: /body\.value: expected a string, got a number/ },
    { name: 'unset an unknown secret', method: 'DELETE', path: '/api/apps/shop/secrets/NOT_SET', status: 404, code: 'not_found', message: /secret "NOT_SET" was not found/ },
    { name: 'lock without a reason', method: 'PUT', path: '/api/apps/shop/environments/staging/lock', opts: { body: { reason: '' } }, status: 400, code: 'invalid_input', message: /say why/ },
    { name: 'lock with a blank reason', method: 'PUT', path: '/api/apps/shop/environments/staging/lock', opts: { body: { reason: '   ' } }, status: 400, code: 'invalid_input', message: /needs a reason/ },
    { name: 'unlock an unlocked environment', method: 'DELETE', path: '/api/apps/shop/environments/staging/lock', status: 404, code: 'not_found', message: /lock on "shop\/staging" was not found/ },
    // The edge is off in this control plane: not bad input, but still a clear answer and no change.
    { name: 'maintenance while the edge is off', method: 'PUT', path: '/api/apps/shop/environments/staging/maintenance', opts: { body: { enabled: true } }, status: 503, code: 'unavailable', message: /the edge is not running/ },
    { name: 'maintenance with a string for enabled', method: 'PUT', path: '/api/apps/shop/environments/staging/maintenance', opts: { body: { enabled: 'yes' } }, status: 400, code: 'invalid_input', message: /body\.enabled: expected a boolean/ },
    { name: 'deployments limit 0', method: 'GET', path: '/api/deployments?limit=0', status: 400, code: 'invalid_input', message: /query\.limit/ },
    { name: 'deployments limit not a number', method: 'GET', path: '/api/deployments?limit=lots', status: 400, code: 'invalid_input', message: /query\.limit/ },
    { name: 'deployments unknown status', method: 'GET', path: '/api/deployments?status=exploded', status: 400, code: 'invalid_input', message: /query\.status: expected one of/ },
    { name: 'unknown query key', method: 'GET', path: '/api/deployments?colour=red', status: 400, code: 'invalid_input', message: /unknown key "colour"/ },
    { name: 'audit limit too big', method: 'GET', path: '/api/audit?limit=100000', status: 400, code: 'invalid_input', message: /query\.limit: must be at most 1000/ },
    { name: 'log after -1', method: 'GET', path: '/api/deployments/nope/log?after=-1', status: 400, code: 'invalid_input', message: /query\.after/ },
    { name: 'deploy with an unknown key', method: 'POST', path: '/api/apps/shop/environments/staging/deployments', opts: { body: { ref: 'main', force: true } }, status: 400, code: 'invalid_input', message: /unknown key "force"/ },
    { name: 'upload with a JSON body', method: 'POST', path: '/api/apps/shop/environments/staging/uploads', opts: { body: { tarball: 'x' } }, status: 400, code: 'invalid_input', message: /Content-Type application\/gzip or application\/x-tar/ },
    // Authentication
    { name: 'missing token', method: 'GET', path: '/api/apps', opts: { token: null }, status: 401, code: 'unauthorized', message: /bearer token is required/ },
    { name: 'missing token on a mutation', method: 'POST', path: '/api/apps', opts: () => ({ token: null, body: { name: 'shop2', repo: repo.bare } }), status: 401, code: 'unauthorized', message: /bearer token/ },
    { name: 'wrong token', method: 'GET', path: '/api/apps', opts: { token: 'slw_notarealtokenatall0000000000000000000000' }, status: 401, code: 'unauthorized', message: /not valid/ },
    { name: 'wrong token on a secret', method: 'PUT', path: '/api/apps/shop/secrets/API_KEY', opts: { token: 'slw_wrong', body: { value: 'overwritten' } }, status: 401, code: 'unauthorized', message: /not valid/ },
    { name: 'token without the slw_ prefix', method: 'GET', path: '/api/apps', opts: { token: 'abc' }, status: 401, code: 'unauthorized', message: /not valid/ },
    { name: 'Basic scheme', method: 'GET', path: '/api/apps', opts: { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }, status: 401, code: 'unauthorized', message: /Bearer/ },
    { name: 'Bearer without a token', method: 'GET', path: '/api/apps', opts: { headers: { authorization: 'Bearer' } }, status: 401, code: 'unauthorized', message: /Bearer/ },
    { name: 'the token without a scheme', method: 'GET', path: '/api/apps', opts: () => ({ headers: { authorization: cp.token } }), status: 401, code: 'unauthorized', message: /Bearer/ },
    { name: 'two tokens', method: 'GET', path: '/api/apps', opts: () => ({ headers: { authorization: `Bearer ${cp.token} ${cp.token}` } }), status: 401, code: 'unauthorized', message: /Bearer/ },
    { name: 'an oversized token', method: 'GET', path: '/api/apps', opts: { token: `slw_${'a'.repeat(5000)}` }, status: 401, code: 'unauthorized', message: /not valid/ },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const p = typeof c.path === 'function' ? c.path() : c.path;
      const opts = typeof c.opts === 'function' ? c.opts() : c.opts;
      const res = await cp.request(c.method, p, opts);
      assertError(res, c, `${c.method} ${p}`);
      assert.deepEqual(await apiState(cp), baseline, `${c.name}: the state changed`);
    });
  }

  for (const [i, b] of BAD_SPECS.entries()) {
    test(`invalid slipway.yml: ${b.name}`, async () => {
      const bad = badRepos[i];
      assert.ok(bad);
      const res = await cp.request('POST', '/api/apps', { body: { name: `bad${i}`, repo: bad.bare } });
      const err = assertError(res, { status: 422, code: 'invalid_config', message: /slipway\.yml/ }, b.name);
      assert.match(err.message, b.path);
      assert.ok(Array.isArray(err.details['issues']), `details.issues: ${res.text}`);
      assert.equal((await cp.request('GET', `/api/apps/bad${i}`)).status, 404, 'the app must not be created');
      assert.deepEqual(await apiState(cp), baseline, `${b.name}: the state changed`);
    });
  }

  test('the secret kept its first value through all of it (a wrong-token PUT did not overwrite it)', async () => {
    const list = await cp.request('GET', secretRoute.replace('/API_KEY', ''));
    const secrets = (list.json as { secrets: { name: string; updatedAt: string }[] }).secrets;
    assert.deepEqual(secrets.map((s) => s.name), ['API_KEY']);
    assert.deepEqual(list.json, baseline.secrets['shop']);
  });

  test('no request above made the server log an internal error', () => {
    assert.doesNotMatch(cp.logs(), /"level":50|request failed/);
  });
});
