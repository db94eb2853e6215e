// The solvers an order gets: allowed types in the settings' order; wildcards only dns-01.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChallengeSolver, ChallengeType } from '../../src/core/ports/certificate-issuer.js';
import { solverChoice } from '../../src/services/solver-choice.js';

const solver = (type: ChallengeType): ChallengeSolver => ({ type, present: async () => {}, cleanUp: async () => {} });
const all = [solver('dns-01'), solver('http-01'), solver('tls-alpn-01')];

test('the allowed types in the settings\' order, among the solvers there are', () => {
  const choice = solverChoice(['tls-alpn-01', 'http-01'], all);
  assert.deepEqual(choice.solvers(['shop.example']).map((s) => s.type), ['tls-alpn-01', 'http-01']);
  assert.equal(choice.dns, false, 'dns-01 not allowed');
  assert.deepEqual(choice.solvers(['*.shop.example']), []);
});

test('with dns-01 allowed and a DNS solver, a wildcard order gets dns-01 alone', () => {
  const choice = solverChoice(['http-01', 'tls-alpn-01', 'dns-01'], all);
  assert.equal(choice.dns, true);
  assert.deepEqual(choice.solvers(['shop.example', '*.shop.example']).map((s) => s.type), ['dns-01']);
  assert.deepEqual(choice.solvers(['shop.example']).map((s) => s.type), ['http-01', 'tls-alpn-01', 'dns-01']);
  assert.equal(solverChoice(['http-01', 'dns-01'], [solver('http-01')]).dns, false, 'allowed but no DNS provider');
});
