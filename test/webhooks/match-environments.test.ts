import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appSpecSchema } from '../../src/core/app-spec.js';
import { matchEnvironments, tagGlobMatches, type WebhookEvent } from '../../src/webhooks/index.js';

const spec = appSpecSchema.parse({
  environments: {
    staging: { branch: 'main' },
    production: { branch: 'release', tags: 'v*' },
    demo: { branch: 'main', auto_deploy: false },
    test: { branch: 'develop' },
  },
});

const SHA = 'c'.repeat(40);
function ev(over: Partial<WebhookEvent>): WebhookEvent {
  return { provider: 'github', event: 'push', deliveryId: 'd', ref: 'refs/heads/main', branch: 'main', tag: null, commitSha: SHA, deleted: false, pusher: null, ...over };
}

describe('matchEnvironments', () => {
  test('a push to main deploys staging; demo (auto_deploy: false) is reported as manual only', () => {
    const m = matchEnvironments(spec, ev({}));
    assert.deepEqual(m.deploy, [{ env: 'staging', reason: 'branch main deploys staging' }]);
    assert.deepEqual(m.manualOnly.map((x) => x.env), ['demo']);
    assert.match(m.unmapped[0]!, /demo has auto_deploy: false/);
  });

  test('a push to release deploys production; a v1.2.0 tag deploys production', () => {
    assert.deepEqual(matchEnvironments(spec, ev({ ref: 'refs/heads/release', branch: 'release' })).deploy.map((x) => x.env), ['production']);
    const tag = matchEnvironments(spec, ev({ event: 'tag', ref: 'refs/tags/v1.2.0', branch: null, tag: 'v1.2.0' }));
    assert.deepEqual(tag.deploy, [{ env: 'production', reason: 'tag v1.2.0 matches "v*" of production' }]);
    assert.deepEqual(tag.unmapped, []);
  });

  test('an unmapped branch or tag names what each environment follows', () => {
    const m = matchEnvironments(spec, ev({ ref: 'refs/heads/feature/x', branch: 'feature/x' }));
    assert.deepEqual(m.deploy, []);
    assert.equal(m.unmapped.length, 1);
    assert.match(m.unmapped[0]!, /push to branch feature\/x maps to no environment \(staging follows branch main; production follows branch release; production takes tags v\*/);
    assert.match(matchEnvironments(spec, ev({ event: 'tag', ref: 'refs/tags/nightly', branch: null, tag: 'nightly' })).unmapped[0]!, /tag nightly maps to no environment/);
  });

  test('ping, other events and deletions deploy nothing, with a reason', () => {
    assert.deepEqual(matchEnvironments(spec, ev({ event: 'ping', ref: null, branch: null, commitSha: null })), { deploy: [], manualOnly: [], unmapped: ['ping: nothing to deploy'] });
    assert.match(matchEnvironments(spec, ev({ event: 'other', ref: null, branch: null })).unmapped[0]!, /nothing to deploy/);
    assert.match(matchEnvironments(spec, ev({ event: 'other', ref: 'refs/pull/1/head', branch: null })).unmapped[0]!, /refs\/pull\/1\/head is neither/);
    const del = matchEnvironments(spec, ev({ deleted: true, commitSha: null }));
    assert.deepEqual(del.deploy, []);
    assert.match(del.unmapped[0]!, /deleted the ref/);
  });

  test('tag globs', () => {
    assert.ok(tagGlobMatches('v*', 'v1.2.0'));
    assert.ok(tagGlobMatches('v*', 'v'));
    assert.ok(!tagGlobMatches('v*', 'release-1'));
    assert.ok(tagGlobMatches('release/*', 'release/2026.11'));
    assert.ok(tagGlobMatches('v?.*', 'v1.0'));
    assert.ok(!tagGlobMatches('v?.*', 'v10.0'));
    assert.ok(tagGlobMatches('v1.(x)+', 'v1.(x)+'));
    assert.ok(!tagGlobMatches('v1.0', 'v1x0'));
  });
});
