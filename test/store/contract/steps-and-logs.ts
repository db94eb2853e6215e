// Contract: step runs and the deployment log.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotFoundError } from '../../../src/core/errors.js';
import { enqueue, isIsoTime, makeApp, withStore, type OpenStore } from './fixture.js';

export function stepsAndLogsContract(open: OpenStore): void {
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

  describe('deployment log', () => {
    test('appendLog numbers lines 1, 2, ... per deployment', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const a = (await enqueue(store, staging)).deployment;
      const b = (await enqueue(store, staging)).deployment;
      const l1 = await store.appendLog(a.id, 'info', null, 'starting');
      const l2 = await store.appendLog(a.id, 'stdout', 'build', 'npm ci');
      const m1 = await store.appendLog(b.id, 'stderr', 'build', 'warn');
      assert.deepEqual([l1.seq, l2.seq, m1.seq], [1, 2, 1]);
      assert.deepEqual(
        { ...l2, at: 'x' },
        { deploymentId: a.id, seq: 2, at: 'x', stream: 'stdout', step: 'build', text: 'npm ci' },
      );
      assert.ok(isIsoTime(l2.at));
    }));

    test('concurrent appends get distinct consecutive numbers', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const d = (await enqueue(store, staging)).deployment;
      const lines = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.appendLog(d.id, 'stdout', 'build', `line ${i}`)),
      );
      assert.deepEqual(lines.map((l) => l.seq).sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i + 1));
      const read = await store.readLog(d.id);
      assert.equal(read.length, 50);
      for (const l of lines) assert.equal(read[l.seq - 1]?.text, l.text);
    }));

    test('readLog returns lines after a seq, in order, up to a limit', withStore(open, async (store) => {
      const { staging } = await makeApp(store);
      const d = (await enqueue(store, staging)).deployment;
      for (let i = 1; i <= 10; i++) await store.appendLog(d.id, 'info', null, `line ${i}`);
      assert.deepEqual((await store.readLog(d.id)).map((l) => l.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.deepEqual((await store.readLog(d.id, 7)).map((l) => l.text), ['line 8', 'line 9', 'line 10']);
      assert.deepEqual((await store.readLog(d.id, 2, 3)).map((l) => l.seq), [3, 4, 5]);
      assert.deepEqual(await store.readLog(d.id, 10), []);
      assert.deepEqual(await store.readLog('dep_missing'), []);
    }));
  });
}
