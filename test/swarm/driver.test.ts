// The Swarm driver end to end on the real single-node swarm: build by digest, release job,
// converge, a failing health check rolled back by Swarm and reported, a failing migration
// that updates nothing, a rotated secret, rollback to v1 by digest, status and logs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ReleaseRef } from '../../src/core/ports/runtime-driver.js';
import { parseDockerHost } from '../../src/drivers/swarm/engine/connection.js';
import { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { SwarmApi } from '../../src/drivers/swarm/engine/swarm-api.js';
import { ConvergenceError } from '../../src/drivers/swarm/stack/convergence.js';
import { removeStack } from '../../src/drivers/swarm/stack/remove-stack.js';
import { SwarmDriver } from '../../src/drivers/swarm/swarm-driver.js';
import { busyboxSkip, webFiles, writeBusyboxContext } from '../support/swarm-images.js';
import { requireSwarmEnv } from '../support/swarm-env.js';
import { driverContext } from './driver-context.js';

const COMPOSE = `services:
  web:
    build: .
    command: ["sh", "-c", "echo web serving $$(cat /www/index.html); exec httpd -f -p 8080 -h /www"]
    environment:
      GREETING: \${GREETING:-hello}
    secrets: [api_key]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
      interval: 1s
      timeout: 1s
      retries: 2
      start_period: 2s
    stop_grace_period: 1s
    deploy:
      replicas: 2
      endpoint_mode: dnsrr
      update_config:
        order: start-first
        failure_action: rollback
        monitor: 2s
      rollback_config:
        order: start-first
  migrate:
    build: .
    command: ["sh", "-c", "echo migrating to $$(cat /www/index.html); echo schema warning >&2; exit $\${MIGRATE_EXIT:-0}"]
    environment:
      MIGRATE_EXIT: \${MIGRATE_EXIT:-0}
    deploy:
      mode: replicated-job
secrets:
  api_key:
    environment: API_KEY
`;

const { env, skip } = await requireSwarmEnv();
const missingBusybox = busyboxSkip();

describe('SwarmDriver end to end', { skip: skip || missingBusybox || false, timeout: 400_000 }, () => {
  let engine: EngineClient;
  let api: SwarmApi;
  let driver: SwarmDriver;
  let src: string;
  // Unique per run: a network removed by an earlier run may linger in the engine's list.
  const appName = `drv${(Date.now() % 1_000_000).toString(36)}`;
  const stack = `${appName}-staging`;
  const releases = new Map<string, ReleaseRef>();

  before(async () => {
    engine = await EngineClient.connect(parseDockerHost(env!.dockerHost));
    api = new SwarmApi(engine);
    driver = new SwarmDriver({ engine, convergenceTimeoutMs: 90_000, jobTimeoutMs: 60_000 });
    src = await mkdtemp(path.join(os.tmpdir(), 'slipway-swarm-src-'));
    await removeStack(api, stack);
  });

  after(async () => {
    await removeStack(api, stack).catch((e: Error) => console.log(`# cleanup: ${e.message}`));
    await rm(src, { recursive: true, force: true });
    await driver.close();
  });

  const ctx = (over: { secrets?: Record<string, string>; variables?: Record<string, string> } = {}) =>
    driverContext({ app: appName, env: 'staging', registry: env!.registry, secrets: { API_KEY: 'key-one', ...over.secrets }, variables: over.variables });

  async function source(version: string, healthy = true): Promise<void> {
    await rm(src, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(src, { recursive: true }));
    await writeBusyboxContext(src, webFiles(version));
    if (!healthy) await unlink(path.join(src, 'files', 'www', 'health'));
    await writeFile(path.join(src, 'docker-compose.yml'), COMPOSE);
  }

  async function deploy(id: string, version: string, opts: { healthy?: boolean; c?: ReturnType<typeof ctx>; previous?: ReleaseRef | null } = {}) {
    const c = opts.c ?? ctx();
    await source(version, opts.healthy ?? true);
    const sha = createHash('sha1').update(version + id).digest('hex');
    const built = await driver.build(c, { releaseId: id, source: { dir: src, commitSha: sha } });
    const ref: ReleaseRef = { releaseId: id, artifact: built.artifact, driverState: built.driverState ?? {} };
    await driver.stage(c, ref);
    await driver.runRelease(c, ref);
    const state = await driver.start(c, ref, opts.previous ?? null);
    const live: ReleaseRef = { ...ref, driverState: state };
    releases.set(id, live);
    return { c, ref: live };
  }

  async function web() {
    const [svc] = await api.listServices({ name: [`${stack}_web`] });
    assert.ok(svc, 'web service exists');
    return svc;
  }

  it('v1: builds by digest, runs the migration job with its logs, converges with 2 replicas', async () => {
    const { c, ref } = await deploy('r1', 'v1');
    assert.match(ref.artifact, new RegExp(`^${env!.registry.replace(/\./g, '\\.')}/${appName}@sha256:[0-9a-f]{64}$`));
    assert.equal((await web()).Spec.TaskTemplate.ContainerSpec.Image, ref.artifact);
    const log = c.log.text();
    assert.match(log, /\[stdout\] migrating to v1/);
    assert.match(log, /\[stderr\] schema warning/);
    assert.ok(log.includes(`release job ${stack}_migrate-r1: complete, exit code 0`), log);
    const status = await driver.serviceStatus(c.app, c.environment, null);
    assert.deepEqual(status.map((s) => [s.service, s.running, s.desired]), [['web', 2, 2]]);
    assert.ok(status[0]?.tasks.every((t) => t.node && t.state === 'running'));
    const rs = await driver.status(c.app, c.environment, null);
    assert.equal(rs.healthy, true);
  });

  it('logs: the web service logs come back demultiplexed', async () => {
    const c = ctx();
    const lines: string[] = [];
    for await (const l of driver.logs(c.app, c.environment, 'web', { tail: 10 })) lines.push(`${l.service} ${l.stream} ${l.text}`);
    assert.ok(lines.some((l) => /^web stdout web serving v1$/.test(l)), lines.join('\n'));
  });

  it('v2: converges on the new digest; an unchanged redeploy changes nothing', async () => {
    const { ref } = await deploy('r2', 'v2', { previous: releases.get('r1') });
    const svc = await web();
    assert.equal(svc.Spec.TaskTemplate.ContainerSpec.Image, ref.artifact);
    const version = svc.Version.Index;
    await driver.start(ctx(), ref, null);
    assert.equal((await web()).Version.Index, version);
  });

  it('v3 with a failing health check: Swarm rolls back, the deploy fails with the task error, v2 still runs', async () => {
    const c = ctx();
    await assert.rejects(deploy('r3', 'v3', { healthy: false, c, previous: releases.get('r2') }), (e: unknown) => {
      assert.ok(e instanceof ConvergenceError, String(e));
      assert.equal(e.reason, 'rolled_back');
      return true;
    });
    assert.ok(c.log.text().includes(`[error] ${stack}_web: `), c.log.text());
    const svc = await web();
    assert.equal(svc.Spec.TaskTemplate.ContainerSpec.Image, releases.get('r2')?.artifact);
    console.log(`# v3 errors:\n# ${c.log.lines.filter((l) => l.stream === 'error').map((l) => l.text).join('\n# ')}`);
  });

  it('a failing migration stops the deploy before any service is updated', async () => {
    const before = await web();
    const c = ctx({ variables: { MIGRATE_EXIT: '3' } });
    await assert.rejects(deploy('r4', 'v4', { c }), new RegExp(`release job ${stack}_migrate-r4 failed .*exit code 3.*no service was updated`));
    const now = await web();
    assert.equal(now.Version.Index, before.Version.Index);
    assert.equal(now.Spec.TaskTemplate.ContainerSpec.Image, releases.get('r2')?.artifact);
  });

  it('a rotated secret rolls the service to a new version; the old version is removed', async () => {
    const c = ctx({ secrets: { API_KEY: 'key-two' } });
    const oldName = (await web()).Spec.TaskTemplate.ContainerSpec.Secrets?.[0]?.SecretName;
    await deploy('r5', 'v2', { c, previous: releases.get('r2') });
    const newName = (await web()).Spec.TaskTemplate.ContainerSpec.Secrets?.[0]?.SecretName;
    const hash = createHash('sha256').update('key-two').digest('hex').slice(0, 12);
    assert.equal(newName, `${stack}_api_key_${hash}`);
    assert.notEqual(newName, oldName);
    await driver.retire(c, releases.get('r2')!);
    const names = (await api.listSecrets({ label: [`com.docker.stack.namespace=${stack}`] })).map((s) => s.Spec.Name);
    assert.deepEqual(names, [newName]);
  });

  it('rollback to v1 by digest: no rebuild, v1 image serves', async () => {
    const c = ctx({ secrets: { API_KEY: 'key-two' } });
    const v1 = releases.get('r1')!;
    await driver.stage(c, v1);
    await driver.start(c, v1, releases.get('r5') ?? null);
    const svc = await web();
    assert.equal(svc.Spec.TaskTemplate.ContainerSpec.Image, v1.artifact);
    const status = await driver.serviceStatus(c.app, c.environment, null);
    assert.deepEqual(status.map((s) => [s.service, s.running, s.desired]), [['web', 2, 2]]);
  });

  it('prune keeps the images and secrets of kept releases', async () => {
    const c = ctx({ secrets: { API_KEY: 'key-two' } });
    const v1 = releases.get('r1')!;
    const removed = await driver.prune(c, [v1]);
    console.log(`# pruned: ${removed.join(', ') || '(nothing)'}`);
    const img = await engine.request<{ Id: string }>({ method: 'GET', path: `/images/${v1.artifact}/json` });
    assert.ok(img.Id);
    const names = (await api.listSecrets({ label: [`com.docker.stack.namespace=${stack}`] })).map((s) => s.Spec.Name);
    const used = (await web()).Spec.TaskTemplate.ContainerSpec.Secrets?.map((s) => s.SecretName) ?? [];
    for (const n of used) assert.ok(names.includes(n), `${n} is still there`);
  });
});
