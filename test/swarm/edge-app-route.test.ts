// Routing a stack through the Swarm edge, as data: the routed service from labels or options,
// attaching it to the edge network (idempotent, spec hash updated), and the environment's route.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/core/errors.js';
import type { ServiceSpec } from '../../src/drivers/swarm/compose/swarm-types.js';
import { attachToEdge, routedService, swarmEdgeRoute } from '../../src/drivers/swarm/edge/app-route.js';
import { LABEL_SPEC_HASH, specHash } from '../../src/drivers/swarm/stack/apply-stack.js';
import { driverContext } from './driver-context.js';

function spec(name: string, labels: Record<string, string> = {}, containerLabels: Record<string, string> = {}): ServiceSpec {
  const s: ServiceSpec = {
    Name: name,
    Labels: labels,
    TaskTemplate: { ContainerSpec: { Image: 'img', Labels: containerLabels }, Networks: [{ Target: 'shop-prod_default', Aliases: ['web'] }] },
    Mode: { Replicated: { Replicas: 2 } },
  };
  s.Labels = { ...s.Labels, [LABEL_SPEC_HASH]: specHash(s) };
  return s;
}

describe('Swarm edge routing of a stack', () => {
  it('finds the routed service by its slipway.route.port label (service or container labels)', () => {
    assert.deepEqual(routedService('shop-prod', [spec('shop-prod_web', { 'slipway.route.port': '3000' }), spec('shop-prod_worker')]), { service: 'web', port: 3000 });
    assert.deepEqual(routedService('shop-prod', [spec('shop-prod_web', {}, { 'slipway.route.port': '8080', 'slipway.route.health': '/up' })]), { service: 'web', port: 8080, healthPath: '/up' });
    assert.deepEqual(routedService('shop-prod', [spec('shop-prod_web')], { service: 'web', port: 80 }), { service: 'web', port: 80 });
    assert.equal(routedService('shop-prod', [spec('shop-prod_web')]), null);
  });

  it('refuses a bad port label and two routed services', () => {
    assert.throws(() => routedService('s', [spec('s_web', { 'slipway.route.port': 'http' })]), (e: unknown) => e instanceof ConfigError && /is not a port/.test(e.message));
    assert.throws(() => routedService('s', [spec('s_a', { 'slipway.route.port': '1' }), spec('s_b', { 'slipway.route.port': '2' })]), (e: unknown) => e instanceof ConfigError && /one service per environment/.test(e.message));
  });

  it('attaches only the routed service to the edge network, once, with a new spec hash', () => {
    const specs = [spec('shop-prod_web'), spec('shop-prod_worker')];
    const out = attachToEdge('shop-prod', specs, { service: 'web', port: 3000 });
    assert.deepEqual(out[0]?.TaskTemplate.Networks, [{ Target: 'shop-prod_default', Aliases: ['web'] }, { Target: 'slipway-edge' }]);
    assert.notEqual(out[0]?.Labels[LABEL_SPEC_HASH], specs[0]?.Labels[LABEL_SPEC_HASH]);
    assert.equal(out[0]?.Labels[LABEL_SPEC_HASH], specHash(out[0] as ServiceSpec));
    assert.equal(out[1], specs[1]);
    assert.deepEqual(attachToEdge('shop-prod', out, { service: 'web', port: 3000 }), out);
    assert.throws(() => attachToEdge('shop-prod', specs, { service: 'api', port: 1 }), ConfigError);
  });

  it("builds the environment's route: its hosts, a DNS-discovered target, the spec's health check", () => {
    const ctx = driverContext({ app: 'shop', env: 'prod', registry: '127.0.0.1:5000' });
    const route = swarmEdgeRoute(ctx, 'shop-prod', { service: 'web', port: 3000, healthPath: '/up' }, 'r7', null);
    assert.equal(route.id, 'shop/prod');
    assert.deepEqual(route.hosts, ['prod.shop.localhost']);
    assert.deepEqual(route.targets, [{ url: 'http://tasks.shop-prod_web:3000', discover: 'dns', release: 'r7' }]);
    assert.deepEqual(route.healthCheck, { path: '/up', intervalMs: 1000, timeoutMs: 2000, healthyThreshold: 1 });
    assert.equal(route.release, 'r7');
    assert.equal(route.drainTimeoutMs, 30_000);
    const kept = swarmEdgeRoute(ctx, 'shop-prod', { service: 'web', port: 3000 }, 'r8', { ...route, paused: false, inFlight: {}, maintenance: { enabled: true, message: 'm', retryAfterSeconds: 5 } });
    assert.deepEqual(kept.maintenance, { enabled: true, message: 'm', retryAfterSeconds: 5 });
    assert.equal(kept.healthCheck.path, '/');
  });
});
