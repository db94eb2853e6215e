// Contract: ACME accounts, one per directory URL, kept once created (the first one wins).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AcmeAccounts } from '../../../src/core/ports/store/acme-accounts.js';
import { isIsoTime, withStore, type OpenStore } from './fixture.js';

export function acmeAccountsContract(open: OpenStore<AcmeAccounts>): void {
  describe('acme accounts', () => {
    const le = 'https://acme-v02.api.letsencrypt.org/directory';
    const staging = 'https://acme-staging-v02.api.letsencrypt.org/directory';

    test('getAcmeAccount is null until keepAcmeAccount stores one; each directory has its own', withStore(open, async (store) => {
      assert.equal(await store.getAcmeAccount(le), null);
      const kept = await store.keepAcmeAccount({ directoryUrl: le, accountUrl: 'https://ca/acct/1', sealedKey: 'sealed-1', email: 'ops@example.com' });
      assert.equal(kept.accountUrl, 'https://ca/acct/1');
      assert.ok(isIsoTime(kept.createdAt), kept.createdAt);
      await store.keepAcmeAccount({ directoryUrl: staging, accountUrl: 'https://ca/acct/2', sealedKey: 'sealed-2', email: null });
      assert.deepEqual(await store.getAcmeAccount(le), kept);
      const other = await store.getAcmeAccount(staging);
      assert.equal(other?.sealedKey, 'sealed-2');
      assert.equal(other?.email, null);
    }));

    test('a second account for the same directory is not stored: the first one is returned', withStore(open, async (store) => {
      const first = await store.keepAcmeAccount({ directoryUrl: le, accountUrl: 'https://ca/acct/1', sealedKey: 'sealed-1', email: null });
      const second = await store.keepAcmeAccount({ directoryUrl: le, accountUrl: 'https://ca/acct/9', sealedKey: 'sealed-9', email: null });
      assert.deepEqual(second, first);
      assert.deepEqual(await store.getAcmeAccount(le), first);
    }));

    test('replaceAcmeAccount replaces only the account it names; with none stored it stores', withStore(open, async (store) => {
      await store.keepAcmeAccount({ directoryUrl: le, accountUrl: 'https://ca/acct/1', sealedKey: 'sealed-1', email: null });
      const replaced = await store.replaceAcmeAccount('https://ca/acct/1', { directoryUrl: le, accountUrl: 'https://ca/acct/2', sealedKey: 'sealed-2', email: 'a@b.example' });
      assert.equal(replaced.accountUrl, 'https://ca/acct/2');
      assert.equal(replaced.sealedKey, 'sealed-2');
      const late = await store.replaceAcmeAccount('https://ca/acct/1', { directoryUrl: le, accountUrl: 'https://ca/acct/3', sealedKey: 'sealed-3', email: null });
      assert.deepEqual(late, replaced, 'a replacement of an account already replaced keeps the newer one');
      assert.deepEqual(await store.getAcmeAccount(le), replaced);
      const fresh = await store.replaceAcmeAccount('https://ca/acct/0', { directoryUrl: staging, accountUrl: 'https://ca/acct/4', sealedKey: 'sealed-4', email: null });
      assert.equal(fresh.accountUrl, 'https://ca/acct/4');
    }));
  });
}
