// Contract: API tokens (stored as hashes, never returned).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError, NotFoundError } from '../../../src/core/errors.js';
import type { Tokens } from '../../../src/core/ports/store/tokens.js';
import { isIsoTime, withStore, type OpenStore } from './fixture.js';

export function tokensContract(open: OpenStore<Tokens>): void {
  describe('tokens', () => {
    test('createToken, findTokenByHash, listTokens, touchToken', withStore(open, async (store) => {
      const t = await store.createToken('ci', 'sha256:aaa');
      assert.equal(t.name, 'ci');
      assert.equal(t.lastUsedAt, null);
      assert.ok(isIsoTime(t.createdAt));
      assert.equal('hash' in t, false);
      assert.deepEqual(await store.findTokenByHash('sha256:aaa'), t);
      assert.equal(await store.findTokenByHash('sha256:bbb'), null);
      await store.createToken('laptop', 'sha256:bbb');
      await store.touchToken(t.id, '2026-11-22T10:00:00.000Z');
      const list = await store.listTokens();
      assert.deepEqual(list.map((x) => x.name), ['ci', 'laptop']);
      assert.equal(list[0]?.lastUsedAt, '2026-11-22T10:00:00.000Z');
      for (const x of list) assert.equal('hash' in x, false);
      await assert.rejects(store.createToken('dup', 'sha256:aaa'), ConflictError);
      await assert.rejects(store.touchToken('tok_missing', '2026-11-22T10:00:00.000Z'), NotFoundError);
    }));
  });
}
