// `databases:` and `backup_targets:` in slipway.yml: defaults, and errors that name the path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAppSpec } from '../../src/core/config-file.js';
import { specErrorMessage } from '../support/spec-error.js';

const base = (env: string, extra = '') => `processes: { web: { command: ["node", "s.js"] } }\n${extra}environments:\n  staging:\n${env}`;

const message = specErrorMessage;

test('a database gets its defaults: local target, retention, no encryption', () => {
  const spec = parseAppSpec(base('    databases: [{ name: main, kind: postgres, url_secret: DATABASE_URL }]\n'));
  const [db] = spec.environments['staging']!.databases;
  assert.equal(db?.target, 'local');
  assert.deepEqual(db?.retention, { last: 7, daily: 7, weekly: 4 });
  assert.equal(db?.encrypt, false);
  assert.deepEqual(spec.backup_targets, []);
});

test('errors name the path: unknown target, bad kind, bad cron, duplicate name', () => {
  assert.match(
    message(base('    databases: [{ name: main, kind: postgres, url_secret: DATABASE_URL, target: offsite }]\n')),
    /environments\.staging\.databases\.0\.target: no backup target named "offsite"/,
  );
  assert.match(message(base('    databases: [{ name: main, kind: oracle, url_secret: X }]\n')), /environments\.staging\.databases\.0\.kind: expected one of/);
  assert.match(message(base('    databases: [{ name: main, kind: postgres, url_secret: X, schedule: "every day" }]\n')), /databases\.0\.schedule: expected a cron expression/);
  assert.match(
    message(base('    databases: [{ name: main, kind: postgres, url_secret: X }, { name: main, kind: mysql, url_secret: Y }]\n')),
    /databases\.1\.name: duplicate database name "main"/,
  );
});

test('an s3 target defined under backup_targets can be used; its credentials are secret names', () => {
  const targets = 'backup_targets:\n  - { name: offsite, kind: s3, bucket: shop-backups, access_key_id_secret: S3_ID, secret_access_key_secret: S3_SECRET }\n';
  const spec = parseAppSpec(base('    databases: [{ name: main, kind: mariadb, url_secret: DATABASE_URL, target: offsite }]\n', targets));
  assert.equal(spec.backup_targets[0]?.kind, 's3');
  assert.match(message(base('    databases: []\n', 'backup_targets:\n  - { name: offsite, kind: s3, bucket: b-1, access_key_id_secret: "not a name", secret_access_key_secret: S }\n')), /backup_targets\.0\.access_key_id_secret/);
});
