// AcmeIssuer against a real Pebble CA that resolves names through a real named (started by the
// test): certificates issued through HTTP-01 and TLS-ALPN-01 answered by a real HTTP and TLS
// server (ChallengeEdge), and a wildcard through DNS-01 by RFC 2136 updates to named; each chain
// verified against Pebble's root. A challenge nobody answers fails with Pebble's problem detail
// and the answer taken down; the account is created once per directory URL and reused.
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AcmeIssuer } from '../../src/acme/acme-issuer.js';
import { Dns01Solver } from '../../src/acme/dns01-solver.js';
import { Http01EdgeSolver } from '../../src/acme/http01-edge-solver.js';
import { Rfc2136DnsProvider } from '../../src/acme/rfc2136-dns-provider.js';
import { TlsAlpn01EdgeSolver } from '../../src/acme/tls-alpn01-edge-solver.js';
import { CertificateIssueError, InvalidInputError, UnavailableError } from '../../src/core/errors.js';
import type { ChallengeSolver, DnsProvider, IssuedCertificate } from '../../src/core/ports/certificate-issuer.js';
import type { AcmeAccount, AcmeAccounts } from '../../src/core/ports/store/acme-accounts.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { openSqliteStore } from '../../src/store/open-sqlite-store.js';
import type { SqliteStore } from '../../src/store/sqlite-store.js';
import { ChallengeEdge } from '../support/challenge-edge.js';
import { startNamed, type TestNamed } from '../support/named.js';
import { startPebble, type TestPebble } from '../support/pebble.js';

/** Verifies `issued` chains to `rootPem`, names every host, and its key is the leaf's (ECDSA P-256). */
export function assertIssued(issued: IssuedCertificate, rootPem: string, hosts: string[]): void {
  const chain = issued.certificatePem
    .split(/(?<=-----END CERTIFICATE-----)/)
    .map((p) => p.trim())
    .filter((p) => p.startsWith('-----BEGIN CERTIFICATE-----'))
    .map((p) => new X509Certificate(p));
  const root = new X509Certificate(rootPem);
  const leaf = chain[0];
  assert.ok(leaf && chain.length >= 2, `a leaf and its intermediate, got ${chain.length} certificates`);
  for (let i = 0; i < chain.length; i++) {
    const signer = chain[i + 1] ?? root;
    assert.ok(chain[i]!.verify(signer.publicKey), `certificate ${i} is signed by the next one (or the root)`);
  }
  for (const host of hosts) {
    const probe = host.startsWith('*.') ? `anything.${host.slice(2)}` : host;
    assert.equal(leaf.checkHost(probe), host, `the leaf serves ${probe} (by its name ${host})`);
  }
  assert.ok(leaf.checkPrivateKey(createPrivateKey(issued.keyPem.reveal())), 'the key is the leaf key');
  assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.equal(issued.notAfter.getTime(), new Date(leaf.validTo).getTime());
  assert.ok(issued.notBefore < issued.notAfter);
  assert.equal(String(issued.keyPem), '[redacted]');
}

/** Pebble validates at once (PEBBLE_VA_NOSLEEP): poll its status often. */
const polling = { attempts: 40, minMs: 100, maxMs: 500 };

/** AcmeAccounts that counts what the issuer stores. */
class CountingAccounts implements AcmeAccounts {
  kept = 0;
  constructor(readonly inner: AcmeAccounts) {}
  getAcmeAccount(url: string): Promise<AcmeAccount | null> {
    return this.inner.getAcmeAccount(url);
  }
  keepAcmeAccount(a: Omit<AcmeAccount, 'createdAt'>): Promise<AcmeAccount> {
    this.kept++;
    return this.inner.keepAcmeAccount(a);
  }
  replaceAcmeAccount(previous: string, a: Omit<AcmeAccount, 'createdAt'>): Promise<AcmeAccount> {
    this.kept++;
    return this.inner.replaceAcmeAccount(previous, a);
  }
}

/** A DnsProvider that records what it is asked to do. */
class RecordingDns implements DnsProvider {
  readonly name = 'recording';
  readonly calls: string[] = [];
  constructor(readonly inner: DnsProvider) {}
  async setTxt(fqdn: string, value: string, ttl: number): Promise<void> {
    this.calls.push(`set ${fqdn}`);
    await this.inner.setTxt(fqdn, value, ttl);
  }
  async removeTxt(fqdn: string, value: string): Promise<void> {
    this.calls.push(`remove ${fqdn}`);
    await this.inner.removeTxt(fqdn, value);
  }
}

describe('AcmeIssuer against Pebble and named', () => {
  let named: TestNamed;
  let edge: ChallengeEdge;
  let pebble: TestPebble;
  let store: SqliteStore;
  let accounts: CountingAccounts;
  let issuer: AcmeIssuer;
  const cipher = SecretBox.fromKey(randomBytes(32));

  before(async () => {
    named = await startNamed();
    edge = await ChallengeEdge.start();
    pebble = await startPebble({ httpPort: edge.httpPort, tlsPort: edge.tlsPort, dnsServer: named.address, domainBlocklist: ['blocked.example.test'] });
    store = await openSqliteStore(':memory:');
    accounts = new CountingAccounts(store);
    issuer = new AcmeIssuer({ accounts, cipher, directoryCaPem: pebble.httpsCaPem, polling });
  });
  after(async () => {
    await store?.close();
    await pebble?.stop();
    await edge?.stop();
    await named?.stop();
  });

  const account = () => ({ directoryUrl: pebble.directoryUrl, email: 'ops@example.test' });

  test('HTTP-01: two hosts in one order, answered by the edge, chain verified; the account is created once and reused', async () => {
    const lines: string[] = [];
    const hosts = ['shop.example.test', 'www.shop.example.test'];
    const issued = await issuer.issue(account(), { hosts, solvers: [new Http01EdgeSolver(edge)], progress: (l) => lines.push(l) });
    assertIssued(issued, pebble.rootPem, hosts);
    assert.equal(lines[0], `ordering a certificate for shop.example.test, www.shop.example.test from ${pebble.directoryUrl}`);
    assert.ok(lines.includes('answering http-01 for shop.example.test'), lines.join('\n'));
    assert.ok(lines.includes('validated www.shop.example.test'), lines.join('\n'));
    assert.ok(lines.some((l) => /^certificate issued, valid until \d{4}-/.test(l)), lines.join('\n'));
    assert.equal(new Set(edge.seen.filter((s) => s.startsWith('http-01'))).size, 2, 'Pebble fetched both tokens from the edge');
    assert.equal(edge.live, 0, 'every answer was taken down');
    assert.equal(issued.suggestedRenewal, undefined, 'Pebble 2.4 offers no renewalInfo');

    const stored = await store.getAcmeAccount(pebble.directoryUrl);
    assert.ok(stored, 'the account is stored');
    assert.ok(!stored.sealedKey.includes('PRIVATE KEY'), 'the account key is stored sealed');
    assert.match(cipher.open(stored.sealedKey).reveal(), /BEGIN (EC )?PRIVATE KEY/);
    assert.equal(accounts.kept, 1);

    const again = await issuer.issue(account(), { hosts: ['again.example.test'], solvers: [new Http01EdgeSolver(edge)] });
    assertIssued(again, pebble.rootPem, ['again.example.test']);
    assert.equal(accounts.kept, 1, 'the second issuance made no new account');
    const fresh = new AcmeIssuer({ accounts, cipher, directoryCaPem: pebble.httpsCaPem, polling });
    await fresh.issue(account(), { hosts: ['third.example.test'], solvers: [new Http01EdgeSolver(edge)] });
    assert.equal(accounts.kept, 1, 'a new issuer on the same store reuses the stored account');
    assert.deepEqual(await store.getAcmeAccount(pebble.directoryUrl), stored);
  });

  test('an account the CA no longer knows is replaced by a new one, and the issuance goes on', async () => {
    const forgetful = await openSqliteStore(':memory:');
    try {
      const origin = new URL(pebble.directoryUrl).origin;
      const lostKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const lost = await forgetful.keepAcmeAccount({
        directoryUrl: pebble.directoryUrl,
        accountUrl: `${origin}/my-account/0123456789abcdef`,
        sealedKey: cipher.seal(new Sensitive(lostKey.export({ type: 'pkcs8', format: 'pem' }).toString())),
        email: null,
      });
      const lines: string[] = [];
      const renewed = new AcmeIssuer({ accounts: forgetful, cipher, directoryCaPem: pebble.httpsCaPem, polling });
      const issued = await renewed.issue(account(), { hosts: ['forgotten.example.test'], solvers: [new Http01EdgeSolver(edge)], progress: (l) => lines.push(l) });
      assertIssued(issued, pebble.rootPem, ['forgotten.example.test']);
      assert.ok(lines.some((l) => l.includes(`no longer knows the stored account ${lost.accountUrl}`)), lines.join('\n'));
      const now = await forgetful.getAcmeAccount(pebble.directoryUrl);
      assert.ok(now && now.accountUrl !== lost.accountUrl && now.sealedKey !== lost.sealedKey, 'the new account replaced the lost one');
    } finally {
      await forgetful.close();
    }
  });

  test('TLS-ALPN-01: answered by a TLS server offering acme-tls/1', async () => {
    const before = edge.seen.length;
    const issued = await issuer.issue(account(), { hosts: ['alpn.example.test'], solvers: [new TlsAlpn01EdgeSolver(edge)] });
    assertIssued(issued, pebble.rootPem, ['alpn.example.test']);
    assert.ok(edge.seen.slice(before).includes('tls-alpn-01 alpn.example.test'), 'Pebble connected for TLS-ALPN-01');
    assert.ok(edge.events.includes('put tls-alpn-01 alpn.example.test') && edge.events.includes('remove tls-alpn-01 alpn.example.test'));
    assert.equal(edge.live, 0);
  });

  test('DNS-01: a wildcard through RFC 2136 updates to named, the other name by the first solver the CA offers (http-01)', async () => {
    const dns = new RecordingDns(
      new Rfc2136DnsProvider({ server: named.address, zone: named.zone, keyName: named.keyName, algorithm: 'hmac-sha256', secret: new Sensitive(named.secret) }),
    );
    const lines: string[] = [];
    // (wild.example.test itself would not resolve once _acme-challenge.wild exists: a DNS wildcard
    // does not cover a name that exists, even as an empty non-terminal.)
    const hosts = ['*.wild.example.test', 'tame.example.test'];
    const issued = await issuer.issue(account(), {
      hosts,
      solvers: [new Http01EdgeSolver(edge), new Dns01Solver(dns, { checkServers: [named.address], visibleWithinMs: 10_000 })],
      progress: (l) => lines.push(l),
    });
    assertIssued(issued, pebble.rootPem, hosts);
    assert.ok(lines.includes('answering dns-01 for *.wild.example.test'), lines.join('\n'));
    assert.ok(lines.includes('answering http-01 for tame.example.test'), lines.join('\n'));
    assert.deepEqual(dns.calls, ['set _acme-challenge.wild.example.test', 'remove _acme-challenge.wild.example.test']);
    assert.equal(edge.live, 0);

    // A name and its wildcard both by dns-01: two values of one TXT record, side by side.
    dns.calls.length = 0;
    const both = ['both.example.test', '*.both.example.test'];
    const issuedBoth = await issuer.issue(account(), { hosts: both, solvers: [new Dns01Solver(dns, { checkServers: [named.address], visibleWithinMs: 10_000 })] });
    assertIssued(issuedBoth, pebble.rootPem, both);
    assert.deepEqual(dns.calls.filter((c) => c.startsWith('set')), ['set _acme-challenge.both.example.test', 'set _acme-challenge.both.example.test']);
    assert.equal(dns.calls.filter((c) => c.startsWith('remove')).length, 2);
  });

  test('concurrent issuances on a new store register one account', async () => {
    const fresh = await openSqliteStore(':memory:');
    try {
      const counting = new CountingAccounts(fresh);
      const racing = new AcmeIssuer({ accounts: counting, cipher, directoryCaPem: pebble.httpsCaPem, polling });
      const [a, b] = await Promise.all([
        racing.issue(account(), { hosts: ['race-a.example.test'], solvers: [new Http01EdgeSolver(edge)] }),
        racing.issue(account(), { hosts: ['race-b.example.test'], solvers: [new Http01EdgeSolver(edge)] }),
      ]);
      assertIssued(a, pebble.rootPem, ['race-a.example.test']);
      assertIssued(b, pebble.rootPem, ['race-b.example.test']);
      assert.equal(counting.kept, 1);
    } finally {
      await fresh.close();
    }
  });

  test('a challenge nobody answers fails with Pebble\'s problem detail, and the answer is taken down', async (t) => {
    const nowhere = await ChallengeEdge.start(); // not where Pebble connects
    try {
      const err = await issuer
        .issue(account(), { hosts: ['nobody.example.test'], solvers: [new Http01EdgeSolver(nowhere)] })
        .then(() => assert.fail('issued'), (e: unknown) => e);
      assert.ok(err instanceof CertificateIssueError, String(err));
      assert.equal(err.code, 'failed_precondition');
      assert.match(err.message, /nobody\.example\.test/);
      assert.match(err.message, /urn:ietf:params:acme:error:\w+/, err.message);
      assert.match(err.message, /404/, err.message);
      t.diagnostic(err.message);
      assert.doesNotMatch(err.message, /PRIVATE KEY/);
      assert.equal(nowhere.live, 0, 'the answer was taken down');
      assert.deepEqual(nowhere.events.map((e) => e.split(' ')[0]), ['put', 'remove']);
    } finally {
      await nowhere.stop();
    }
  });

  test('an order the CA refuses fails with its problem type and detail, and nothing is answered', async (t) => {
    const events = edge.events.length;
    const err = await issuer
      .issue(account(), { hosts: ['ok.example.test', 'blocked.example.test'], solvers: [new Http01EdgeSolver(edge)] })
      .then(() => assert.fail('issued'), (e: unknown) => e);
    assert.ok(err instanceof CertificateIssueError, String(err));
    assert.match(err.message, /urn:ietf:params:acme:error:rejectedIdentifier/, err.message);
    assert.match(err.message, /blocked\.example\.test/, err.message);
    assert.equal(err.details.problemType, 'urn:ietf:params:acme:error:rejectedIdentifier');
    assert.equal(edge.events.length, events, 'no challenge was put');
    t.diagnostic(err.message);
  });

  test('a CA that cannot be reached or is not trusted fails at once, saying so', async () => {
    const closed = await ChallengeEdge.start();
    const closedUrl = `https://127.0.0.1:${closed.httpPort}/dir`;
    await closed.stop();
    const started = Date.now();
    await assert.rejects(
      issuer.issue({ directoryUrl: closedUrl }, { hosts: ['x.example.test'], solvers: [new Http01EdgeSolver(edge)] }),
      (e: unknown) => e instanceof UnavailableError && e.message.includes(closedUrl) && /ECONNREFUSED/.test(e.message),
    );
    const untrusting = new AcmeIssuer({ accounts: new CountingAccounts(store), cipher, polling });
    await assert.rejects(
      untrusting.issue(account(), { hosts: ['x.example.test'], solvers: [new Http01EdgeSolver(edge)] }),
      (e: unknown) => e instanceof UnavailableError && /certificate|CERT/i.test(e.message),
    );
    assert.ok(Date.now() - started < 10_000, 'no retries for minutes');
  });

  test('bad requests are refused before anything reaches the CA', async () => {
    const solvers: ChallengeSolver[] = [new Http01EdgeSolver(edge)];
    await assert.rejects(issuer.issue(account(), { hosts: ['*.x.example.test'], solvers }), (e: unknown) => e instanceof InvalidInputError && /dns-01/.test(e.message));
    await assert.rejects(issuer.issue(account(), { hosts: [], solvers }), (e: unknown) => e instanceof InvalidInputError && /hosts/.test(e.message));
    await assert.rejects(issuer.issue(account(), { hosts: ['a..b'], solvers }), InvalidInputError);
    await assert.rejects(issuer.issue({ directoryUrl: 'http://ca.example/dir' }, { hosts: ['a.example.test'], solvers }), /https/);
    assert.equal(edge.events.length > 0 && edge.live, 0);
  });

  test('an aborted issuance rejects with the abort reason and takes its answers down', async () => {
    const controller = new AbortController();
    const slow: ChallengeSolver = {
      type: 'http-01',
      present: async (host, token, ka) => {
        await edge.putChallenge({ type: 'http-01', token, keyAuthorization: ka });
        controller.abort(new Error('deploy cancelled'));
      },
      cleanUp: (_host, token) => edge.removeChallenge('http-01', token),
    };
    await assert.rejects(
      issuer.issue(account(), { hosts: ['aborted.example.test'], solvers: [slow], signal: controller.signal }),
      /deploy cancelled/,
    );
    assert.equal(edge.live, 0);
  });
});

describe('AcmeIssuer with External Account Binding (Pebble requiring it)', () => {
  let named: TestNamed;
  let edge: ChallengeEdge;
  let pebble: TestPebble;
  const macKey = randomBytes(32).toString('base64url');

  before(async () => {
    named = await startNamed();
    edge = await ChallengeEdge.start();
    pebble = await startPebble({ httpPort: edge.httpPort, tlsPort: edge.tlsPort, dnsServer: named.address, eabKeys: { 'kid-1': macKey } });
  });
  after(async () => {
    await pebble?.stop();
    await edge?.stop();
    await named?.stop();
  });

  test('the right kid and key issue; a wrong key fails with a clear error, stores no account and does not show the key', async (t) => {
    const cipher = SecretBox.fromKey(randomBytes(32));
    const wrongStore = await openSqliteStore(':memory:');
    const rightStore = await openSqliteStore(':memory:');
    try {
      const wrongKey = randomBytes(32).toString('base64url');
      const wrong = new AcmeIssuer({ accounts: wrongStore, cipher, directoryCaPem: pebble.httpsCaPem, polling });
      const err = await wrong
        .issue({ directoryUrl: pebble.directoryUrl, eab: { kid: 'kid-1', hmacKey: new Sensitive(wrongKey) } }, { hosts: ['eab.example.test'], solvers: [new Http01EdgeSolver(edge)] })
        .then(() => assert.fail('issued with a wrong EAB key'), (e: unknown) => e);
      assert.ok(err instanceof CertificateIssueError, String(err));
      assert.match(err.message, /urn:ietf:params:acme:error:\w+/, err.message);
      assert.ok(!err.message.includes(wrongKey) && !err.message.includes(macKey));
      assert.equal(await wrongStore.getAcmeAccount(pebble.directoryUrl), null);
      t.diagnostic(err.message);

      const noEab = await wrong
        .issue({ directoryUrl: pebble.directoryUrl }, { hosts: ['eab.example.test'], solvers: [new Http01EdgeSolver(edge)] })
        .then(() => assert.fail('issued without EAB'), (e: unknown) => e);
      assert.ok(noEab instanceof CertificateIssueError, String(noEab));
      assert.match(noEab.message, /externalAccountRequired|external account/i, noEab.message);
      t.diagnostic(noEab.message);

      const right = new AcmeIssuer({ accounts: rightStore, cipher, directoryCaPem: pebble.httpsCaPem, polling });
      const issued = await right.issue(
        { directoryUrl: pebble.directoryUrl, eab: { kid: 'kid-1', hmacKey: new Sensitive(macKey) } },
        { hosts: ['eab.example.test'], solvers: [new Http01EdgeSolver(edge)] },
      );
      assertIssued(issued, pebble.rootPem, ['eab.example.test']);
      assert.ok(await rightStore.getAcmeAccount(pebble.directoryUrl));
    } finally {
      await wrongStore.close();
      await rightStore.close();
    }
  });
});
