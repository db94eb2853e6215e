// The edge's certificates as files and through the admin API: a restarted edge (same data dir)
// serves HTTPS from its own files; a corrupted file is set aside and every other host still
// serves; the admin API refuses PEMs that do not belong together, naming the field, and stores
// each certificate 0600.
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../../src/core/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { createLogger } from '../../src/platform/logger.js';
import { TestCa, type MintedCertificate as IssuedPair } from '../support/test-ca.js';
import { route, startTestEdge, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';
import { fingerprintOf, handshake, httpsGet } from './tls-client.js';

describe('edge HTTPS: certificate files and admin API', () => {
  let ca: TestCa;
  let up: FakeUpstream;
  let a: IssuedPair;
  let b: IssuedPair;

  before(async () => {
    ca = await TestCa.create();
    up = await startUpstream('app');
    a = await ca.issue(['a.test']);
    b = await ca.issue(['b.test']);
  });

  after(async () => {
    await up?.close();
    await ca?.close();
  });

  const put = (edge: TestEdge, id: string, hosts: string[], pair: IssuedPair) =>
    edge.client.putCertificate({ id, hosts, certificatePem: pair.certificatePem, keyPem: new Sensitive(pair.keyPem) });

  it('serves HTTPS after a restart from its own files (no control plane), each file 0600', async () => {
    const first = await startTestEdge({ httpsPort: 0 });
    await put(first, 'a', ['a.test'], a);
    await first.client.putRoute(route('a/prod', [up.url], { hosts: ['a.test'], tls: { hsts: false } }));
    const mode = (await stat(path.join(first.dataDir, 'edge', 'certs', 'a.json'))).mode & 0o777;
    assert.equal(mode, 0o600);
    await first.close({ keepDir: true });
    const second = await startTestEdge({ httpsPort: 0, dataDir: first.dataDir });
    try {
      const res = await httpsGet(second.edge.httpsPort as number, 'a.test', '/', { ca: ca.certificatePem });
      assert.equal(res.status, 200);
      assert.equal(res.body, 'app');
      assert.deepEqual((await second.client.listCertificates()).map((c) => c.id), ['a']);
    } finally {
      await second.close();
    }
  });

  it('sets a corrupted certificate file aside and serves every other host after a restart', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'error', destination: { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream });
    const first = await startTestEdge({ httpsPort: 0 });
    await put(first, 'a', ['a.test'], a);
    await put(first, 'b', ['b.test'], b);
    await first.close({ keepDir: true });
    const certs = path.join(first.dataDir, 'edge', 'certs');
    await writeFile(path.join(certs, 'a.json'), '{"id": "a", "hosts": ["a.test"], "keyPem": BEGIN PRIVATE KEY MIG');
    const second = await startTestEdge({ httpsPort: 0, dataDir: first.dataDir, logger });
    try {
      const port = second.edge.httpsPort as number;
      assert.equal((await handshake(port, 'b.test', { ca: ca.certificatePem })).fingerprint, fingerprintOf(b.certificatePem));
      await assert.rejects(handshake(port, 'a.test', { ca: ca.certificatePem }), /alert handshake failure/);
      const files = await readdir(certs);
      assert.ok(files.includes('b.json'));
      assert.ok(files.some((f) => f.startsWith('a.json.damaged-')), `set aside: ${files.join(', ')}`);
      assert.match(lines.join(''), /a certificate file cannot be loaded: set aside/);
      assert.match(lines.join(''), /the file is not valid JSON/);
      assert.doesNotMatch(lines.join(''), /BEGIN|PRIVATE|MIG/, 'no file content in the log (V8 quotes the text near a JSON fault)');
      // The control plane gives it again and the host serves.
      await put(second, 'a', ['a.test'], a);
      assert.equal((await handshake(port, 'a.test', { ca: ca.certificatePem })).fingerprint, fingerprintOf(a.certificatePem));
    } finally {
      await second.close();
    }
  });

  it('refuses a key that does not match its certificate, naming the field, and keeps what it served', async () => {
    const edge = await startTestEdge({ httpsPort: 0 });
    try {
      await put(edge, 'a', ['a.test'], a);
      const mismatched = { ...a, keyPem: b.keyPem };
      await assert.rejects(put(edge, 'a', ['a.test'], mismatched), (err: unknown) => {
        assert.ok(err instanceof InvalidInputError);
        assert.match(err.message, /^certificate\.keyPem: the private key does not match the certificate/);
        assert.doesNotMatch(err.message, /PRIVATE KEY/);
        return true;
      });
      await assert.rejects(put(edge, 'a', ['a.test'], { ...a, certificatePem: 'not a pem' }), /certificate\.certificatePem: expected a PEM certificate chain/);
      await assert.rejects(put(edge, 'a', ['a.test'], { ...a, keyPem: 'garbage' }), /certificate\.keyPem: expected a PEM private key/);
      await assert.rejects(put(edge, 'a', ['other.test'], a), /certificate\.hosts\.0: "other\.test" is not a name of the certificate/);
      await assert.rejects(put(edge, 'A/../x', ['a.test'], a), /InvalidInputError: id: expected an id like/);
      await assert.rejects(
        edge.client.putChallenge({ type: 'tls-alpn-01', host: 'a.test', certificatePem: a.certificatePem, keyPem: new Sensitive(b.keyPem) }),
        /challenge\.keyPem: the private key does not match/,
      );
      const broken = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ socketPath: edge.edge.adminSocket, method: 'PUT', path: '/certificates/a', headers: { 'content-type': 'application/json' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end(`{"hosts": ["a.test"], "keyPem": ${b.keyPem.split('\n').slice(0, 2).join(' ')}}`);
      });
      assert.equal(broken.status, 400);
      assert.match(broken.body, /body: not valid JSON/);
      assert.doesNotMatch(broken.body, /BEGIN|PRIVATE/, 'the error quotes nothing of the body');
      assert.equal((await handshake(edge.edge.httpsPort as number, 'a.test', { ca: ca.certificatePem })).fingerprint, fingerprintOf(a.certificatePem));
      await edge.client.removeCertificate('a');
      assert.deepEqual(await edge.client.listCertificates(), []);
      assert.deepEqual(await readdir(path.join(edge.dataDir, 'edge', 'certs')), []);
      await assert.rejects(handshake(edge.edge.httpsPort as number, 'a.test', { ca: ca.certificatePem }), /alert handshake failure/);
    } finally {
      await edge.close();
    }
  });
});
