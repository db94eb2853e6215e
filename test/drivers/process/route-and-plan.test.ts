// The data the driver builds (edge routes, instance plans, backoff delays), compared as data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdgeRouteState } from '../../../src/core/ports/edge-control.js';
import { buildEdgeRoute, webProcess } from '../../../src/drivers/process/edge-route.js';
import { planInstances } from '../../../src/drivers/process/instance-plan.js';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../src/drivers/process/supervisor-protocol.js';
import { exampleSpec, specOf } from './harness.js';

test('the staging route of the example app', async () => {
  const spec = await exampleSpec();
  const staging = spec.environments['staging'];
  assert.ok(staging);
  const route = buildEdgeRoute({ app: 'hello', env: 'staging', spec, envSpec: staging, releaseId: 'r7', releaseDir: '/srv/releases/r7', ports: [41001, 41002], existing: null });
  assert.deepEqual(route, {
    id: 'hello/staging',
    hosts: ['staging.hello.localhost'],
    pathPrefix: '/',
    stripPrefix: true,
    targets: [
      { url: 'http://127.0.0.1:41001', release: 'r7' },
      { url: 'http://127.0.0.1:41002', release: 'r7' },
    ],
    healthCheck: { path: '/healthz', intervalMs: 200, timeoutMs: 1000, healthyThreshold: 1 },
    drainTimeoutMs: 30_000,
    releaseHeader: 'X-Slipway-Release',
    release: 'r7',
    maintenance: null,
  });
});

test('an environment without a route is served at <env>.<app>.localhost/', async () => {
  const spec = await exampleSpec();
  const production = spec.environments['production'];
  assert.ok(production);
  const route = buildEdgeRoute({ app: 'hello', env: 'production', spec, envSpec: production, releaseId: 'r1', releaseDir: '/srv/releases/r1', ports: [1], existing: null });
  assert.deepEqual([route.hosts, route.pathPrefix, route.releaseHeader], [['production.hello.localhost'], '/', 'X-Slipway-Release']);
});

test('sub-path routes, no release header, any host; maintenance and error pages of the live route are kept', () => {
  const spec = specOf({
    processes: { web: { command: ['node', 'server.js'], http: true } },
    environments: { event1: { route: { path: '/event1', release_header: false, strip_prefix: false }, drain_timeout: '5s' } },
  });
  const envSpec = spec.environments['event1'];
  assert.ok(envSpec);
  const existing = {
    maintenance: { enabled: true, message: 'back soon', retryAfterSeconds: 60 },
    errorPages: { '502': '<h1>oops</h1>' },
  } as EdgeRouteState;
  const route = buildEdgeRoute({ app: 'hack', env: 'event1', spec, envSpec, releaseId: 'r2', releaseDir: '/srv/releases/r2', ports: [5000], existing });
  assert.deepEqual(route.hosts, []);
  assert.equal(route.pathPrefix, '/event1');
  assert.equal(route.stripPrefix, false);
  assert.equal(route.releaseHeader, null);
  assert.equal(route.drainTimeoutMs, 5000);
  assert.deepEqual(route.healthCheck, { path: '/', intervalMs: 1000, timeoutMs: 2000, healthyThreshold: 1 });
  assert.deepEqual(route.maintenance, existing.maintenance);
  assert.deepEqual(route.errorPages, existing.errorPages);
});

test('instance plan: ports go to http instances only, in spec order', async () => {
  const spec = await exampleSpec();
  assert.equal(webProcess(spec), 'web');
  assert.deepEqual(planInstances(spec, [7001, 7002]), [
    { process: 'web', index: 0, argv: ['node', 'server.js'], port: 7001, healthPath: '/healthz', stopGraceMs: 5000 },
    { process: 'web', index: 1, argv: ['node', 'server.js'], port: 7002, healthPath: '/healthz', stopGraceMs: 5000 },
    { process: 'worker', index: 0, argv: ['node', 'worker.js'], port: null, healthPath: null, stopGraceMs: 5000 },
  ]);
  assert.equal(webProcess(specOf({ processes: { worker: { command: ['w'] } }, environments: { s: {} } })), null);
});

test('restart backoff doubles from 500ms and is capped at 30s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffDelay(DEFAULT_BACKOFF, n)), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(DEFAULT_BACKOFF.resetAfterMs, 60_000);
});

test('static mounts are absolute inside the release dir; redirects add their hosts; script_name', () => {
  const spec = specOf({
    processes: { web: { command: ['node', 'server.js'], http: true } },
    static: [{ path: '/static/', dir: 'app/static' }, { path: '/robots.txt', file: 'robots.txt', try_files: true }],
    environments: {
      production: {
        route: { host: 'example.test', path: '/event1', script_name: true },
        redirects: [
          { from_host: 'help.example.test', to: 'https://example.test/help/' },
          { from_path: '/old', to: '/new', status: 308, keep_path: true },
        ],
      },
    },
  });
  const envSpec = spec.environments['production'];
  assert.ok(envSpec);
  const route = buildEdgeRoute({ app: 'site', env: 'production', spec, envSpec, releaseId: 'r3', releaseDir: '/data/apps/site/production/releases/r3', ports: [5000], existing: null });
  assert.deepEqual(route.static, [
    { path: '/static', dir: '/data/apps/site/production/releases/r3/app/static' },
    { path: '/robots.txt', file: '/data/apps/site/production/releases/r3/robots.txt', tryFiles: true },
  ]);
  assert.deepEqual(route.hosts, ['example.test', 'help.example.test']);
  assert.deepEqual(route.redirects, [
    { fromHost: 'help.example.test', to: 'https://example.test/help/', status: 301, keepPath: false },
    { fromPath: '/old', to: '/new', status: 308, keepPath: true },
  ]);
  assert.equal(route.scriptName, true);
});
