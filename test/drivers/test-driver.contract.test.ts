// The RuntimeDriver contract against the engine tests' GatedDriver: it runs nothing, so the
// outcomes a real driver gets from its commands and instances are scripted here; the suite
// keeps the fake honest about the calls and results the pipeline relies on.
import { appSpecSchema } from '../../src/core/app-spec.js';
import type { DriverContext } from '../../src/core/ports/runtime-driver.js';
import { GatedDriver } from '../support/gated-driver.js';
import { runtimeDriverContract, type DriverFixture } from './runtime-driver.contract.js';

runtimeDriverContract('test driver (GatedDriver)', async (): Promise<DriverFixture> => {
  const driver = new GatedDriver();
  let held: ReturnType<GatedDriver['hold']> | null = null;
  return {
    driver,
    context(opts = {}) {
      const now = new Date().toISOString();
      const spec = appSpecSchema.parse({ environments: { staging: {} }, test: opts.tests ?? [] });
      const lines: string[] = [];
      const ctx: DriverContext = {
        app: { id: 'app_contract', name: 'contract', repo: 'file:///dev/null', driver: 'process', createdAt: now },
        environment: { id: 'env_staging', appId: 'app_contract', name: 'staging', branch: null, createdAt: now },
        spec,
        envSpec: spec.environments['staging']!,
        variables: {},
        secrets: {},
        log: { info: (t) => lines.push(`info ${t}`), error: (t) => lines.push(`error ${t}`), output: (s, t) => lines.push(`${s} ${t}`) },
        signal: opts.signal ?? new AbortController().signal,
      };
      return { ctx, log: () => lines.join('\n') };
    },
    async source(releaseId) {
      return { dir: `/nonexistent/${releaseId}`, commitSha: null };
    },
    tests: { passing: [['true']], failing: [['false']], failingExitCode: 1, endless: [['sleep', '600']] },
    async runningTests() {
      return driver.waiting('test') > 0 ? ['test (held at its gate)'] : [];
    },
    script: {
      failTests: (code) => driver.failOn('test', `test command 1 ["false"] exited with code ${code}`),
      failStart: () => driver.failOn('start', 'web.0 failed its health check'),
      holdTests: () => {
        held = driver.hold('test');
      },
      reset: () => {
        held?.release();
        held = null;
        driver.clearFailures();
      },
    },
    async close() {},
  };
});
