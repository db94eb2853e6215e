// Contract: the deployment log (numbered lines, read on from a seq).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { DeploymentLog } from '../../../src/core/ports/store/deployment-log.js';
import type { Deployments } from '../../../src/core/ports/store/deployments.js';
import { enqueue, isIsoTime, makeApp, withStore, type OpenStore } from './fixture.js';

export function deploymentLogContract(open: OpenStore<DeploymentLog & Deployments & AppsAndEnvironments>): void {
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
