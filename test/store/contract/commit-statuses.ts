// Contract: commit statuses reported by external CI.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { CommitStatuses } from '../../../src/core/ports/store/commit-statuses.js';
import { makeApp, withStore, type OpenStore } from './fixture.js';

const at = (n: number) => new Date(Date.UTC(2026, 10, 23, 0, 0, n)).toISOString();

export function commitStatusesContract(open: OpenStore<CommitStatuses & AppsAndEnvironments>): void {
  describe('commit statuses', () => {
    test('statuses are kept per app and commit, newest first', withStore(open, async (store) => {
      const { app } = await makeApp(store);
      const { app: other } = await makeApp(store);
      const sha = 'b'.repeat(40);
      await store.addCommitStatus({ appId: app.id, sha, context: 'ci/tests', state: 'pending', description: null, at: at(1) });
      const s2 = await store.addCommitStatus({ appId: app.id, sha, context: 'ci/tests', state: 'success', description: 'all green' });
      await store.addCommitStatus({ appId: other.id, sha, context: 'ci/tests', state: 'failure', description: null });
      await store.addCommitStatus({ appId: app.id, sha: 'c'.repeat(40), context: 'ci/tests', state: 'failure', description: null });
      const list = await store.listCommitStatuses(app.id, sha);
      assert.deepEqual(list.map((s) => s.state), ['success', 'pending']);
      assert.deepEqual(list[0], s2);
      assert.equal(s2.description, 'all green');
      assert.deepEqual(await store.listCommitStatuses(app.id, 'd'.repeat(40)), []);
    }));
  });
}
