// Contract: TLS certificates held for the edge (key as ciphertext), with renewal bookkeeping.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CertificateRecords, NewStoredCertificate } from '../../../src/core/ports/store/certificates.js';
import { withStore, withTestClock, type OpenStore } from './fixture.js';

const cert = (over: Partial<NewStoredCertificate> = {}): NewStoredCertificate => ({
  id: 'shop.example',
  hosts: ['shop.example', 'www.shop.example'],
  chainPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
  keyCiphertext: 'c2VhbGVk',
  notBefore: '2026-11-01T00:00:00.000Z',
  notAfter: '2027-01-30T00:00:00.000Z',
  source: 'acme',
  directoryUrl: 'https://acme.test/dir',
  renewAfter: '2026-12-31T00:00:00.000Z',
  ...over,
});

export function certificateRecordsContract(open: OpenStore<CertificateRecords>): void {
  describe('certificates', () => {
    test('saveCertificate stores every field; get and list return it', withTestClock(open, async (store, clock) => {
      assert.equal(await store.getStoredCertificate('shop.example'), null);
      const saved = await store.saveCertificate(cert());
      const now = clock.now().toISOString();
      assert.deepEqual(saved, { ...cert(), origin: 'route', failures: 0, lastError: null, lastAttemptAt: now, createdAt: now, updatedAt: now });
      assert.deepEqual(await store.getStoredCertificate('shop.example'), saved);
      await store.saveCertificate(cert({ id: 'api.example', hosts: ['api.example'], source: 'secret', directoryUrl: null, renewAfter: null }));
      assert.deepEqual((await store.listStoredCertificates()).map((c) => [c.id, c.source]), [['api.example', 'secret'], ['shop.example', 'acme']]);
    }));

    test('a failure is counted with its error and retry time; saving again (a renewal) clears them and keeps createdAt', withTestClock(open, async (store, clock) => {
      const first = await store.saveCertificate(cert());
      clock.advance(60_000);
      assert.equal(await store.recordCertificateFailure('shop.example', 'urn:ietf:params:acme:error:rateLimited: too many', '2026-12-31T01:00:00.000Z'), true);
      assert.equal(await store.recordCertificateFailure('shop.example', 'again', '2026-12-31T02:00:00.000Z'), true);
      const failed = await store.getStoredCertificate('shop.example');
      assert.equal(failed?.failures, 2);
      assert.equal(failed?.lastError, 'again');
      assert.equal(failed?.renewAfter, '2026-12-31T02:00:00.000Z');
      assert.equal(failed?.lastAttemptAt, clock.now().toISOString());
      assert.equal(failed?.chainPem, first.chainPem, 'a failure leaves the certificate as it was');
      clock.advance(60_000);
      const renewed = await store.saveCertificate(cert({ chainPem: 'NEW', keyCiphertext: 'bmV3', notAfter: '2027-03-01T00:00:00.000Z' }));
      assert.equal(renewed.failures, 0);
      assert.equal(renewed.lastError, null);
      assert.equal(renewed.chainPem, 'NEW');
      assert.equal(renewed.createdAt, first.createdAt);
      assert.equal(renewed.updatedAt, clock.now().toISOString());
    }));

    test('origin: route unless given; a save without it (a renewal) keeps an on-demand origin', withStore(open, async (store) => {
      assert.equal((await store.saveCertificate(cert({ id: 'a.example', hosts: ['a.example'], origin: 'on-demand' }))).origin, 'on-demand');
      assert.equal((await store.saveCertificate(cert({ id: 'a.example', hosts: ['a.example'], chainPem: 'RENEWED' }))).origin, 'on-demand');
      assert.equal((await store.saveCertificate(cert())).origin, 'route');
      assert.deepEqual((await store.listStoredCertificates()).map((c) => [c.id, c.origin]), [['a.example', 'on-demand'], ['shop.example', 'route']]);
    }));

    test('unknown ids: a failure is not recorded, delete says false', withStore(open, async (store) => {
      assert.equal(await store.recordCertificateFailure('nope', 'x', '2026-12-31T00:00:00.000Z'), false);
      assert.equal(await store.deleteStoredCertificate('nope'), false);
      await store.saveCertificate(cert());
      assert.equal(await store.deleteStoredCertificate('shop.example'), true);
      assert.deepEqual(await store.listStoredCertificates(), []);
    }));
  });
}
