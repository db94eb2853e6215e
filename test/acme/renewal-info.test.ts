// ACME Renewal Information (RFC 9773): the certID of a certificate made by openssl (a serial with
// its high bit set, so its DER value needs a leading zero) matches the one worked out from
// openssl's own reading of the Authority Key Identifier, and the suggested window is fetched from
// a real HTTPS server (Pebble 2.4.0 offers no renewalInfo) trusting only the test's CA.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readDirectory } from '../../src/acme/acme-directory.js';
import { certificateId, fetchRenewalInfo } from '../../src/acme/renewal-info.js';
import { UnavailableError } from '../../src/core/errors.js';
import { runChecked } from '../../src/platform/exec.js';

describe('ACME Renewal Information', () => {
  let dir: string;
  let caPem: string;
  let leafPem: string;
  let leafKey: string;
  let expectedId: string;
  let server: Server;
  let withAri = true;
  let base = '';

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-ari-'));
    const f = (name: string) => path.join(dir, name);
    await runChecked(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=Test CA', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
    await runChecked(['openssl', 'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('leaf.key'), '-out', f('leaf.csr')]);
    await writeFile(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nauthorityKeyIdentifier=keyid\n');
    await runChecked(['openssl', 'x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-set_serial', '0x87654321abcdef', '-days', '1', '-extfile', f('ext.cnf'), '-out', f('leaf.pem')]);
    caPem = await readFile(f('ca.pem'), 'utf8');
    leafPem = await readFile(f('leaf.pem'), 'utf8');
    leafKey = await readFile(f('leaf.key'), 'utf8');
    const aki = (await runChecked(['openssl', 'x509', '-in', f('leaf.pem'), '-noout', '-ext', 'authorityKeyIdentifier'])).stdout;
    const keyIdHex = /([0-9A-F]{2}(?::[0-9A-F]{2})+)/.exec(aki)?.[1]?.replace(/:/g, '');
    assert.ok(keyIdHex, `openssl shows the AKI: ${aki}`);
    expectedId = `${Buffer.from(keyIdHex, 'hex').toString('base64url')}.${Buffer.from('0087654321abcdef', 'hex').toString('base64url')}`;

    server = createServer({ cert: leafPem, key: leafKey }, (req, res) => {
      if (req.url === '/dir') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ newOrder: `${base}/order`, ...(withAri ? { renewalInfo: `${base}/ari/` } : {}) }));
      } else if (req.url === `/ari/${expectedId}`) {
        res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '21600' });
        res.end(JSON.stringify({ suggestedWindow: { start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z' } }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  test('certificateId is base64url(AKI keyIdentifier) "." base64url(serial DER value, leading zero kept)', () => {
    assert.equal(certificateId(new X509Certificate(leafPem)), expectedId);
  });

  test('the suggested window is read from the directory\'s renewalInfo; none without it', async () => {
    withAri = true;
    const window = await fetchRenewalInfo(await readDirectory(`${base}/dir`, caPem), new X509Certificate(leafPem), caPem);
    assert.deepEqual(window, { start: new Date('2030-01-01T00:00:00Z'), end: new Date('2030-01-02T00:00:00Z') });
    withAri = false;
    assert.equal(await fetchRenewalInfo(await readDirectory(`${base}/dir`, caPem), new X509Certificate(leafPem), caPem), undefined);
    await assert.rejects(
      readDirectory(`${base}/dir`, undefined),
      (e: unknown) => e instanceof UnavailableError && e.message.includes(`${base}/dir`) && /certificate|CERT|self.signed|issuer/i.test(e.message),
      'the system roots do not trust the test CA',
    );
  });
});
