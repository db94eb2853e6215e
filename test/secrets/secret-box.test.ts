import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { SlipwayError } from '../../src/core/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { SecretBox } from '../../src/secrets/secret-box.js';

const PLAIN = 'postgres://app:hunter2-very-secret@db/app';

describe('SecretBox', () => {
  test('seal then open gives the value back; every seal differs', () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const a = box.seal(new Sensitive(PLAIN));
    const b = box.seal(new Sensitive(PLAIN));
    assert.notEqual(a, b, 'a fresh IV per value');
    assert.equal(box.open(a).reveal(), PLAIN);
    assert.equal(box.open(b).reveal(), PLAIN);
    assert.equal(box.open(box.seal(new Sensitive(''))).reveal(), '');
    assert.equal(box.open(box.seal(new Sensitive('żółć ✓'))).reveal(), 'żółć ✓');
  });

  test('the sealed form is v1:<iv>:<tag>:<ciphertext> in base64 and does not contain the value', () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const sealed = box.seal(new Sensitive(PLAIN));
    const [v, iv, tag, ct] = sealed.split(':');
    assert.equal(v, 'v1');
    assert.equal(Buffer.from(iv ?? '', 'base64').length, 12);
    assert.equal(Buffer.from(tag ?? '', 'base64').length, 16);
    assert.equal(Buffer.from(ct ?? '', 'base64').length, Buffer.byteLength(PLAIN));
    assert.ok(!sealed.includes('hunter2'));
  });

  test('a tampered value is refused without revealing anything', () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const sealed = box.seal(new Sensitive(PLAIN));
    const [v, iv, tag, ct] = sealed.split(':') as [string, string, string, string];
    const flipped = Buffer.from(ct, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const tampered = [v, iv, tag, flipped.toString('base64')].join(':');
    assertRefused(() => box.open(tampered), /master key does not match/);
    const otherTag = [v, iv, randomBytes(16).toString('base64'), ct].join(':');
    assertRefused(() => box.open(otherTag), /master key does not match/);
  });

  test('a value sealed with another key is refused', () => {
    const sealed = SecretBox.fromKey(randomBytes(32)).seal(new Sensitive(PLAIN));
    assertRefused(() => SecretBox.fromKey(randomBytes(32)).open(sealed), /master key does not match/);
  });

  test('a malformed value is refused with the expected format', () => {
    const box = SecretBox.fromKey(randomBytes(32));
    for (const bad of ['', PLAIN, 'v2:a:b:c', 'v1:AAAA:AAAA:AAAA', 'v1:!!:??:**']) {
      assertRefused(() => box.open(bad), /sealed format/);
    }
  });

  test('fromKey wants 32 bytes', () => {
    assert.throws(() => SecretBox.fromKey(randomBytes(16)), /32 bytes/);
  });

  test('opened values and the box never print the secret', () => {
    const key = randomBytes(32);
    const box = SecretBox.fromKey(key);
    const opened = box.open(box.seal(new Sensitive(PLAIN)));
    const record = { name: 'DATABASE_URL', value: opened };
    for (const text of [
      JSON.stringify(record),
      inspect(record, { depth: 5, showHidden: true }),
      `${opened}`,
      String(opened),
      `value=${record.value}`,
      inspect(box, { showHidden: true }),
      JSON.stringify({ box }),
    ]) {
      assert.ok(!text.includes('hunter2'), text);
      assert.ok(!text.includes(key.toString('hex')) && !text.includes(key.toString('base64')), text);
    }
    assert.equal(opened.reveal(), PLAIN);
  });
});

function assertRefused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SlipwayError, String(err));
    assert.match(err.message, message);
    assert.ok(!err.message.includes('hunter2'));
    assert.ok(!JSON.stringify(err.details).includes('hunter2'));
    return true;
  });
}
