// Dns01Solver against a real named: the TXT record is the base64url SHA-256 of the key
// authorization, present() returns only once the server answers it, cleanUp() removes it; a
// provider whose record never appears fails present() by its deadline, naming the record.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { after, before, describe, test } from 'node:test';
import { Dns01Solver } from '../../src/acme/dns01-solver.js';
import { Rfc2136DnsProvider } from '../../src/acme/rfc2136-dns-provider.js';
import { PreconditionError } from '../../src/core/errors.js';
import type { DnsProvider } from '../../src/core/ports/certificate-issuer.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { startNamed, type TestNamed } from '../support/named.js';

describe('Dns01Solver (real named)', () => {
  let named: TestNamed;
  before(async () => {
    named = await startNamed();
  });
  after(async () => {
    await named?.stop();
  });

  async function txt(fqdn: string): Promise<string[]> {
    const r = new Resolver({ timeout: 1000, tries: 1 });
    r.setServers([named.address]);
    return (await r.resolveTxt(fqdn).catch(() => [])).map((chunks) => chunks.join(''));
  }

  test('present() returns once the digest is answered by the server; cleanUp() removes it', async () => {
    const provider = new Rfc2136DnsProvider({ server: named.address, zone: named.zone, keyName: named.keyName, algorithm: 'hmac-sha256', secret: new Sensitive(named.secret) });
    const solver = new Dns01Solver(provider, { checkServers: [named.address], visibleWithinMs: 5000 });
    const keyAuthorization = 'token-1.thumbprint';
    const digest = createHash('sha256').update(keyAuthorization).digest('base64url');
    await solver.present('*.w.example.test', 'token-1', keyAuthorization);
    assert.deepEqual(await txt('_acme-challenge.w.example.test'), [digest]);
    await solver.cleanUp('*.w.example.test', 'token-1', keyAuthorization);
    assert.deepEqual(await txt('_acme-challenge.w.example.test'), []);
  });

  test('a record that never becomes visible fails present() by the deadline, naming it and the server', async () => {
    const silent: DnsProvider = { name: 'silent', setTxt: async () => undefined, removeTxt: async () => undefined };
    const solver = new Dns01Solver(silent, { checkServers: [named.address], visibleWithinMs: 800 });
    const started = Date.now();
    await assert.rejects(
      solver.present('never.example.test', 't', 'ka'),
      (e: unknown) => e instanceof PreconditionError && e.message.includes('_acme-challenge.never.example.test') && e.message.includes(named.address),
    );
    assert.ok(Date.now() - started < 5000, 'gave up near its deadline');
  });
});
