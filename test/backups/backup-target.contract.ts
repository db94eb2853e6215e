// The contract every BackupTarget passes (run by local-directory-target.test.ts and s3-target.test.ts).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { BackupTarget } from '../../src/backups/backup-target.js';
import { digestOf } from '../../src/backups/digest-stream.js';
import { verifyStored } from '../../src/backups/verify-stored.js';

export interface TargetFixture {
  target: BackupTarget;
  /** Replaces the stored bytes behind the target's back (simulates damage at rest). */
  overwrite(key: string, bytes: Buffer): Promise<void>;
}

function chunks(buf: Buffer, size: number): Readable {
  let off = 0;
  return new Readable({
    read() {
      if (off >= buf.length) return this.push(null);
      this.push(buf.subarray(off, off + size));
      off += size;
    },
  });
}

export function targetContract(name: string, make: () => Promise<TargetFixture>): void {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  test(`${name}: put records size and sha256; stat, get and list agree`, async () => {
    const { target } = await make();
    const data = randomBytes(300_000);
    const d = await target.put('db1/a.pgdump', chunks(data, 10_000));
    assert.deepEqual(d, { size: data.length, sha256: sha(data) });
    const st = await target.stat('db1/a.pgdump');
    assert.deepEqual(st, { key: 'db1/a.pgdump', size: data.length, sha256: sha(data) });
    assert.deepEqual(await digestOf(await target.get('db1/a.pgdump')), d);
    await target.put('db2/b.sql', Readable.from([Buffer.from('x')]));
    assert.deepEqual((await target.list('db1/')).map((o) => o.key), ['db1/a.pgdump']);
    assert.deepEqual((await target.list('')).map((o) => o.key), ['db1/a.pgdump', 'db2/b.sql']);
    assert.equal((await verifyStored(target, 'db1/a.pgdump', d)).ok, true);
  });

  test(`${name}: an empty object works`, async () => {
    const { target } = await make();
    const d = await target.put('db1/empty.sql', Readable.from([]));
    assert.deepEqual(d, { size: 0, sha256: sha(Buffer.alloc(0)) });
    assert.equal((await verifyStored(target, 'db1/empty.sql', d)).ok, true);
  });

  test(`${name}: a body that fails part-way leaves nothing behind`, async () => {
    const { target } = await make();
    let n = 0;
    const failing = new Readable({
      read() {
        if (n++ < 20) this.push(randomBytes(64 * 1024));
        else this.destroy(new Error('connection to the dump tool lost'));
      },
    });
    await assert.rejects(target.put('db1/cut.pgdump', failing), /connection to the dump tool lost/);
    assert.equal(await target.stat('db1/cut.pgdump'), null);
    assert.deepEqual(await target.list('db1/'), []);
  });

  test(`${name}: delete removes the object; missing objects stat null and get rejects`, async () => {
    const { target } = await make();
    await target.put('db1/x.sql', Readable.from([Buffer.from('hello')]));
    await target.delete('db1/x.sql');
    await target.delete('db1/x.sql');
    assert.equal(await target.stat('db1/x.sql'), null);
    await assert.rejects(target.get('db1/x.sql'), /was not found/);
  });

  test(`${name}: unsafe keys are refused`, async () => {
    const { target } = await make();
    await assert.rejects(target.put('../escape', Readable.from([Buffer.from('x')])), /not a safe relative path/);
    await assert.rejects(target.stat('/abs'), /not a safe relative path/);
  });

  test(`${name}: verifyStored catches a truncated and an altered object`, async () => {
    const { target, overwrite } = await make();
    const data = randomBytes(100_000);
    const d = await target.put('db1/t.pgdump', Readable.from([data]));
    await overwrite('db1/t.pgdump', data.subarray(0, 60_000));
    const cut = await verifyStored(target, 'db1/t.pgdump', d);
    assert.equal(cut.ok, false);
    assert.match(cut.reasons.join('\n'), /size mismatch: .* 60000 bytes, the backup recorded 100000 \(the object is truncated\)/);
    const flipped = Buffer.from(data);
    flipped[5000] = flipped[5000]! ^ 0x01;
    await overwrite('db1/t.pgdump', flipped);
    const alt = await verifyStored(target, 'db1/t.pgdump', d);
    assert.equal(alt.ok, false);
    assert.match(alt.reasons.join('\n'), /checksum mismatch/);
    assert.doesNotMatch(alt.reasons.join('\n'), /size mismatch/);
  });
}
