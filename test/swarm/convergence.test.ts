// Convergence failures carry the tasks' errors: no suitable node, a missing image, a non-zero exit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { convertStack } from '../../src/drivers/swarm/compose/convert-stack.js';
import { loadCompose } from '../../src/drivers/swarm/compose/load-compose.js';
import { parseDockerHost } from '../../src/drivers/swarm/engine/connection.js';
import { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { SwarmApi } from '../../src/drivers/swarm/engine/swarm-api.js';
import { applyStack } from '../../src/drivers/swarm/stack/apply-stack.js';
import { ConvergenceError, waitForConvergence } from '../../src/drivers/swarm/stack/convergence.js';
import { removeStack } from '../../src/drivers/swarm/stack/remove-stack.js';
import { buildTestImage, busyboxSkip } from '../support/swarm-images.js';
import { requireSwarmEnv } from '../support/swarm-env.js';

const { env, skip } = await requireSwarmEnv();
const missingBusybox = busyboxSkip();

describe('convergence failures report task errors', { skip: skip || missingBusybox || false, timeout: 120_000 }, () => {
  let engine: EngineClient;
  let api: SwarmApi;
  let image: string;
  const stack = `conv${(Date.now() % 1_000_000).toString(36)}`;

  before(async () => {
    engine = await EngineClient.connect(parseDockerHost(env!.dockerHost));
    api = new SwarmApi(engine);
    image = await buildTestImage(engine, env!.registry, 'conv', 'v1');
  });
  after(async () => {
    await removeStack(api, stack).catch((e: Error) => console.log(`# cleanup: ${e.message}`));
    engine.close();
  });

  async function deploy(service: string, yaml: string) {
    const { file } = loadCompose(`services:\n  ${service}:\n${yaml}`, { IMAGE: image });
    const [change] = await applyStack(api, convertStack(file, { stack, objectData: () => undefined }));
    assert.ok(change);
    return change;
  }

  async function failure(id: string, timeoutMs: number): Promise<ConvergenceError> {
    try {
      await waitForConvergence(api, id, { timeoutMs, pollMs: 200 });
    } catch (err) {
      if (err instanceof ConvergenceError) return err;
      throw err;
    }
    assert.fail('expected the service not to converge');
  }

  it('an impossible placement constraint: timeout with "no suitable node"', async () => {
    const c = await deploy('pinned', '    image: ${IMAGE}\n    command: ["sleep", "60"]\n    deploy:\n      placement:\n        constraints: [node.labels.slipway-test == nowhere]\n');
    const err = await failure(c.id, 4000);
    assert.equal(err.reason, 'timeout');
    assert.ok(err.errors.some((e) => /no suitable node/.test(e)), err.errors.join(' | '));
  });

  it('a missing image: the task error names it', async () => {
    const missing = `${env!.registry}/conv-missing@sha256:${'0'.repeat(64)}`;
    const c = await deploy('ghost', `    image: ${missing}\n    command: ["sleep", "60"]\n`);
    const err = await failure(c.id, 8000);
    assert.ok(err.errors.some((e) => /No such image|not found|manifest unknown/i.test(e)), err.errors.join(' | '));
  });

  it('a process that exits non-zero: the exit code is in the error', async () => {
    const c = await deploy('crash', '    image: ${IMAGE}\n    command: ["sh", "-c", "exit 7"]\n    deploy:\n      restart_policy:\n        condition: none\n');
    const err = await failure(c.id, 8000);
    assert.ok(err.errors.some((e) => /non-zero exit \(7\)/.test(e)), err.errors.join(' | '));
  });
});
