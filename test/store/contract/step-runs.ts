// Contract: the step runs of a deployment.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotFoundError } from '../../../src/core/errors.js';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { Deployments } from '../../../src/core/ports/store/deployments.js';
import type { StepRuns } from '../../../src/core/ports/store/step-runs.js';
import { enqueue, isIsoTime, makeApp, withStore, type OpenStore } from './fixture.js';

export function stepRunsContract(open: OpenStore<StepRuns & Deployments & AppsAndEnvironments>): void {
  describe('step runs', () => {
    test('startStep, finishStep and listSteps record each step in order', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const d = (await enqueue(store, staging)).deployment;
      const lock = await store.startStep(d.id, 1, 'acquire-lock');
      const build = await store.startStep(d.id, 2, 'build');
      assert.equal(lock.status, 'running');
      assert.deepEqual(lock.output, {});
      assert.ok(isIsoTime(lock.startedAt));
      assert.equal(lock.finishedAt, null);
      assert.notEqual(lock.id, build.id);
      await store.finishStep(lock.id, 'succeeded', { holder: 'engine' });
      await store.finishStep(build.id, 'failed', undefined, 'exit code 1');
      const steps = await store.listSteps(d.id);
      assert.deepEqual(steps.map((s) => [s.seq, s.name, s.status, s.error]), [
        [1, 'acquire-lock', 'succeeded', null],
        [2, 'build', 'failed', 'exit code 1'],
      ]);
      assert.deepEqual(steps[0]?.output, { holder: 'engine' });
      assert.ok(isIsoTime(steps[0]?.finishedAt ?? null));
    }));

    test('a step being compensated is not finished yet', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const d = (await enqueue(store, staging)).deployment;
      const s = await store.startStep(d.id, 1, 'start');
      await store.finishStep(s.id, 'succeeded');
      await store.finishStep(s.id, 'compensating');
      assert.equal((await store.listSteps(d.id))[0]?.finishedAt, null);
      await store.finishStep(s.id, 'compensated');
      const [done] = await store.listSteps(d.id);
      assert.equal(done?.status, 'compensated');
      assert.ok(isIsoTime(done?.finishedAt ?? null));
    }));

    test('finishStep of an unknown step is not found', withStore(open, async (store) => {
      await assert.rejects(store.finishStep(987654, 'succeeded'), NotFoundError);
    }));
  });
}
