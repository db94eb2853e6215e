import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalDirectoryTarget } from '../../src/backups/local-directory-target.js';
import { S3Target } from '../../src/backups/s3-target.js';
import { createTarget, targetSpecSchema } from '../../src/backups/target-spec.js';
import { Sensitive } from '../../src/core/sensitive.js';

test('a local target defaults to <data dir>/backups', async () => {
  const t = await createTarget(targetSpecSchema.parse({ name: 'local', kind: 'local' }), { dataDir: '/srv/slipway', resolveSecret: async () => undefined });
  assert.ok(t instanceof LocalDirectoryTarget);
  assert.equal(t.location, 'local:/srv/slipway/backups');
});

test('an S3 target takes its credentials from named secrets and never shows them', async () => {
  const spec = targetSpecSchema.parse({
    name: 'offsite',
    kind: 's3',
    bucket: 'acme-backups',
    prefix: 'prod/',
    endpoint: 'http://127.0.0.1:9000',
    access_key_id_secret: 'S3_KEY',
    secret_access_key_secret: 'S3_SECRET',
  });
  const secrets: Record<string, string> = { S3_KEY: 'AKIA-canary-key', S3_SECRET: 'canary-secret-value' };
  const t = await createTarget(spec, { dataDir: '/x', resolveSecret: async (n) => (secrets[n] ? new Sensitive(secrets[n]) : undefined) });
  assert.ok(t instanceof S3Target);
  assert.equal(t.location, 's3://acme-backups/prod at http://127.0.0.1:9000');
  const { inspect } = await import('node:util');
  assert.ok(!inspect(t, { depth: 10 }).includes('canary') && !JSON.stringify(t).includes('canary'));
  (t as S3Target).destroy();
  await assert.rejects(
    createTarget(spec, { dataDir: '/x', resolveSecret: async () => undefined }),
    /backup target "offsite" needs the secret S3_KEY; set it with: slipway secrets set S3_KEY/,
  );
  assert.throws(() => targetSpecSchema.parse({ name: 'x', kind: 'ftp' }));
});
