import assert from 'node:assert/strict';
import { it } from 'node:test';
import { repoForServer } from '../../src/cli/local-repo-path.js';

it('makes local paths absolute against the caller cwd, and leaves URLs and remotes alone', () => {
  const cwd = '/home/ann/shop';
  assert.equal(repoForServer('./', cwd), '/home/ann/shop');
  assert.equal(repoForServer('.', cwd), '/home/ann/shop');
  assert.equal(repoForServer('../other', cwd), '/home/ann/other');
  assert.equal(repoForServer('sub/repo.git', cwd), '/home/ann/shop/sub/repo.git');
  assert.equal(repoForServer('./odd:name', cwd), '/home/ann/shop/odd:name');
  assert.equal(repoForServer('/srv/git/shop.git', cwd), '/srv/git/shop.git');
  for (const remote of ['https://example.com/shop.git', 'ssh://git@example.com/shop.git', 'file:///srv/git/shop.git', 'git@github.com:ann/shop.git', 'host:shop.git']) {
    assert.equal(repoForServer(remote, cwd), remote);
  }
});
