// Image pruning on every node through a global job (the prune program in the edge image, the
// node's Engine socket bind-mounted), on the real single-node swarm: images of the repository
// that no kept release uses are removed, kept ones stay, the job service is gone afterwards.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDockerHost } from '../../src/drivers/swarm/engine/connection.js';
import { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { SwarmApi } from '../../src/drivers/swarm/engine/swarm-api.js';
import { ensureEdgeImage } from '../../src/drivers/swarm/edge/edge-image.js';
import { pruneImagesOnEveryNode } from '../../src/drivers/swarm/node-jobs/prune-everywhere.js';
import { bundleEdge } from '../support/swarm-edge.js';
import { requireSwarmEnv } from '../support/swarm-env.js';
import { buildTestImage, busyboxSkip, webFiles } from '../support/swarm-images.js';

const { env, skip } = await requireSwarmEnv();
const missingBusybox = busyboxSkip();

describe('pruning images on every node', { skip: skip || missingBusybox || false, timeout: 300_000 }, () => {
  let engine: EngineClient;
  let api: SwarmApi;
  let bundleDir: string;
  const repo = `${env?.registry ?? ''}/prune${(Date.now() % 1_000_000).toString(36)}`;

  before(async () => {
    engine = await EngineClient.connect(parseDockerHost(env!.dockerHost));
    api = new SwarmApi(engine);
    bundleDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-prune-bundle-'));
  });

  after(async () => {
    for (const img of await engine.request<{ Id: string }[]>({ method: 'GET', path: '/images/json', query: { filters: JSON.stringify({ reference: [repo] }) } })) {
      await engine.request({ method: 'DELETE', path: `/images/${img.Id}`, query: { force: true } }).catch(() => undefined);
    }
    await rm(bundleDir, { recursive: true, force: true });
    engine?.close();
  });

  const refsIn = async () =>
    (await engine.request<{ RepoTags: string[] | null }[]>({ method: 'GET', path: '/images/json', query: { filters: JSON.stringify({ reference: [repo] }) } }))
      .flatMap((i) => i.RepoTags ?? [])
      .sort();

  it('removes the images no kept release uses and keeps the others', async () => {
    const name = repo.slice(env!.registry.length + 1);
    const old = await buildTestImage(engine, env!.registry, name, 'old', webFiles('old'));
    const kept = await buildTestImage(engine, env!.registry, name, 'kept', webFiles('kept'));
    assert.deepEqual(await refsIn(), [`${repo}:kept`, `${repo}:old`]);
    const tool = await ensureEdgeImage(engine, { registry: env!.registry, nodeBinary: process.execPath, bundlePath: await bundleEdge(bundleDir) });
    const warnings: string[] = [];
    const removed = await pruneImagesOnEveryNode(engine, api, {
      toolImage: tool.image,
      nodeSocket: env!.socketPath!,
      repository: repo,
      keepRefs: [kept, `${repo}:kept`],
      warn: (l) => warnings.push(l),
    });
    assert.deepEqual(warnings, []);
    // One image removed, named by its digest reference (what a node that pulled it knows).
    assert.deepEqual(removed, [`image ${old}`], JSON.stringify(removed));
    assert.deepEqual(await refsIn(), [`${repo}:kept`]);
    const left = await api.listServices({ label: ['com.slipway.job=prune-images'] });
    assert.deepEqual(left, [], 'the job service is removed');
  });
});
