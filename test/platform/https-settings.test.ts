// The HTTPS settings (ACME CA and account, challenge types, RFC 2136 DNS): defaults, parsing,
// and errors that name the variable and the fix; keys stay Sensitive.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { readSettings, SettingsError } from '../../src/platform/env.js';
import { LETS_ENCRYPT_DIRECTORY } from '../../src/platform/https-settings.js';

const DNS = {
  SLIPWAY_DNS_RFC2136_SERVER: '127.0.0.1:5353',
  SLIPWAY_DNS_RFC2136_ZONE: 'Example.test.',
  SLIPWAY_DNS_RFC2136_KEY_NAME: 'slipway-key',
  SLIPWAY_DNS_RFC2136_KEY_SECRET: 'c2VjcmV0LXRzaWcta2V5',
};

function refusal(env: Record<string, string>): string {
  try {
    readSettings(env);
  } catch (err) {
    assert.ok(err instanceof SettingsError, String(err));
    return err.message;
  }
  throw new Error('expected a SettingsError');
}

test('defaults: Let\'s Encrypt production, http-01 and tls-alpn-01, no DNS', () => {
  const s = readSettings({}).https;
  assert.equal(s.acme.directoryUrl, LETS_ENCRYPT_DIRECTORY);
  assert.deepEqual(s.acme.challenges, ['http-01', 'tls-alpn-01']);
  assert.equal(s.acme.eab, undefined);
  assert.equal(s.acme.caCertFile, undefined);
  assert.equal(s.dns, undefined);
});

test('a DNS server adds dns-01; EAB and TSIG keys are Sensitive', () => {
  const s = readSettings({ ...DNS, SLIPWAY_ACME_EAB_KID: 'kid-1', SLIPWAY_ACME_EAB_HMAC_KEY: 'aG1hYy1rZXk', SLIPWAY_ACME_CA_CERT: '/tmp/pebble.pem', SLIPWAY_ACME_EMAIL: 'ops@example.test' }).https;
  assert.deepEqual(s.acme.challenges, ['http-01', 'tls-alpn-01', 'dns-01']);
  assert.equal(s.dns?.server, '127.0.0.1:5353');
  assert.equal(s.dns?.zone, 'example.test');
  assert.equal(s.dns?.keyAlgorithm, 'hmac-sha256');
  assert.equal(s.dns?.keySecret.reveal(), 'c2VjcmV0LXRzaWcta2V5');
  assert.equal(s.acme.eab?.hmacKey.reveal(), 'aG1hYy1rZXk');
  assert.equal(s.acme.caCertFile, '/tmp/pebble.pem');
  const printed = inspect(s, { depth: 5 }) + JSON.stringify(s);
  assert.doesNotMatch(printed, /aG1hYy1rZXk|c2VjcmV0LXRzaWcta2V5/);
  assert.equal(readSettings({ ...DNS, SLIPWAY_DNS_RFC2136_SERVER: '[fd00::53]:53' }).https.dns?.server, '[fd00::53]:53');
  assert.equal(readSettings({ ...DNS, SLIPWAY_DNS_RFC2136_ZONE: undefined as unknown as string }).https.dns?.zone, undefined, 'the zone is optional');
  assert.deepEqual(readSettings({ ...DNS, SLIPWAY_ACME_CHALLENGES: 'dns-01' }).https.acme.challenges, ['dns-01']);
});

test('errors name the variable and the fix', () => {
  assert.match(refusal({ SLIPWAY_ACME_EAB_KID: 'kid' }), /^environment variable SLIPWAY_ACME_EAB_HMAC_KEY: External Account Binding needs both/);
  assert.match(refusal({ SLIPWAY_DNS_RFC2136_SERVER: '127.0.0.1' }), /^environment variable SLIPWAY_DNS_RFC2136_KEY_NAME: dns-01 through RFC 2136 needs/);
  assert.match(refusal({ ...DNS, SLIPWAY_DNS_RFC2136_SERVER: 'ns.example.test:99999' }), /^environment variable SLIPWAY_DNS_RFC2136_SERVER: port 99999 is out of range/);
  assert.match(refusal({ SLIPWAY_ACME_CHALLENGES: 'http-01, dns-01' }), /^environment variable SLIPWAY_ACME_CHALLENGES: dns-01 needs a DNS provider: set SLIPWAY_DNS_RFC2136_SERVER/);
  assert.match(refusal({ SLIPWAY_ACME_CHALLENGES: 'http-02' }), /"http-02" is not a challenge type; expected a comma-separated list of http-01, tls-alpn-01, dns-01/);
  assert.match(refusal({ SLIPWAY_ACME_DIRECTORY: 'letsencrypt' }), /^environment variable SLIPWAY_ACME_DIRECTORY: expected the URL of an ACME directory/);
  assert.match(refusal({ SLIPWAY_ACME_CA_CERT: 'pebble.pem' }), /^environment variable SLIPWAY_ACME_CA_CERT: expected the absolute path of a PEM file/);
  assert.match(refusal({ ...DNS, SLIPWAY_DNS_RFC2136_KEY_ALGORITHM: 'sha256' }), /^environment variable SLIPWAY_DNS_RFC2136_KEY_ALGORITHM: /);
  const secretLeak = refusal({ ...DNS, SLIPWAY_DNS_RFC2136_KEY_SECRET: 'not base64!' });
  assert.match(secretLeak, /SLIPWAY_DNS_RFC2136_KEY_SECRET: expected the TSIG key secret in base64/);
  assert.doesNotMatch(secretLeak, /not base64!/);
});
