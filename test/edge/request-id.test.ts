import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRequestId } from '../../src/edge/proxy/request-id.js';

describe('generated request ids', () => {
  it('are shaped like version-4 UUIDs and never repeat within the process', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = nextRequestId();
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 10_000);
  });
});
