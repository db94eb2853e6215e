// How a CA's problem document is worded in our errors: type, detail, and each failing
// identifier's subproblem (RFC 8555 section 6.7.1), on one line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asProblem, describeProblem } from '../../src/acme/acme-problem.js';

test('a problem with subproblems names each failing identifier', () => {
  const problem = asProblem({
    type: 'urn:ietf:params:acme:error:malformed',
    detail: 'Some of the identifiers requested were rejected',
    subproblems: [
      { type: 'urn:ietf:params:acme:error:malformed', detail: 'Invalid underscore in DNS name "_example.org"', identifier: { type: 'dns', value: '_example.org' } },
      { type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'This CA will not issue for "example.net"', identifier: { type: 'dns', value: 'example.net' } },
    ],
  });
  assert.ok(problem);
  assert.equal(
    describeProblem(problem),
    'urn:ietf:params:acme:error:malformed: Some of the identifiers requested were rejected (_example.org: urn:ietf:params:acme:error:malformed: Invalid underscore in DNS name "_example.org"; example.net: urn:ietf:params:acme:error:rejectedIdentifier: This CA will not issue for "example.net")',
  );
});

test('details on one line; bodies that are not problems are not taken for one', () => {
  assert.equal(describeProblem({ type: 'urn:x', detail: 'a\n  b' }), 'urn:x: a b');
  assert.equal(describeProblem({}), 'no problem detail given');
  assert.equal(asProblem({ status: 'valid' }), null);
  assert.equal(asProblem('text'), null);
});
