// Wildcard route hosts: "*.apps.test" serves one level below apps.test, after exact hosts and
// before any-host routes; the admin schema takes "*.x" and refuses other uses of "*".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRoute } from '../../src/edge/routing/route-schema.js';
import { RouteTable } from '../../src/edge/routing/route-table.js';
import { route } from './edge-harness.js';

describe('wildcard route hosts', () => {
  const table = new RouteTable([
    { id: 'wild', hosts: ['*.apps.test'], pathPrefix: '/' },
    { id: 'exact', hosts: ['special.apps.test'], pathPrefix: '/' },
    { id: 'any', hosts: [], pathPrefix: '/' },
  ]);

  it('an exact host wins over the wildcard, which serves one level only, then any-host routes', () => {
    assert.equal(table.match('special.apps.test', '/')?.id, 'exact');
    assert.equal(table.match('one.apps.test', '/x')?.id, 'wild');
    assert.equal(table.match('a.b.apps.test', '/')?.id, 'any');
    assert.equal(table.match('apps.test', '/')?.id, 'any');
  });

  it('the admin schema takes "*.apps.test" and refuses "*" anywhere else', () => {
    assert.deepEqual(parseRoute({ ...route('w/x', ['http://127.0.0.1:1']), hosts: ['*.Apps.test'] }).hosts, ['*.apps.test']);
    for (const bad of ['*', 'a.*.test', '*apps.test', '**.apps.test']) {
      assert.throws(() => parseRoute({ ...route('w/x', ['http://127.0.0.1:1']), hosts: [bad] }), /one-level wildcard/, bad);
    }
  });
});
