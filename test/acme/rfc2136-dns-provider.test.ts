// Rfc2136DnsProvider against a real BIND (named) started by the test: the DnsProvider contract
// (TXT records added and removed by TSIG-signed updates through nsupdate, seen by a real DNS
// query); a wrong secret fails with an error naming the failure and not holding the secret.
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { after, before, describe, test } from 'node:test';
import { InvalidInputError, SlipwayError } from '../../src/core/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { Rfc2136DnsProvider } from '../../src/acme/rfc2136-dns-provider.js';
import { startNamed, type TestNamed } from '../support/named.js';
import { dnsProviderContract } from './dns-provider.contract.js';

describe('Rfc2136DnsProvider (nsupdate to a real named)', () => {
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

  dnsProviderContract('rfc2136 to named', () => ({
    provider: () =>
      new Rfc2136DnsProvider({ server: named.address, zone: named.zone, keyName: named.keyName, algorithm: 'hmac-sha256', secret: new Sensitive(named.secret) }),
    zone: named.zone,
    lookup: txt,
  }));

  test('a wrong TSIG secret fails naming the failure, without the secret', async () => {
    const wrong = Buffer.alloc(32, 7).toString('base64');
    const dns = new Rfc2136DnsProvider({
      server: named.address,
      zone: named.zone,
      keyName: named.keyName,
      algorithm: 'hmac-sha256',
      secret: new Sensitive(wrong),
    });
    const err = await dns.setTxt(`_acme-challenge.x.${named.zone}`, 'v', 60).then(
      () => assert.fail('the update was accepted'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SlipwayError, String(err));
    assert.match(err.message, /NOTAUTH|TSIG|REFUSED/, err.message);
    assert.match(err.message, /_acme-challenge\.x\.example\.test/);
    assert.ok(!err.message.includes(wrong), `the secret is not in the message: ${err.message}`);
    assert.ok(!JSON.stringify(err.details).includes(wrong));
    assert.ok(!err.message.includes(named.secret));
    assert.deepEqual(await txt(`_acme-challenge.x.${named.zone}`), []);
  });

  test('an unknown key name is refused, and bad settings are refused before anything runs', async () => {
    const dns = new Rfc2136DnsProvider({
      server: named.address,
      keyName: 'nobody',
      algorithm: 'hmac-sha256',
      secret: new Sensitive(named.secret),
      zone: named.zone,
    });
    await assert.rejects(dns.setTxt(`_acme-challenge.y.${named.zone}`, 'v', 60), /NOTAUTH|TSIG|REFUSED/);
    assert.throws(
      () => new Rfc2136DnsProvider({ server: 'a b', keyName: 'k', algorithm: 'hmac-sha256', secret: new Sensitive(named.secret) }),
      (e: unknown) => e instanceof InvalidInputError && /server/.test(e.message),
    );
    assert.throws(
      () => new Rfc2136DnsProvider({ server: named.address, keyName: 'k', algorithm: 'hmac-sha256', secret: new Sensitive('not base64!') }),
      (e: unknown) => e instanceof InvalidInputError && /secret/.test(e.message) && !e.message.includes('not base64!'),
    );
    const ok = new Rfc2136DnsProvider({ server: named.address, keyName: 'k', algorithm: 'hmac-sha256', secret: new Sensitive(named.secret) });
    await assert.rejects(ok.setTxt('a.example.test', 'has "quote"', 60), InvalidInputError);
    await assert.rejects(ok.setTxt('a.example.test\nupdate delete example.test', 'v', 60), InvalidInputError);
  });
});
