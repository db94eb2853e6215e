// Oracle: the services Slipway creates from a compose file equal those `docker stack deploy`
// (the Docker CLI) creates from the same file, in the fields both set (from GET /services);
// and a second deploy of an unchanged file changes nothing.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runChecked } from '../../src/platform/exec.js';
import { parseDockerHost } from '../../src/drivers/swarm/engine/connection.js';
import { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { SwarmApi, type ServiceInfo } from '../../src/drivers/swarm/engine/swarm-api.js';
import { applyStack } from '../../src/drivers/swarm/stack/apply-stack.js';
import { readStack } from '../../src/drivers/swarm/stack/read-stack.js';
import { removeStack } from '../../src/drivers/swarm/stack/remove-stack.js';
import { projectRoot } from '../support/entry.js';
import { buildTestImage, busyboxSkip, webFiles } from '../support/swarm-images.js';
import { requireSwarmEnv } from '../support/swarm-env.js';
import { diffBothSet } from './spec-diff.js';

const fixtures = path.join(projectRoot, 'test', 'fixtures', 'compose');
const runId = (Date.now() % 1_000_000).toString(36);
const { env, skip } = await requireSwarmEnv();
const missingBusybox = busyboxSkip();

describe('oracle: Slipway vs docker stack deploy', { skip: skip || missingBusybox || false, timeout: 240_000 }, () => {
  let engine: EngineClient;
  let api: SwarmApi;
  let vars: Record<string, string>;
  const stacks: string[] = [];

  before(async () => {
    engine = await EngineClient.connect(parseDockerHost(env!.dockerHost));
    api = new SwarmApi(engine);
    const [app, redis, nginx] = await Promise.all([
      buildTestImage(engine, env!.registry, 'oracle-app', 'v1', webFiles('v1')),
      buildTestImage(engine, env!.registry, 'oracle-redis', 'v1'),
      buildTestImage(engine, env!.registry, 'oracle-nginx', 'v1'),
    ]);
    vars = { APP_IMAGE: app, REDIS_IMAGE: redis, NGINX_IMAGE: nginx };
  });

  after(async () => {
    for (const s of stacks) await removeStack(api, s).catch(() => undefined);
    engine?.close();
  });

  async function servicesOf(stack: string): Promise<Map<string, ServiceInfo>> {
    const out = new Map<string, ServiceInfo>();
    for (const s of await api.listServices({ label: [`com.docker.stack.namespace=${stack}`] })) out.set(s.Spec.Name.slice(stack.length + 1), s);
    return out;
  }

  /** Replaces the stack name and per-stack ids so that two stacks' specs can be compared. */
  async function normalise(spec: unknown, stack: string): Promise<unknown> {
    const networks = new Map((await api.listNetworks()).map((n) => [n.Id, n.Name]));
    const json = JSON.stringify(spec, (key, value: unknown) => {
      if (key === 'SecretID' || key === 'ConfigID') return undefined;
      if (key === 'Target' && typeof value === 'string' && networks.has(value)) return networks.get(value);
      if (key === 'Labels' && value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value as Record<string, string>).filter(([k]) => !k.startsWith('com.slipway.')));
      }
      return value;
    });
    return JSON.parse(json.split(stack).join('STACK')) as unknown;
  }

  async function settledVersions(stack: string): Promise<Map<string, number>> {
    const read = async () => new Map([...(await servicesOf(stack))].map(([n, s]) => [n, s.Version.Index]));
    let last = await read();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await read();
      if (JSON.stringify([...now]) === JSON.stringify([...last])) return now;
      last = now;
    }
    return last;
  }

  for (const [i, fixture] of ['custom-domain.yml', 'django.yml', 'rollout.yml'].entries()) {
    it(`${fixture}: same services as docker stack deploy; a second deploy changes nothing`, async () => {
      // Names unique to this run: a network removed by an earlier run may linger in the engine's list.
      const cli = `ora${i}cli${runId}`;
      const ours = `ora${i}slw${runId}`;
      stacks.push(cli, ours);
      await runChecked(['docker', 'stack', 'deploy', '--compose-file', path.join(fixtures, fixture), cli], {
        cwd: fixtures,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', DOCKER_HOST: env!.dockerHost, ...vars },
        timeoutMs: 60_000,
      });
      const plan = readStack({ composePath: path.join(fixtures, fixture), stack: ours, variables: vars });
      const first = await applyStack(api, plan);
      assert.ok(first.every((c) => c.action === 'created'));

      const a = await servicesOf(cli);
      const b = await servicesOf(ours);
      assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
      const report: string[] = [];
      for (const [name, svcA] of a) {
        const svcB = b.get(name)!;
        const diff = diffBothSet(await normalise(svcA.Spec, cli), await normalise(svcB.Spec, ours));
        assert.deepEqual(diff.different, [], `${fixture} ${name}: fields set by both differ`);
        if (diff.onlyLeft.length || diff.onlyRight.length) report.push(`${name}: only docker stack deploy sets ${diff.onlyLeft.join(', ') || '-'}; only Slipway sets ${diff.onlyRight.join(', ') || '-'}`);
        // The fields that matter are set by both (not silently skipped by the comparison).
        for (const key of ['Image', 'Labels', 'Env', 'Args', 'Secrets', 'Configs', 'Healthcheck', 'Mounts'] as const) {
          assert.equal(key in svcA.Spec.TaskTemplate.ContainerSpec, key in svcB.Spec.TaskTemplate.ContainerSpec, `${name}: ContainerSpec.${key} set on one side only`);
        }
        for (const key of ['UpdateConfig', 'RollbackConfig', 'Mode', 'EndpointSpec'] as const) {
          assert.equal(key in svcA.Spec, key in svcB.Spec, `${name}: ${key} set on one side only`);
        }
      }
      if (report.length) console.log(`# ${fixture}\n# ${report.join('\n# ')}`);

      // Swarm's allocator bumps a new service's version once on its own (endpoint allocation):
      // read the versions once they have settled.
      const versions = await settledVersions(ours);
      const second = await applyStack(api, readStack({ composePath: path.join(fixtures, fixture), stack: ours, variables: vars }));
      assert.deepEqual(second.map((c) => c.action), second.map(() => 'unchanged'));
      for (const [n, s] of await servicesOf(ours)) assert.equal(s.Version.Index, versions.get(n), `${n}: version changed on an unchanged deploy`);
    });
  }
});
