// The HTTPS parts built from the settings: solvers in the settings' order (dns-01 only with a DNS
// server), and an unreadable SLIPWAY_ACME_CA_CERT refused naming the setting.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigError } from '../../src/core/errors.js';
import { httpsParts } from '../../src/https-parts.js';
import { readSettings } from '../../src/platform/env.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { RecordingEdgeTls } from '../support/recording-edge-tls.js';

let store: SqliteStore;
before(async () => {
  store = await openSqliteStore(':memory:');
});
after(async () => {
  await store.close();
});

const deps = () => ({ accounts: store, cipher: SecretBox.fromKey(Buffer.alloc(32, 1)), edgeTls: new RecordingEdgeTls() });
const DNS = { SLIPWAY_DNS_RFC2136_SERVER: '127.0.0.1:5353', SLIPWAY_DNS_RFC2136_KEY_NAME: 'k', SLIPWAY_DNS_RFC2136_KEY_SECRET: 'c2VjcmV0' };

test('solvers follow the settings: http-01 and tls-alpn-01 by default, dns-01 with a DNS server', async () => {
  const plain = await httpsParts(readSettings({}).https, deps());
  assert.deepEqual(plain.solvers.solvers(['shop.example']).map((s) => s.type), ['http-01', 'tls-alpn-01']);
  assert.equal(plain.solvers.dns, false);
  const withDns = await httpsParts(readSettings(DNS).https, deps());
  assert.equal(withDns.solvers.dns, true);
  assert.deepEqual(withDns.solvers.solvers(['*.shop.example']).map((s) => s.type), ['dns-01']);
  const alpnFirst = await httpsParts(readSettings({ SLIPWAY_ACME_CHALLENGES: 'tls-alpn-01,http-01' }).https, deps());
  assert.deepEqual(alpnFirst.solvers.solvers(['shop.example']).map((s) => s.type), ['tls-alpn-01', 'http-01']);
});

test('an unreadable SLIPWAY_ACME_CA_CERT is refused naming it', async () => {
  await assert.rejects(httpsParts(readSettings({ SLIPWAY_ACME_CA_CERT: '/nonexistent/pebble.pem' }).https, deps()), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /^SLIPWAY_ACME_CA_CERT: \/nonexistent\/pebble\.pem cannot be read/);
    return true;
  });
});
