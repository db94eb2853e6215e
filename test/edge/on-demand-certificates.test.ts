// The edge's bookkeeping of on-demand certificates without sockets: the bounded wait, the limit on
// names waiting at once, refusals forgotten after their time and the oldest first past the cap.
import assert from 'node:assert/strict';
import type tls from 'node:tls';
import { test } from 'node:test';
import { OnDemandCertificates, type WantedHost } from '../../src/edge/tls/on-demand-certificates.js';

const context = {} as tls.SecureContext;

function gate(over: { waitMs?: number; maxPending?: number; maxRefused?: number; now?: () => number; route?: string | undefined } = {}) {
  const held = new Map<string, tls.SecureContext>();
  const wanted: WantedHost[] = [];
  const { route, ...rest } = over;
  const g = new OnDemandCertificates({ contextFor: (h) => held.get(h), route: () => ('route' in over ? route : 'shop/prod'), ...rest });
  g.subscribe((w) => wanted.push(w));
  return { g, held, wanted };
}

test('a handshake waits at most waitMs, then fails', async () => {
  const { g, wanted } = gate({ waitMs: 200 });
  const started = Date.now();
  assert.equal(await g.contextFor('slow.example'), undefined);
  const waited = Date.now() - started;
  assert.ok(waited >= 190 && waited < 2000, `waited ${waited} ms`);
  assert.deepEqual(wanted, [{ host: 'slow.example', route: 'shop/prod' }]);
});

test('a put completes every waiting handshake for its host, not the others', async () => {
  const { g, held } = gate();
  const a = g.contextFor('a.example');
  const a2 = g.contextFor('A.Example');
  const b = g.contextFor('b.example');
  assert.deepEqual(g.pending().map((p) => p.host).sort(), ['a.example', 'b.example']);
  held.set('a.example', context);
  g.certificatesChanged();
  assert.equal(await a, context);
  assert.equal(await a2, context);
  g.refuse('b.example');
  assert.equal(await b, undefined);
});

test('beyond maxPending names waiting at once, new names fail at once', async () => {
  const { g, wanted } = gate({ maxPending: 2 });
  const waiting = [g.contextFor('one.example'), g.contextFor('two.example')];
  assert.equal(await g.contextFor('three.example'), undefined);
  assert.deepEqual(wanted.map((w) => w.host), ['one.example', 'two.example']);
  g.close();
  assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
});

test('a refusal lasts its time; past maxRefused the oldest is forgotten first', async () => {
  let now = 0;
  const { g, wanted } = gate({ now: () => now, maxRefused: 2 });
  g.refuse('x.example', 1000);
  assert.equal(await g.contextFor('x.example'), undefined);
  assert.equal(wanted.length, 0, 'a refused name is not asked for');
  now = 1001;
  assert.equal(g.isRefused('x.example'), false);
  g.refuse('p.example', 5000);
  g.refuse('q.example', 5000);
  g.refuse('r.example', 5000);
  assert.deepEqual(['p', 'q', 'r'].map((n) => g.isRefused(`${n}.example`)), [false, true, true]);
});

test('nothing is asked without an on-demand route', async () => {
  const { g, wanted } = gate({ route: undefined });
  assert.equal(await g.contextFor('a.example'), undefined);
  assert.equal(wanted.length, 0);
});
