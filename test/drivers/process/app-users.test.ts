// The per-app users' names, and handing a tree over to one without following its links.
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { appUserName, handOver } from '../../../src/drivers/process/app-users.js';

test('app user names: slipway-app-<name>-<hash>, lower-case, at most 32 characters, one per app name', () => {
  assert.match(appUserName('shop'), /^slipway-app-shop-[0-9a-f]{8}$/);
  const long = appUserName('A.Very_Long-application-name-indeed');
  assert.ok(long.length <= 32, long);
  assert.match(long, /^slipway-app-[a-z0-9-]+-[0-9a-f]{8}$/);
  assert.notEqual(appUserName('Shop'), appUserName('shop'));
  assert.notEqual(appUserName('a.b'), appUserName('a_b'));
  assert.equal(appUserName('shop'), appUserName('shop'));
});

test('handOver gives a tree to the user, children first, and never follows a link out of it', { skip: process.getuid?.() === 0 ? false : 'needs root' }, async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'hand-over-'));
  try {
    const outside = path.join(root, 'outside.txt');
    await writeFile(outside, 'the control plane\'s\n');
    const tree = path.join(root, 'tree');
    await mkdir(path.join(tree, 'a', 'b'), { recursive: true });
    await writeFile(path.join(tree, 'a', 'b', 'file'), 'x');
    await symlink(outside, path.join(tree, 'a', 'link'));
    await symlink(root, path.join(tree, 'dirlink'));
    const nobody = { name: 'nobody', uid: 65534, gid: 65534 };
    await handOver(tree, nobody);
    for (const p of ['', 'a', 'a/b', 'a/b/file', 'a/link', 'dirlink']) assert.equal((await lstat(path.join(tree, p))).uid, nobody.uid, p || '.');
    assert.equal((await stat(outside)).uid, 0, 'the link target is untouched');
    assert.equal((await stat(root)).uid, 0, 'the linked dir is untouched');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
