// Pure and store-level pieces: secret rotation grace period, deployment notes, CI gate rules.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { CommitStatus } from '../../src/core/model.js';
import type { SourceProvider } from '../../src/core/ports/source.js';
import { latestPerContext, requireGreenCommit } from '../../src/pipeline/ci-gate.js';
import { notesOf } from '../../src/pipeline/deployment-notes.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { AppService } from '../../src/services/app-service.js';
import { AuditTrail } from '../../src/services/audit-trail.js';
import { WebhookSecretService } from '../../src/services/webhook-secret-service.js';
import { openSqliteStore } from '../../src/store/index.js';

const noSource: SourceProvider = {
  resolve: () => Promise.reject(new Error('not used')),
  checkout: () => Promise.reject(new Error('not used')),
  readFile: () => Promise.reject(new Error('not used')),
  log: () => Promise.reject(new Error('not used')),
  changedPaths: () => Promise.reject(new Error('not used')),
};

describe('webhook secret rotation', () => {
  test('the previous secret is accepted during the grace period only, then dropped from storage', async () => {
    const store = await openSqliteStore(':memory:');
    try {
      const app = await store.createApp({ name: 'web', repo: '/srv/web.git', driver: 'process' }, [{ name: 'staging', branch: 'main' }]);
      let now = new Date('2026-11-23T00:00:00Z');
      const audit = new AuditTrail(store);
      const svc = new WebhookSecretService(store, SecretBox.fromKey(randomBytes(32)), new AppService(store, noSource, audit), audit, () => now, 60_000);
      const first = await svc.rotate({ name: 't' }, { app: 'web' });
      assert.deepEqual((await svc.secretsFor(app.id)).map((s) => s.reveal()), [first.secret.reveal()]);
      const stored = await store.getSetting(`webhook-secret:${app.id}`);
      assert.ok(stored && !stored.includes(first.secret.reveal()), 'stored sealed');
      const second = await svc.rotate({ name: 't' }, { app: 'web', rotate: true });
      assert.equal(second.previousValidUntil, '2026-11-23T00:01:00.000Z');
      assert.deepEqual((await svc.secretsFor(app.id)).map((s) => s.reveal()), [second.secret.reveal(), first.secret.reveal()]);
      now = new Date('2026-11-23T00:01:00Z');
      assert.deepEqual((await svc.secretsFor(app.id)).map((s) => s.reveal()), [second.secret.reveal()]);
      assert.equal(JSON.parse((await store.getSetting(`webhook-secret:${app.id}`)) ?? '{}').previous, null);
      assert.equal((await svc.info('web')).previousValidUntil, null);
      assert.equal(JSON.stringify(second.secret), '"[redacted]"');
    } finally {
      await store.close();
    }
  });
});

describe('deployment notes', () => {
  const commit = (body: string, trailers?: { key: string; value: string }[]) => ({ sha: 'a'.repeat(40), subject: 's', body, author: 'a', date: 'd', ...(trailers ? { trailers } : {}) });
  test('from parsed trailers (any case), else from the last paragraph of the body; empty values dropped', () => {
    assert.deepEqual(notesOf([commit('', [{ key: 'deployment', value: 'run backfill' }, { key: 'Signed-off-by', value: 'x' }, { key: 'Deployment', value: '' }])]), ['run backfill']);
    assert.deepEqual(notesOf([commit('Text.\n\nDeployment: restart workers\nCo-authored-by: b')]), ['restart workers']);
    assert.deepEqual(notesOf([commit('Text.\n\nDeployment:\n- reindex search\n* tell support\n\nSigned-off-by: x')]), ['reindex search', 'tell support']);
    assert.deepEqual(notesOf([commit('deployment:\n  - one\nnot a bullet\n- not a note')]), ['one']);
    assert.deepEqual(notesOf([commit('Deployment: in the first paragraph\n\nlast paragraph')]), []);
  });
});

describe('CI gate', () => {
  const s = (context: string, state: CommitStatus['state'], at: number): CommitStatus => ({ appId: 'a', sha: 'b'.repeat(40), context, state, description: null, at: String(at) });
  test('the newest status per context counts', () => {
    assert.deepEqual(latestPerContext([s('ci', 'success', 3), s('lint', 'failure', 2), s('ci', 'failure', 1)]).map((x) => `${x.context}:${x.state}`), ['ci:success', 'lint:failure']);
  });
  test('refuses no status and any non-success; accepts all-success', async () => {
    const store = await openSqliteStore(':memory:');
    try {
      const app = await store.createApp({ name: 'web', repo: '/srv/web.git', driver: 'process' }, [{ name: 'staging', branch: 'main' }]);
      const sha = 'c'.repeat(40);
      await assert.rejects(requireGreenCommit(store, app, 'production', sha), /has none; have CI report one with POST \/api\/apps\/web\/commits\//);
      await store.addCommitStatus({ appId: app.id, sha, context: 'ci', state: 'pending', description: null });
      await assert.rejects(requireGreenCommit(store, app, 'production', sha), /ci: pending/);
      await store.addCommitStatus({ appId: app.id, sha, context: 'ci', state: 'success', description: null });
      assert.equal((await requireGreenCommit(store, app, 'production', sha)).length, 1);
    } finally {
      await store.close();
    }
  });
});

describe('what a release changes', () => {
  test('migrations, the compose file and slipway.yml are flagged; other paths are not', async () => {
    const { changeFlags } = await import('../../src/core/release-changes.js');
    assert.deepEqual(changeFlags(['src/app.js', 'README.md']), []);
    assert.deepEqual(changeFlags(['db/migrate/003_add.rb', 'alembic/versions/ab.py', 'src/migrate_users.py', 'docker-compose.yml', 'deploy/compose.prod.yaml', 'slipway.yml']), [
      'changes migrations: db/migrate/003_add.rb, alembic/versions/ab.py, src/migrate_users.py',
      'changes the compose file: docker-compose.yml, deploy/compose.prod.yaml',
      'changes slipway.yml',
    ]);
    const many = Array.from({ length: 7 }, (_, i) => `migrations/00${i}.sql`);
    assert.deepEqual(changeFlags(many), ['changes migrations: migrations/000.sql, migrations/001.sql, migrations/002.sql, migrations/003.sql, migrations/004.sql and 2 more']);
  });
});
