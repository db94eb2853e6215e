// safeExtract: a normal archive extracts; every hostile archive is refused with an error naming
// the entry, and nothing is written outside (or left inside) the sandbox.
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { InvalidInputError } from '../../src/core/errors.js';
import { safeExtract } from '../../src/sources/safe-extract.js';
import { rawTar, type RawEntry } from './raw-tar.js';

let sandbox: string;
before(async () => {
  sandbox = await mkdtemp(path.join(os.tmpdir(), 'slipway-extract-test-'));
});
after(async () => rm(sandbox, { recursive: true, force: true }));

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    out.push(path.relative(sandbox, rel));
    if (e.isDirectory()) out.push(...(await listAll(rel)));
  }
  return out.sort();
}

/** A fresh case dir: case/upload.tar(.gz) and case/a/b/extract (the parent dir), so "../" and "../../" land in the case dir. */
async function setup(name: string, entries: RawEntry[], gzip = false) {
  const dir = path.join(sandbox, name);
  const parentDir = path.join(dir, 'a', 'b', 'extract');
  await mkdir(parentDir, { recursive: true });
  const archive = path.join(dir, gzip ? 'upload.tar.gz' : 'upload.tar');
  await writeFile(archive, rawTar(entries, { gzip }));
  return { dir, parentDir, archive };
}

async function assertRefused(name: string, entries: RawEntry[], pattern: RegExp, opts: { gzip?: boolean; maxBytes?: number; maxEntries?: number } = {}) {
  const c = await setup(name, entries, opts.gzip);
  const before = await listAll(c.dir);
  await assert.rejects(
    safeExtract(c.archive, { parentDir: c.parentDir, ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}), ...(opts.maxEntries ? { maxEntries: opts.maxEntries } : {}) }),
    (err: unknown) => {
      assert.ok(err instanceof InvalidInputError, `InvalidInputError, got ${String(err)}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
  assert.deepEqual(await listAll(c.dir), before, 'nothing was written anywhere, and the temp dir is gone');
  assert.equal(await stat('/tmp/slipway-evil').catch(() => null), null);
}

test('a normal archive extracts: files, dirs, inside links; set-id bits dropped', async () => {
  const c = await setup('ok', [
    { path: 'app/', type: '5' },
    { path: 'app/server.js', body: 'console.log(1)\n', mode: 0o4755 },
    { path: 'app/lib/', type: '5' },
    { path: 'app/lib/util.js', body: 'export {}\n' },
    { path: 'app/current-util.js', type: '2', linkpath: 'lib/util.js' },
    { path: 'app/lib/up.js', type: '2', linkpath: '../server.js' },
    { path: 'app/copy.js', type: '1', linkpath: 'app/server.js' },
  ], true);
  const result = await safeExtract(c.archive, { parentDir: c.parentDir });
  try {
    assert.equal(result.entries, 7);
    assert.equal(result.bytes, 25);
    assert.ok(result.dir.startsWith(c.parentDir + path.sep));
    assert.equal(await readFile(path.join(result.dir, 'app/server.js'), 'utf8'), 'console.log(1)\n');
    assert.equal(await readlink(path.join(result.dir, 'app/current-util.js')), 'lib/util.js');
    assert.equal(await readFile(path.join(result.dir, 'app/lib/up.js'), 'utf8'), 'console.log(1)\n');
    assert.equal((await stat(path.join(result.dir, 'app/copy.js'))).ino, (await stat(path.join(result.dir, 'app/server.js'))).ino);
    assert.equal((await stat(path.join(result.dir, 'app/server.js'))).mode & 0o7000, 0, 'setuid bit dropped');
  } finally {
    await rm(result.dir, { recursive: true, force: true });
  }
});

test('path traversal is refused', async () => {
  await assertRefused('traversal', [{ path: 'ok.txt', body: 'ok' }, { path: '../../evil.txt', body: 'pwned' }], /upload\.tar: entry "\.\.\/\.\.\/evil\.txt" has a "\.\." path segment/);
  await assertRefused('traversal-inner', [{ path: 'a/../../evil.txt', body: 'pwned' }], /entry "a\/\.\.\/\.\.\/evil\.txt" has a "\.\." path segment/);
  await assertRefused('traversal-gz', [{ path: '../evil.txt', body: 'pwned' }], /upload\.tar\.gz: entry "\.\.\/evil\.txt"/, { gzip: true });
});

test('absolute paths are refused', async () => {
  await assertRefused('absolute', [{ path: '/tmp/slipway-evil', body: 'pwned' }], /entry "\/tmp\/slipway-evil" has an absolute path/);
});

test('symlinks that escape the tree are refused', async () => {
  await assertRefused('symlink-up', [{ path: 'link', type: '2', linkpath: '../../..' }], /entry "link" is a symbolic link to "\.\.\/\.\.\/\.\.", outside the tree/);
  await assertRefused('symlink-abs', [{ path: 'etc', type: '2', linkpath: '/etc' }], /entry "etc" is a symbolic link to the absolute path "\/etc"/);
  await assertRefused(
    'symlink-write-through',
    [{ path: 'sub/', type: '5' }, { path: 'd', type: '2', linkpath: 'sub' }, { path: 'd/file', body: 'x' }],
    /entry "d\/file" lies under the symbolic link "d"/,
  );
  await assertRefused(
    'symlink-chain',
    [{ path: 's2', type: '2', linkpath: 's1/..' }, { path: 's1', type: '2', linkpath: '.' }],
    /entry "s2" is a symbolic link whose target "s1\/\.\." passes through another symbolic link/,
  );
});

test('hard links that escape the tree are refused', async () => {
  await assertRefused('hardlink-up', [{ path: 'h', type: '1', linkpath: '../../upload.tar' }], /entry "h" is a hard link to "\.\.\/\.\.\/upload\.tar", outside the tree/);
  await assertRefused('hardlink-abs', [{ path: 'h', type: '1', linkpath: '/etc/passwd' }], /entry "h" is a hard link to "\/etc\/passwd", outside the tree/);
  await assertRefused(
    'hardlink-to-symlink',
    [{ path: 'deep/', type: '5' }, { path: 'deep/s', type: '2', linkpath: '../x' }, { path: 'h', type: '1', linkpath: 'deep/s' }],
    /entry "h" is a hard link to "deep\/s", which is not a regular file earlier in the archive/,
  );
});

test('device files and FIFOs are refused', async () => {
  await assertRefused('chardev', [{ path: 'null', type: '3' }], /entry "null" is a CharacterDevice entry; only files, directories and links are allowed/);
  await assertRefused('blockdev', [{ path: 'sda', type: '4' }], /entry "sda" is a BlockDevice entry/);
  await assertRefused('fifo', [{ path: 'pipe', type: '6' }], /entry "pipe" is a FIFO entry/);
});

test('too many bytes or entries are refused', async () => {
  const big = Buffer.alloc(4096, 'a');
  await assertRefused('bytes', [{ path: 'a.txt', body: big }, { path: 'b.txt', body: big }], /entry "b\.txt" takes the unpacked size past the limit of 5000 bytes/, { maxBytes: 5000 });
  const many = Array.from({ length: 11 }, (_, i) => ({ path: `f${i}.txt`, body: 'x' }));
  await assertRefused('entries', many, /entry "f10\.txt" is one more than the 10 entries an archive may have/, { maxEntries: 10 });
});

test('something that is not an archive is refused', async () => {
  const dir = path.join(sandbox, 'garbage');
  await mkdir(dir);
  const file = path.join(dir, 'upload.tar.gz');
  await writeFile(file, 'this is not a tarball at all '.repeat(40));
  await assert.rejects(safeExtract(file, { parentDir: dir }), /upload\.tar\.gz could not be read as a \.tar or \.tar\.gz archive/);
  assert.deepEqual(await readdir(dir), ['upload.tar.gz']);
  assert.equal((await lstat(file)).isFile(), true);
});
