// The RuntimeDriver contract: every runtime driver (process, Swarm, and the engine tests'
// GatedDriver) passes this suite, run by one *.contract.test.ts file per implementation.
// One environment, three releases, in order: r1 is built, tested (a passing, an empty, a
// failing and a cancelled test run), staged, started and activated; r2 replaces it and r1 is
// retired and pruned; r3 fails to start and is abandoned while r2 keeps serving. Every
// mutating method is called twice where the pipeline may repeat it after a crash.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Release } from '../../src/core/model.js';
import type { BuildResult, DriverContext, ReleaseRef, RuntimeDriver, SourceTree } from '../../src/core/ports/runtime-driver.js';
import { waitUntil } from '../support/wait-until.js';

export interface ContractContext {
  ctx: DriverContext;
  /** Everything written to the context's log so far, one "<stream> <text>" per line. */
  log(): string;
}

export interface DriverFixture {
  driver: RuntimeDriver;
  /** A context of the fixture's app and environment; `tests` become slipway.yml's test commands. */
  context(opts?: { tests?: string[][]; signal?: AbortSignal }): ContractContext;
  /** The source tree of a release: one that starts healthy, or (healthy: false) one that never gets healthy. */
  source(releaseId: string, opts: { healthy: boolean }): Promise<SourceTree>;
  tests: {
    /** Commands that pass only where the driver is meant to run them. */
    passing: string[][];
    /** A line the passing commands print (drivers that run real commands). */
    passingOutput?: string;
    /** A command that fails with `failingExitCode`, printing `failingOutput`. */
    failing: string[][];
    failingExitCode: number;
    failingOutput?: string;
    /** A command that runs until it is killed. */
    endless: string[][];
  };
  /** What test commands are running right now (pids, job services); [] when none. */
  runningTests(): Promise<string[]>;
  /** For a driver whose behaviour is scripted rather than real (the test driver). */
  script?: { failTests(exitCode: number): void; failStart(): void; holdTests(): void; reset(): void };
  close(): Promise<void>;
}

export interface ContractOptions {
  skip?: string | false;
  timeout?: number;
  /** How long a cancelled test command may take to show up as running. */
  runningTimeoutMs?: number;
}

/** The release record `status` gets for the live release. */
function liveRelease(ctx: DriverContext, ref: ReleaseRef): Release {
  const now = new Date().toISOString();
  return {
    id: ref.releaseId,
    appId: ctx.app.id,
    environmentId: ctx.environment.id,
    deploymentId: `dep-${ref.releaseId}`,
    commitSha: null,
    commitSubject: null,
    artifact: ref.artifact,
    status: 'live',
    driverState: ref.driverState,
    spec: ctx.spec as unknown as Record<string, unknown>,
    notes: [],
    trigger: 'manual',
    deployedBy: 'contract',
    createdAt: now,
    deployedAt: now,
  };
}

export function runtimeDriverContract(name: string, open: () => Promise<DriverFixture>, opts: ContractOptions = {}): void {
  describe(`RuntimeDriver contract: ${name}`, { skip: opts.skip ?? false, timeout: opts.timeout ?? 120_000 }, () => {
    let f: DriverFixture;
    const built = new Map<string, { source: SourceTree; build: BuildResult }>();
    const live = new Map<string, ReleaseRef>();

    before(async () => {
      f = await open();
    });
    after(async () => {
      await f?.close();
    });

    async function build(releaseId: string, healthy = true) {
      const c = f.context();
      const source = await f.source(releaseId, { healthy });
      const result = await f.driver.build(c.ctx, { releaseId, source });
      built.set(releaseId, { source, build: result });
      return { source, build: result, ref: { releaseId, artifact: result.artifact, driverState: result.driverState ?? {} } as ReleaseRef };
    }

    function testReq(releaseId: string) {
      const b = built.get(releaseId);
      assert.ok(b, `${releaseId} was built`);
      return { releaseId, source: b.source, build: b.build };
    }

    async function healthy(ref: ReleaseRef): Promise<void> {
      const c = f.context();
      const status = await f.driver.status(c.ctx.app, c.ctx.environment, liveRelease(c.ctx, ref));
      assert.equal(status.releaseId, ref.releaseId);
      assert.equal(status.healthy, true, `release ${ref.releaseId} is healthy: ${JSON.stringify(status)}`);
    }

    it('build records an artifact; test runs the passing commands against it and leaves nothing running', async () => {
      const { build: result } = await build('r1');
      assert.equal(typeof result.artifact, 'string');
      assert.ok(result.artifact.length > 0, 'the artifact has a content address');
      const c = f.context({ tests: f.tests.passing });
      await f.driver.test(c.ctx, testReq('r1'));
      if (f.tests.passingOutput) assert.match(c.log(), new RegExp(`^stdout ${f.tests.passingOutput}$`, 'm'), c.log());
      await f.driver.test(c.ctx, testReq('r1')); // again: the same outcome
      assert.deepEqual(await f.runningTests(), []);
    });

    it('test with no test commands passes', async () => {
      await f.driver.test(f.context({ tests: [] }).ctx, testReq('r1'));
    });

    it('a failing test command rejects with its exit code (and its last lines of output)', async () => {
      f.script?.failTests(f.tests.failingExitCode);
      try {
        const c = f.context({ tests: [...f.tests.failing, ...f.tests.passing] });
        await assert.rejects(f.driver.test(c.ctx, testReq('r1')), (err: unknown) => {
          assert.ok(err instanceof Error);
          assert.match(err.message, /test command 1/);
          assert.match(err.message, new RegExp(`exited with code ${f.tests.failingExitCode}\\b`));
          if (f.tests.failingOutput) assert.ok(err.message.includes(f.tests.failingOutput), err.message);
          return true;
        });
        if (f.tests.passingOutput) assert.doesNotMatch(c.log(), new RegExp(f.tests.passingOutput), 'no command runs after the failing one');
        assert.deepEqual(await f.runningTests(), []);
      } finally {
        f.script?.reset();
      }
    });

    it('test is cancelled through the signal and leaves nothing running', async () => {
      f.script?.holdTests();
      try {
        const ac = new AbortController();
        const c = f.context({ tests: f.tests.endless, signal: ac.signal });
        const running = f.driver.test(c.ctx, testReq('r1'));
        running.catch(() => undefined);
        await waitUntil('the endless test command to run', async () => (await f.runningTests()).length > 0, opts.runningTimeoutMs ?? 10_000, 50);
        ac.abort(new Error('deployment cancelled'));
        await assert.rejects(running);
        assert.deepEqual(await f.runningTests(), [], 'the test command is gone');
      } finally {
        f.script?.reset();
      }
    });

    it('stage, start and activate r1 (each twice); status reports it healthy', async () => {
      const b = built.get('r1');
      assert.ok(b);
      const c = f.context();
      const ref: ReleaseRef = { releaseId: 'r1', artifact: b.build.artifact, driverState: b.build.driverState ?? {} };
      await f.driver.stage(c.ctx, ref);
      await f.driver.stage(c.ctx, ref);
      const state = await f.driver.start(c.ctx, ref, null);
      assert.equal(typeof state, 'object');
      const again = await f.driver.start(c.ctx, ref, null);
      const started: ReleaseRef = { ...ref, driverState: { ...ref.driverState, ...again } };
      await f.driver.activate(c.ctx, started);
      await f.driver.activate(c.ctx, started);
      live.set('r1', started);
      await healthy(started);
    });

    it('r2 replaces r1; r1 is retired and pruned (each twice); r2 stays healthy', async () => {
      const r1 = live.get('r1');
      assert.ok(r1, 'r1 is live');
      const { ref } = await build('r2');
      const c = f.context({ tests: f.tests.passing });
      await f.driver.test(c.ctx, testReq('r2'));
      await f.driver.stage(c.ctx, ref);
      const r2: ReleaseRef = { ...ref, driverState: { ...ref.driverState, ...(await f.driver.start(c.ctx, ref, r1)) } };
      await f.driver.activate(c.ctx, r2);
      live.set('r2', r2);
      await f.driver.retire(c.ctx, r1);
      await f.driver.retire(c.ctx, r1);
      const removed = await f.driver.prune(c.ctx, [r2]);
      assert.ok(Array.isArray(removed));
      assert.ok(!removed.some((what) => what.includes(r2.artifact)), `prune kept r2's artifact: ${removed.join(', ')}`);
      const again = await f.driver.prune(c.ctx, [r2]);
      assert.ok(Array.isArray(again));
      await healthy(r2);
    });

    it('r3 fails to start and is abandoned (twice); r2 keeps serving', async () => {
      const r2 = live.get('r2');
      assert.ok(r2, 'r2 is live');
      const { ref } = await build('r3', false);
      f.script?.failStart();
      try {
        const c = f.context();
        await f.driver.stage(c.ctx, ref);
        await assert.rejects(f.driver.start(c.ctx, ref, r2));
        await f.driver.abandon(c.ctx, ref, r2);
        await f.driver.abandon(c.ctx, ref, r2);
      } finally {
        f.script?.reset();
      }
      await healthy(r2);
    });
  });
}
