// The RuntimeDriver contract against the process driver: real processes, real health checks,
// test commands in the checked-out tree.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { specOf, makeContext, cleanup, processesIn, tempDir, webApp } from './process/harness.js';
import { RecordingEdge } from './process/recording-edge.js';
import { ProcessDriver } from '../../src/drivers/process/process-driver.js';
import { runtimeDriverContract, type DriverFixture } from './runtime-driver.contract.js';

runtimeDriverContract('process driver', async (): Promise<DriverFixture> => {
  const dataDir = await tempDir('contract-data');
  const sources = await tempDir('contract-src');
  const driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
  const processes = {
    web: {
      command: ['node', 'server.js'],
      http: true,
      instances: 1,
      health: { path: '/healthz', interval: '100ms', timeout: '500ms', retries: 2, start_period: '300ms' },
      min_uptime: '100ms',
    },
  };
  return {
    driver,
    context(opts = {}) {
      const spec = specOf({ processes, environments: { staging: {} }, test: opts.tests ?? [] });
      const { ctx, lines } = makeContext(spec, {
        app: 'contract',
        variables: { GREETING: 'contract' },
        secrets: { API_KEY: 'contract-secret-value' },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      return { ctx, log: () => lines.join('\n') };
    },
    async source(releaseId, { healthy }) {
      const dir = path.join(sources, releaseId);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const files = { ...webApp({ healthStatus: healthy ? 200 : 500 }), VERSION: `${releaseId}\n` };
      for (const [rel, content] of Object.entries(files)) await writeFile(path.join(dir, rel), content);
      return { dir, commitSha: null };
    },
    tests: {
      // Runs in the checked-out tree, with the app's environment and CI=true.
      passing: [['sh', '-c', 'test -f server.js && test -f VERSION && test "$CI" = true && test "$GREETING" = contract && echo tests ran in the source tree']],
      passingOutput: 'tests ran in the source tree',
      failing: [['sh', '-c', 'echo failing on purpose >&2; exit 7']],
      failingExitCode: 7,
      failingOutput: 'failing on purpose',
      endless: [['sleep', '600']],
    },
    async runningTests() {
      return (await processesIn(sources)).map(String);
    },
    async close() {
      await cleanup(dataDir, sources);
    },
  };
});
