import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/core/config-file.js';
import { databaseListSchema, databaseSpecSchema } from '../../src/backups/database-spec.js';

test('a full database spec parses, with defaults', () => {
  const spec = databaseSpecSchema.parse({
    name: 'main',
    kind: 'postgres',
    url_secret: 'DATABASE_URL',
    verify: [{ query: 'SELECT 1 FROM users', expect: 'non_empty' }, { query: 'SELECT count(*) FROM plans', expect: 3 }],
    schedule: '0 3 * * *',
    retention: { daily: 7, weekly: 4 },
  });
  assert.equal(spec.target, 'local');
  assert.equal(spec.encrypt, false);
  assert.deepEqual(spec.retention, { daily: 7, weekly: 4 });
});

test('errors name the path and say what is expected', () => {
  const yaml = `
- name: main
  kind: oracle
  url_secret: DATABASE_URL
  schedule: "every day"
  verify:
    - query: SELECT 1
      expect: some
- name: main
  kind: mysql
  url_secret: "not a name"
`;
  assert.throws(
    () => parseConfig(databaseListSchema, yaml, 'slipway.yml'),
    (err: Error) => {
      assert.match(err.message, /slipway\.yml: 0\.kind: expected one of "postgres", "mysql", "mariadb"/);
      assert.match(err.message, /0\.schedule: expected a cron expression like "0 3 \* \* \*"/);
      assert.match(err.message, /0\.verify\.0\.expect: expected "non_empty" or a number/);
      assert.match(err.message, /1\.url_secret: expected a secret name like DATABASE_URL/);
      return true;
    },
  );
  assert.throws(
    () => parseConfig(databaseListSchema, '[{name: a, kind: postgres, url_secret: U}, {name: a, kind: mysql, url_secret: V}]', 'slipway.yml'),
    /1\.name: duplicate database name "a"/,
  );
});
