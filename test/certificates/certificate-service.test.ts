// CertificateService against a real store, a test CA minting real X.509 certificates and an edge
// that records what it is given: issue once and reuse, renewal times (a third of the lifetime, the
// ARI window), renewal failures recorded and retried with backoff, own certificates from secrets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CertificateIssueError, ConfigError, InvalidInputError, PreconditionError } from '../../src/core/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { certificateId } from '../../src/services/certificate-id.js';
import { CertificateRenewer } from '../../src/services/certificate-renewer.js';
import { CertificatesInUse } from '../../src/services/certificates-in-use.js';
import { parseAppSpec } from '../../src/core/config-file.js';
import { makeApp, makeRelease } from '../store/contract/fixture.js';
import { CertificateRefusedError, CertificateService, type SolverFactory } from '../../src/services/certificate-service.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { RecordingEdgeTls } from '../support/recording-edge-tls.js';
import { TestCa } from '../support/test-ca.js';
import { TestCertificateIssuer } from '../support/test-certificate-issuer.js';
import { TestClock } from '../support/test-clock.js';
import { waitUntil } from '../support/wait-until.js';
import { createLogger } from '../../src/platform/logger.js';

const DAY = 86_400_000;
const DIRECTORY = 'https://acme.test/dir';

interface World {
  store: SqliteStore;
  edge: RecordingEdgeTls;
  issuer: TestCertificateIssuer;
  clock: TestClock;
  service: CertificateService;
  cipher: SecretBox;
}

describe('CertificateService', () => {
  let ca: TestCa;
  const opened: SqliteStore[] = [];
  before(async () => {
    ca = await TestCa.create();
  });
  after(async () => {
    for (const s of opened) await s.close();
    await ca.close();
  });

  async function world(opts: { dns?: boolean; random?: number; inUse?: (store: SqliteStore) => () => Promise<ReadonlySet<string>> } = {}): Promise<World> {
    const clock = new TestClock(new Date(Math.floor(Date.now() / 1000) * 1000).toISOString());
    const store = await openSqliteStore(':memory:', { clock });
    opened.push(store);
    const edge = new RecordingEdgeTls();
    const issuer = new TestCertificateIssuer(ca, clock);
    const cipher = SecretBox.fromKey(Buffer.alloc(32, 7));
    const solvers: SolverFactory = {
      dns: opts.dns ?? false,
      solvers: () => [{ type: 'http-01', present: async () => {}, cleanUp: async () => {} }],
    };
    const service = new CertificateService({
      store, cipher, edge, issuer, solvers, clock,
      account: () => ({ directoryUrl: DIRECTORY }),
      random: () => opts.random ?? 0,
      ...(opts.inUse ? { inUse: opts.inUse(store) } : {}),
    });
    return { store, edge, issuer, clock, service, cipher };
  }

  test('issues once, stores the key sealed, pushes it to the edge, and reuses it for the same hosts in any order', async () => {
    const w = await world();
    const lines: string[] = [];
    const view = await w.service.ensure('shop/production', ['shop.example', 'www.shop.example'], 'auto', (l) => lines.push(l));
    assert.equal(w.issuer.orders.length, 1);
    assert.deepEqual(w.issuer.orders[0]?.hosts, ['shop.example', 'www.shop.example']);
    assert.equal(view.id, certificateId(['www.shop.example', 'shop.example']));
    assert.equal(view.source, 'acme');
    assert.equal(view.condition, 'valid');
    assert.match(lines.join('\n'), /ordering a certificate for shop\.example, www\.shop\.example from https:\/\/acme\.test\/dir/);
    assert.match(lines.join('\n'), /is on the edge/);
    assert.equal(w.edge.puts.length, 1);
    const pushed = w.edge.puts[0]!;
    assert.deepEqual(pushed.hosts, ['shop.example', 'www.shop.example']);
    assert.ok(pushed.keyPem instanceof Sensitive);
    const stored = await w.store.getStoredCertificate(view.id);
    assert.ok(stored);
    assert.doesNotMatch(stored.keyCiphertext, /PRIVATE KEY/, 'the key is stored sealed');
    assert.equal(w.cipher.open(stored.keyCiphertext).reveal(), pushed.keyPem.reveal());
    assert.doesNotMatch(JSON.stringify(view), /PRIVATE KEY|keyCiphertext/);

    await w.service.ensure('shop/staging', ['www.shop.example', 'shop.example'], 'auto');
    assert.equal(w.issuer.orders.length, 1, 'no second order');
    assert.equal(w.edge.puts.length, 1, 'the edge holds that very certificate: not pushed again');

    w.edge.held.clear();
    await w.service.ensure('shop/staging', ['shop.example', 'www.shop.example'], 'auto');
    assert.equal(w.edge.puts.length, 2, 'an edge that lost it gets it again');
    assert.equal(w.issuer.orders.length, 1);
  });

  test('two deployments of the same hosts at once share one order', async () => {
    const w = await world();
    await Promise.all([w.service.ensure('a/x', ['api.example'], 'auto'), w.service.ensure('a/y', ['api.example'], 'auto')]);
    assert.equal(w.issuer.orders.length, 1);
  });

  test('a CA refusal rejects with the problem detail and stores nothing', async () => {
    const w = await world();
    w.issuer.refuse('Error creating new order :: Cannot issue for "shop.invalid": Domain name does not end with a valid public suffix');
    await assert.rejects(w.service.ensure('shop/production', ['shop.invalid'], 'auto'), (err: unknown) => {
      assert.ok(err instanceof CertificateIssueError);
      assert.equal(err.code, 'failed_precondition');
      assert.match(err.message, /^the CA at https:\/\/acme\.test\/dir refused the certificate for shop\.invalid: urn:ietf:params:acme:error:rejectedIdentifier: Error creating new order :: Cannot issue for "shop\.invalid"/);
      return true;
    });
    assert.deepEqual(await w.store.listStoredCertificates(), []);
    assert.equal(w.edge.puts.length, 0);
  });

  test('a wildcard with tls auto needs a DNS provider; with one it is ordered', async () => {
    const w = await world();
    await assert.rejects(w.service.ensure('shop/production: route', ['*.shop.example'], 'auto'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /shop\/production: route: the wildcard \*\.shop\.example with tls: auto needs a DNS provider for dns-01: set SLIPWAY_DNS_RFC2136_SERVER/);
      return true;
    });
    assert.equal(w.issuer.orders.length, 0);
    const dns = await world({ dns: true });
    const view = await dns.service.ensure('shop/production', ['*.shop.example'], 'auto');
    assert.equal(view.id, 'wildcard.shop.example');
  });

  test('renewal is due when a third of the lifetime remains (jitter earlier), renews under the same id', async () => {
    const w = await world({ random: 0 });
    w.issuer.lifetimeMs = 90 * DAY;
    const first = await w.service.ensure('shop/production', ['shop.example'], 'auto');
    assert.equal(Date.parse(first.renewAfter!), Date.parse(first.notAfter) - 30 * DAY);
    const jittered = await world({ random: 0.5 });
    const j = await jittered.service.ensure('shop/production', ['shop.example'], 'auto');
    assert.equal(Date.parse(j.renewAfter!), Date.parse(j.notAfter) - 30 * DAY - 0.5 * 90 * DAY * 0.05);

    w.clock.advance(60 * DAY - 60_000);
    assert.deepEqual(await w.service.renewDue(), { renewed: [], failed: [], removed: [] }, 'not due a minute early');
    await w.service.ensure('shop/production', ['shop.example'], 'auto');
    assert.equal(w.issuer.orders.length, 1, 'a deploy before the renewal time reuses it');
    w.clock.advance(60_000);
    await w.service.ensure('shop/production', ['shop.example'], 'auto');
    assert.equal(w.issuer.orders.length, 1, 'a deploy once renewal is due still uses the valid certificate: renewing is the renewer\'s job');
    assert.deepEqual(await w.service.renewDue(), { renewed: ['shop.example'], failed: [], removed: [] });
    assert.equal(w.issuer.orders.length, 2);
    const renewed = await w.service.show('shop.example');
    assert.equal(renewed.id, first.id);
    assert.notEqual(renewed.fingerprint, first.fingerprint);
    assert.equal(Date.parse(renewed.notAfter), w.clock.now().getTime() + 90 * DAY);
    assert.deepEqual(w.edge.puts.map((p) => p.id), ['shop.example', 'shop.example'], 'the edge got the new one under the same id');
    assert.equal((await w.edge.listCertificates())[0]?.fingerprint, renewed.fingerprint);
  });

  test('renewal inside the CA\'s ARI window', async () => {
    const w = await world({ random: 0.5 });
    w.issuer.ari = { startMs: 10 * DAY, endMs: 12 * DAY };
    const view = await w.service.ensure('shop/production', ['shop.example'], 'auto');
    assert.equal(Date.parse(view.renewAfter!), Date.parse(view.notBefore) + 11 * DAY);
  });

  test('a failed renewal is recorded, backs off, is retried, and the old certificate keeps serving', async () => {
    const w = await world();
    const first = await w.service.ensure('shop/production', ['shop.example'], 'auto');
    w.clock.advance(61 * DAY);
    w.issuer.refuse('Service busy; retry later.');
    assert.deepEqual(await w.service.renewDue(), { renewed: [], failed: ['shop.example'], removed: [] });
    let view = await w.service.show('shop.example');
    assert.equal(view.condition, 'failing');
    assert.equal(view.failures, 1);
    assert.match(view.lastError ?? '', /the CA at https:\/\/acme\.test\/dir refused the certificate for shop\.example: .*Service busy; retry later\./);
    assert.equal(view.lastAttemptAt, w.clock.now().toISOString());
    assert.equal(Date.parse(view.renewAfter!), w.clock.now().getTime() + 60_000, 'first retry after a minute');
    assert.equal(view.fingerprint, first.fingerprint, 'the old certificate stays');
    assert.deepEqual(await w.service.renewDue(), { renewed: [], failed: [], removed: [] }, 'not retried before its time');
    await w.service.ensure('shop/production', ['shop.example'], 'auto');
    assert.equal(w.issuer.orders.length, 2, 'a deploy meanwhile keeps using the valid certificate');

    w.clock.advance(60_000);
    assert.deepEqual(await w.service.renewDue(), { renewed: [], failed: ['shop.example'], removed: [] });
    view = await w.service.show('shop.example');
    assert.equal(view.failures, 2);
    assert.equal(Date.parse(view.renewAfter!), w.clock.now().getTime() + 120_000, 'the backoff doubles');

    w.clock.advance(120_000);
    w.issuer.accept();
    assert.deepEqual(await w.service.renewDue(), { renewed: ['shop.example'], failed: [], removed: [] });
    view = await w.service.show('shop.example');
    assert.equal(view.failures, 0);
    assert.equal(view.lastError, null);
    assert.equal(view.condition, 'valid');
  });

  test('renew on demand by host; own certificates cannot be renewed; unknown refs are not found', async () => {
    const w = await world();
    await w.service.ensure('shop/production', ['shop.example', 'www.shop.example'], 'auto');
    const renewed = await w.service.renew('www.shop.example');
    assert.equal(w.issuer.orders.length, 2);
    assert.deepEqual(renewed.hosts, ['shop.example', 'www.shop.example']);
    await assert.rejects(w.service.renew('nope.example'), /certificate "nope\.example" was not found/);
    const own = await ca.mint(['own.example'], w.clock.now(), new Date(w.clock.now().getTime() + 30 * DAY));
    await w.service.ensure('own/production', ['own.example'], { certificateSecret: 'C', keySecret: 'K', secrets: { C: new Sensitive(own.certificatePem), K: new Sensitive(own.keyPem) } });
    await assert.rejects(w.service.renew('own.example'), (err: unknown) => err instanceof PreconditionError && /is your own \(from secrets\)/.test(err.message));
  });

  test('own certificate from secrets: checked, stored as source secret, pushed; each refusal names the secret', async () => {
    const w = await world();
    const now = w.clock.now();
    const good = await ca.mint(['own.example', 'www.own.example'], now, new Date(now.getTime() + 30 * DAY));
    const other = await ca.mint(['own.example'], now, new Date(now.getTime() + 30 * DAY));
    const expired = await ca.mint(['own.example'], new Date(now.getTime() - 30 * DAY), new Date(now.getTime() - DAY));
    const secrets = (cert: string, key: string) => ({ certificateSecret: 'OWN_CERT', keySecret: 'OWN_KEY', secrets: { OWN_CERT: new Sensitive(cert), OWN_KEY: new Sensitive(key) } });

    const view = await w.service.ensure('own/production', ['own.example', 'www.own.example'], secrets(good.certificatePem, good.keyPem));
    assert.equal(view.source, 'secret');
    assert.equal(view.renewAfter, null);
    assert.equal(w.edge.puts.length, 1);
    assert.equal(w.issuer.orders.length, 0);

    const refusal = async (mode: Parameters<CertificateService['ensure']>[2], hosts: string[], re: RegExp, secret: string) => {
      await assert.rejects(w.service.ensure('own/production: route.tls', hosts, mode), (err: unknown) => {
        assert.ok(err instanceof InvalidInputError, String(err));
        assert.match(err.message, re);
        assert.equal(err.details['secret'], secret);
        assert.doesNotMatch(err.message, /PRIVATE KEY|MI[A-Za-z0-9+/]{20}/, 'no PEM content in the message');
        return true;
      });
    };
    await refusal(secrets(good.certificatePem, other.keyPem), ['own.example'], /^own\/production: route\.tls: the secret OWN_KEY is not the private key of the certificate in OWN_CERT; set the key that belongs to that certificate$/, 'OWN_KEY');
    await refusal(secrets(other.certificatePem, other.keyPem), ['own.example', 'www.own.example'], /the certificate in OWN_CERT does not cover www\.own\.example \(it covers own\.example\)/, 'OWN_CERT');
    await refusal(secrets(expired.certificatePem, expired.keyPem), ['own.example'], /the certificate in OWN_CERT expired at /, 'OWN_CERT');
    const future = await ca.mint(['own.example'], new Date(now.getTime() + DAY), new Date(now.getTime() + 30 * DAY));
    await refusal(secrets(future.certificatePem, future.keyPem), ['own.example'], /the certificate in OWN_CERT is not valid before /, 'OWN_CERT');
    await refusal(secrets('not a certificate', good.keyPem), ['own.example'], /the secret OWN_CERT does not hold a PEM certificate chain/, 'OWN_CERT');
    await refusal({ certificateSecret: 'OWN_CERT', keySecret: 'MISSING', secrets: { OWN_CERT: new Sensitive(good.certificatePem) } }, ['own.example'], /the secret MISSING is not set; set it to the PEM private key with `slipway secrets set`/, 'MISSING');
    assert.equal(w.edge.puts.length, 1, 'nothing refused reached the edge');
    assert.equal((await w.service.show('own.example')).fingerprint, view.fingerprint, 'the stored one is unchanged');
  });

  test('syncEdge gives a restarted (empty) edge every stored certificate, and nothing when it holds them', async () => {
    const w = await world();
    await w.service.ensure('a/p', ['a.example'], 'auto');
    await w.service.ensure('b/p', ['b.example'], 'auto');
    w.edge.held.clear();
    assert.deepEqual(await w.service.syncEdge(), { pushed: ['a.example', 'b.example'], failures: [] });
    assert.deepEqual(await w.service.syncEdge(), { pushed: [], failures: [] });
    // One unreadable stored certificate does not keep the others off the edge.
    await w.store.saveCertificate({ ...(await w.store.getStoredCertificate('a.example'))!, chainPem: 'garbage' });
    w.edge.held.clear();
    const report = await w.service.syncEdge();
    assert.deepEqual(report.pushed, ['b.example']);
    assert.match(report.failures[0] ?? '', /^a\.example: /);
  });

  test('the renewer renews due certificates on its own, and stops', async () => {
    const w = await world();
    await w.service.ensure('shop/production', ['shop.example'], 'auto');
    const renewer = new CertificateRenewer({ certificates: w.service, logger: createLogger({ level: 'silent' }), tickMs: 10 });
    renewer.start();
    try {
      w.clock.advance(61 * DAY);
      await waitUntil('the renewed certificate on the edge', () => w.edge.puts.length === 2, 5000);
      assert.equal(w.issuer.orders.length, 2);
    } finally {
      await renewer.stop();
    }
  });

  test('a stored certificate with an hour or less left is not reused: the deploy orders a new one', async () => {
    const w = await world();
    w.issuer.lifetimeMs = 2 * 3600_000;
    await w.service.ensure('shop/production', ['shop.example'], 'auto');
    w.clock.advance(3600_000);
    await w.service.ensure('shop/production', ['shop.example'], 'auto');
    assert.equal(w.issuer.orders.length, 2);
    assert.equal(w.edge.puts.length, 2);
  });

  test('only certificates live routes use are renewed; an unused one expires and is removed from the edge and the store', async () => {
    const parse = async (text: string) => parseAppSpec(text);
    const w = await world({ inUse: (store) => () => new CertificatesInUse(store, parse).ids() });
    const { staging } = await makeApp(w.store, 'shop');
    const spec = `environments:\n  staging:\n    route: { hosts: [shop.example], tls: auto }\n`;
    const release = await makeRelease(w.store, staging, { spec: { text: spec } });
    await w.store.markLive(staging.id, release.id, w.clock.now().toISOString());
    await w.service.ensure('shop/staging', ['shop.example'], 'auto');
    await w.service.ensure('old/staging', ['old.example'], 'auto');
    assert.deepEqual((await w.service.list()).map((c) => [c.id, c.inUse]), [['old.example', false], ['shop.example', true]]);
    w.clock.advance(61 * DAY);
    assert.deepEqual(await w.service.renewDue(), { renewed: ['shop.example'], failed: [], removed: [] });
    w.clock.advance(30 * DAY);
    assert.deepEqual(await w.service.renewDue(), { renewed: [], failed: [], removed: ['old.example'] });
    assert.deepEqual((await w.store.listStoredCertificates()).map((c) => c.id), ['shop.example']);
    assert.deepEqual((await w.edge.listCertificates()).map((c) => c.id), ['shop.example']);
  });

  test('when what is in use cannot be told, every due certificate is renewed', async () => {
    const w = await world({ inUse: () => async () => { throw new Error('the spec parser timed out'); } });
    await w.service.ensure('old/staging', ['old.example'], 'auto');
    assert.equal((await w.service.show('old.example')).inUse, null);
    w.clock.advance(61 * DAY);
    assert.deepEqual(await w.service.renewDue(), { renewed: ['old.example'], failed: [], removed: [] });
  });

  test('an issuer failing with a plain error is reported naming the hosts, with what it said', async () => {
    const w = await world();
    const service = new CertificateService({
      store: w.store, cipher: w.cipher, edge: w.edge, clock: w.clock,
      issuer: { issue: async () => { throw new Error('socket hang up'); } },
      solvers: { dns: false, solvers: () => [] },
      account: () => ({ directoryUrl: DIRECTORY }),
    });
    await assert.rejects(service.ensure('x/y', ['x.example'], 'auto'), (err: unknown) => {
      assert.ok(err instanceof CertificateRefusedError);
      assert.equal(err.message, 'the CA refused a certificate for x.example: socket hang up');
      return true;
    });
  });
});
