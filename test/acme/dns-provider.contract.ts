// Contract every DnsProvider passes (RFC 2136 here; a Route53 or CloudFlare adapter would run it
// against its own test zone): a TXT value is added beside the others of its name, removing takes
// only that value away, and removing a value that is not there succeeds (a clean-up after a failed
// set must not fail). `lookup` reads the TXT values of a name from the zone's authoritative server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { DnsProvider } from '../../src/core/ports/certificate-issuer.js';
import { waitUntil } from '../support/wait-until.js';

export interface DnsProviderFixture {
  provider: () => DnsProvider;
  /** A zone the provider may change, e.g. "example.test". */
  zone: string;
  lookup: (fqdn: string) => Promise<string[]>;
  /** How long a change may take to show (default 5 s). */
  propagationMs?: number;
}

export function dnsProviderContract(name: string, fixture: () => DnsProviderFixture): void {
  const shows = async (f: DnsProviderFixture, fqdn: string, values: string[]) => {
    const want = [...values].sort();
    let got: string[] = [];
    await waitUntil(
      `${fqdn} to hold ${JSON.stringify(want)}`,
      async () => {
        got = (await f.lookup(fqdn)).sort();
        return JSON.stringify(got) === JSON.stringify(want);
      },
      f.propagationMs ?? 5000,
      50,
    ).catch((err: unknown) => assert.fail(`${String(err)}; it holds ${JSON.stringify(got)}`));
  };

  test(`DnsProvider contract (${name}): values side by side, removed one by one, removing an absent value succeeds`, async () => {
    const f = fixture();
    const dns = f.provider();
    const fqdn = `_acme-challenge.c${randomBytes(4).toString('hex')}.${f.zone}`;
    await dns.setTxt(fqdn, 'value-one', 60);
    await dns.setTxt(fqdn, 'value-two', 60);
    await shows(f, fqdn, ['value-one', 'value-two']);
    await dns.removeTxt(fqdn, 'value-one');
    await shows(f, fqdn, ['value-two']);
    await dns.removeTxt(fqdn, 'value-one');
    await dns.removeTxt(fqdn, 'value-two');
    await shows(f, fqdn, []);
  });
}
