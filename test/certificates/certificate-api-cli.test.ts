// The certificates API (the real routes on a Fastify app on 127.0.0.1:0, with the real error
// handler) and the CLI against it: `slipway certs list|show|renew` (`--json` too) and `slipway
// status` showing what expires within 14 days or failed to renew. The canary: no response and no
// CLI output ever holds a private key (or its sealed form).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { UnauthorizedError } from '../../src/core/errors.js';
import type { CertificateView } from '../../src/core/wire/certificates.js';
import { installErrorHandler } from '../../src/http/error-handler.js';
import { registerRoutes, route } from '../../src/http/route-table.js';
import { certificateRoutes } from '../../src/http/routes/certificate-routes.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { AuditTrail } from '../../src/services/audit-trail.js';
import { CertificateService } from '../../src/services/certificate-service.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { runCli, serverEnv } from '../cli/run-cli.js';
import { RecordingEdgeTls } from '../support/recording-edge-tls.js';
import { TestCa } from '../support/test-ca.js';
import { TestCertificateIssuer } from '../support/test-certificate-issuer.js';
import { TestClock } from '../support/test-clock.js';

const DAY = 86_400_000;
const TOKEN = 'test-token-certs';

describe('certificates: API and CLI, never a key', () => {
  let ca: TestCa;
  let store: SqliteStore;
  let app: FastifyInstance;
  let url = '';
  let issuer: TestCertificateIssuer;
  const edge = new RecordingEdgeTls();
  const secretsSeen: string[] = [];
  const bodies: string[] = [];
  const outputs: string[] = [];
  const env = () => serverEnv({ url, token: TOKEN });

  before(async () => {
    ca = await TestCa.create();
    const clock = new TestClock(new Date(Math.floor(Date.now() / 1000) * 1000).toISOString());
    store = await openSqliteStore(':memory:', { clock });
    issuer = new TestCertificateIssuer(ca, clock);
    const cipher = SecretBox.fromKey(Buffer.alloc(32, 5));
    const service = new CertificateService({
      store, cipher, edge, issuer, clock,
      solvers: { dns: false, solvers: () => [] },
      account: () => ({ directoryUrl: 'https://acme.test/dir' }),
      random: () => 0,
    });
    await service.ensure('shop/production', ['shop.example', 'www.shop.example'], 'auto');
    issuer.lifetimeMs = 10 * DAY;
    await service.ensure('blog/production', ['blog.example'], 'auto');
    for (const p of edge.puts) secretsSeen.push(p.keyPem.reveal());
    for (const c of await store.listStoredCertificates()) secretsSeen.push(c.keyCiphertext);

    app = Fastify();
    installErrorHandler(app, (t) => t);
    app.addHook('onSend', async (_req, _reply, payload) => {
      if (typeof payload === 'string') bodies.push(payload);
      return payload;
    });
    const routes = [
      ...certificateRoutes(service, new AuditTrail(store)),
      route({ method: 'GET', url: '/api/status', tag: 'status', summary: 'status', handler: async () => ({ environments: [] as unknown[] }) }),
    ];
    registerRoutes(app, routes, async (req) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) throw new UnauthorizedError();
      return { name: 'admin' };
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await app?.close();
    await store?.close();
    await ca?.close();
  });

  async function cli(args: string[], code = 0): Promise<string> {
    const r = await runCli(args, { env: env() });
    outputs.push(r.stdout, r.stderr);
    assert.equal(r.code, code, `slipway ${args.join(' ')}: ${r.stderr}`);
    return r.stdout + r.stderr;
  }

  test('the API lists and shows certificates without keys; a host finds its certificate', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/certificates', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(list.statusCode, 200);
    const certs = (list.json() as { certificates: CertificateView[] }).certificates;
    assert.deepEqual(certs.map((c) => [c.hosts.join(','), c.condition]), [['blog.example', 'expiring'], ['shop.example,www.shop.example', 'valid']]);
    assert.deepEqual(Object.keys(certs[0]!).sort(), ['condition', 'directoryUrl', 'expiresInDays', 'failures', 'fingerprint', 'hosts', 'id', 'inUse', 'lastAttemptAt', 'lastError', 'notAfter', 'notBefore', 'origin', 'renewAfter', 'source'].sort());
    const show = await app.inject({ method: 'GET', url: '/api/certificates/www.shop.example', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(show.statusCode, 200);
    assert.deepEqual((show.json() as { certificate: CertificateView }).certificate.hosts, ['shop.example', 'www.shop.example']);
    const missing = await app.inject({ method: 'GET', url: '/api/certificates/nope.example', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(missing.statusCode, 404);
    const anonymous = await app.inject({ method: 'GET', url: '/api/certificates' });
    assert.equal(anonymous.statusCode, 401);
  });

  test('slipway certs list, show and --json', async () => {
    const listed = await cli(['certs', 'list']);
    assert.match(listed, /ID\s+HOSTS\s+SOURCE\s+EXPIRES\s+STATE\s+RENEWAL/);
    assert.match(listed, /blog\.example\s+blog\.example\s+acme\s+\S+ \(in 10 day\(s\)\)\s+EXPIRING/);
    assert.match(listed, /shop\.example, www\.shop\.example\s+acme/);
    const json = JSON.parse(await cli(['certs', 'list', '--json'])) as { certificates: CertificateView[] };
    assert.equal(json.certificates.length, 2);
    const shown = await cli(['certs', 'show', 'shop.example']);
    assert.match(shown, /certificate shop\.example-[0-9a-f]{10}\n {2}hosts: {8}shop\.example, www\.shop\.example\n {2}source: {7}ACME \(https:\/\/acme\.test\/dir\)/);
    assert.match(shown, /fingerprint: {2}[0-9a-f]{64} \(SHA-256\)/);
    assert.match(await cli(['certs', 'show', 'nope.example'], 1), /certificate "nope\.example" was not found/);
  });

  test('a refused renewal answers with the CA\'s problem detail; status then shows it, and the expiring one', async () => {
    issuer.refuse('Error finalizing order :: rate limit exceeded for blog.example');
    const renewed = await cli(['certs', 'renew', 'blog.example'], 1);
    assert.match(renewed, /the CA at https:\/\/acme\.test\/dir refused the certificate for blog\.example: urn:ietf:params:acme:error:rejectedIdentifier: Error finalizing order :: rate limit exceeded for blog\.example/);
    const status = await cli(['status']);
    assert.match(status, /certificate blog\.example \(blog\.example\): RENEWAL FAILING \(1x\): the CA at https:\/\/acme\.test\/dir refused the certificate for blog\.example: .*rate limit exceeded/);
    assert.doesNotMatch(status, /certificate shop\.example/, 'a valid certificate is not shown');
    const json = JSON.parse(await cli(['status', '--json'])) as { certificates?: CertificateView[] };
    assert.deepEqual(json.certificates?.map((c) => c.id), ['blog.example']);
    issuer.accept();
    const ok = await cli(['certs', 'renew', 'shop.example']);
    assert.match(ok, /certificate shop\.example-[0-9a-f]{10} renewed: valid until /);
    for (const p of edge.puts) secretsSeen.push(p.keyPem.reveal());
    for (const c of await store.listStoredCertificates()) secretsSeen.push(c.keyCiphertext);
    const audit = await store.listAudit({ limit: 10 });
    assert.deepEqual(audit.map((a) => [a.action, a.target, a.outcome]), [['certificate.renew', 'shop.example', 'ok'], ['certificate.renew', 'blog.example', 'error']]);
  });

  test('canary: no key and no sealed key in any response or CLI output', () => {
    assert.ok(secretsSeen.length >= 4);
    const said = [...bodies, ...outputs].join('\n');
    assert.ok(said.length > 1000);
    assert.doesNotMatch(said, /PRIVATE KEY/);
    for (const secret of secretsSeen) {
      // The body of a PEM key (its base64 lines), or the whole ciphertext.
      for (const part of secret.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'))) {
        assert.ok(!said.includes(part), 'a key line leaked');
      }
      if (!secret.includes('\n')) assert.ok(!said.includes(secret), 'a sealed key leaked');
    }
  });
});
