// The RuntimeDriver contract against the Swarm driver on the real private Swarm (one small
// busybox image per release). Its passing test command succeeds only INSIDE THE BUILT IMAGE:
// it needs a file that exists only in the image and the absence of a marker file that exists
// on the control plane's host; the failing one must make the driver reject with its exit code.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appSpecSchema } from '../../src/core/app-spec.js';
import type { DriverContext } from '../../src/core/ports/runtime-driver.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { parseDockerHost } from '../../src/drivers/swarm/engine/connection.js';
import { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { SwarmApi } from '../../src/drivers/swarm/engine/swarm-api.js';
import { removeStack } from '../../src/drivers/swarm/stack/remove-stack.js';
import { SwarmDriver } from '../../src/drivers/swarm/swarm-driver.js';
import { requireSwarmEnv } from '../support/swarm-env.js';
import { busyboxSkip, webFiles, writeBusyboxContext } from '../support/swarm-images.js';
import { runtimeDriverContract, type DriverFixture } from './runtime-driver.contract.js';

const COMPOSE = `services:
  web:
    build: .
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
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
      replicas: 1
      endpoint_mode: dnsrr
      update_config:
        order: start-first
        failure_action: rollback
        monitor: 2s
      rollback_config:
        order: start-first
secrets:
  api_key:
    environment: API_KEY
`;

const IMAGE_ONLY = '/slipway-contract/image-only';

const { env, skip } = await requireSwarmEnv();
const missingBusybox = busyboxSkip();

runtimeDriverContract(
  'Swarm driver (real Swarm)',
  async (): Promise<DriverFixture> => {
    const engine = await EngineClient.connect(parseDockerHost(env!.dockerHost));
    const api = new SwarmApi(engine);
    const driver = new SwarmDriver({ engine, convergenceTimeoutMs: 90_000, jobTimeoutMs: 60_000 });
    // Unique per run: a network removed by an earlier run may linger in the engine's list.
    const app = `ctr${(Date.now() % 1_000_000).toString(36)}`;
    const stack = `${app}-staging`;
    const sources = await mkdtemp(path.join(os.tmpdir(), 'slipway-contract-swarm-'));
    const hostMarker = path.join(sources, 'on-the-control-plane-host-only');
    await writeFile(hostMarker, 'this file is on the host, not in the image\n');
    assert.ok(existsSync(hostMarker));
    assert.ok(!existsSync(IMAGE_ONLY), `${IMAGE_ONLY} must not exist on the host`);
    await removeStack(api, stack);
    return {
      driver,
      context(opts = {}): { ctx: DriverContext; log(): string } {
        const now = new Date().toISOString();
        const spec = appSpecSchema.parse({ driver: 'swarm', environments: { staging: {} }, swarm: { registry: env!.registry }, test: opts.tests ?? [] });
        const lines: string[] = [];
        const secret = 'contract-secret-value';
        const ctx: DriverContext = {
          app: { id: `app-${app}`, name: app, repo: '/dev/null', driver: 'swarm', createdAt: now },
          environment: { id: 'env-staging', appId: `app-${app}`, name: 'staging', branch: 'main', createdAt: now },
          spec,
          envSpec: spec.environments['staging']!,
          // As the pipeline builds it: plain variables followed by the decrypted secrets.
          variables: { GREETING: 'contract', API_KEY: secret },
          secrets: { API_KEY: new Sensitive(secret) },
          log: { info: (t) => lines.push(`info ${t}`), error: (t) => lines.push(`error ${t}`), output: (s, t) => lines.push(`${s} ${t}`) },
          signal: opts.signal ?? new AbortController().signal,
        };
        return { ctx, log: () => lines.join('\n') };
      },
      async source(releaseId, { healthy }) {
        const dir = path.join(sources, releaseId);
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        await writeBusyboxContext(dir, { ...webFiles(releaseId), [IMAGE_ONLY.slice(1)]: `built into ${releaseId}\n` });
        if (!healthy) await unlink(path.join(dir, 'files', 'www', 'health'));
        await writeFile(path.join(dir, 'docker-compose.yml'), COMPOSE);
        return { dir, commitSha: createHash('sha1').update(`${app}/${releaseId}`).digest('hex') };
      },
      tests: {
        passing: [
          [
            'sh',
            '-c',
            `test -f ${IMAGE_ONLY} && test ! -e ${hostMarker} && test "$CI" = true && test "$GREETING" = contract && test -z "$API_KEY" && test -s /run/secrets/api_key && echo tests ran inside the image`,
          ],
        ],
        passingOutput: 'tests ran inside the image',
        failing: [['sh', '-c', 'echo failing on purpose >&2; exit 7']],
        failingExitCode: 7,
        failingOutput: 'failing on purpose',
        endless: [['sleep', '600']],
      },
      async runningTests() {
        return (await api.listServices()).map((s) => s.Spec.Name).filter((n) => n.startsWith(`${stack}_test-`));
      },
      async close() {
        await removeStack(api, stack).catch((e: Error) => console.log(`# cleanup: ${e.message}`));
        await rm(sources, { recursive: true, force: true });
        await driver.close();
      },
    };
  },
  { skip: skip || missingBusybox || false, timeout: 400_000, runningTimeoutMs: 30_000 },
);
