import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { parseDatabaseUrl } from '../../src/backups/database-connection.js';
import { optionFileText } from '../../src/backups/mariadb-option-file.js';
import { mariadbArgv } from '../../src/backups/mariadb-engine.js';
import { pgArgv, pgEnv } from '../../src/backups/postgres-engine.js';
import { Sensitive } from '../../src/core/sensitive.js';

const PW = 'p@ss:w/rd"\\x';

test('postgres URLs: TCP and socket; the password stays Sensitive', () => {
  const c = parseDatabaseUrl(new Sensitive(`postgres://app:${encodeURIComponent(PW)}@db.internal:6432/shop`), 'postgres');
  assert.equal(c.host, 'db.internal');
  assert.equal(c.port, 6432);
  assert.equal(c.user, 'app');
  assert.equal(c.database, 'shop');
  assert.equal(c.password?.reveal(), PW);
  assert.ok(!inspect(c).includes('p@ss') && !JSON.stringify(c).includes('p@ss'));
  const s = parseDatabaseUrl(new Sensitive('postgresql://app@localhost/shop?host=/run/postgresql'), 'postgres');
  assert.equal(s.socket, '/run/postgresql');
  assert.equal(s.host, undefined);
  assert.deepEqual(pgEnv(s), { PGHOST: '/run/postgresql', PGUSER: 'app', PGDATABASE: 'shop', PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'slipway-backup' });
});

test('bad URLs are refused without echoing them', () => {
  assert.throws(() => parseDatabaseUrl(new Sensitive('not a url secret-123'), 'postgres'), (e: Error) => !e.message.includes('secret-123') && /not a valid URL/.test(e.message));
  assert.throws(() => parseDatabaseUrl(new Sensitive('mysql://u:pw@h/db'), 'postgres'), /scheme "mysql:"; expected postgres: or postgresql:/);
  assert.throws(() => parseDatabaseUrl(new Sensitive('postgres://u:pw@h/'), 'postgres'), /names no database/);
});

test('argv never holds the password or connection details; the option file does', () => {
  const c = parseDatabaseUrl(new Sensitive(`mariadb://root:${encodeURIComponent(PW)}@127.0.0.1:3307/shop`), 'mariadb');
  const flag = '--defaults-extra-file=/tmp/x/client.cnf';
  const tools = { client: 'mariadb', dump: 'mariadb-dump' };
  const all = [
    ...mariadbArgv.dump(tools, flag, 'shop'),
    ...mariadbArgv.restore(tools, flag, 'shop'),
    ...mariadbArgv.query(tools, flag, 'shop', 'SELECT 1'),
    ...pgArgv.dump('00000003-1'),
    ...pgArgv.restore('shop'),
    ...pgArgv.psql(),
  ];
  assert.ok(all.every((a) => !a.includes('p@ss')));
  assert.equal(mariadbArgv.dump(tools, flag, 'shop')[1], flag, 'the option file comes first');
  assert.deepEqual(mariadbArgv.dump(tools, flag, 'shop').slice(2, 4), ['--single-transaction', '--routines']);
  assert.deepEqual(pgArgv.dump('00000003-1'), ['pg_dump', '--format=custom', '--no-password', '--snapshot=00000003-1']);
  assert.equal(
    optionFileText(c),
    '[client]\nuser="root"\npassword="p@ss:w/rd\\"\\\\x"\nhost="127.0.0.1"\nprotocol=TCP\nport=3307\n',
  );
  assert.throws(() => mariadbArgv.dump(tools, flag, '--all-databases'), /must not start with "-"/);
});
