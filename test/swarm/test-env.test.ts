// The environment of a test job on Swarm: plain variables, the service's own environment, CI=true;
// secret values never (they reach the job as Swarm secrets, like the app's services).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Sensitive } from '../../src/core/sensitive.js';
import { testEnv } from '../../src/drivers/swarm/test-jobs.js';

test('plain variables, then the service environment, then CI=true; secrets left out', () => {
  const env = testEnv(
    { variables: { GREETING: 'hi', API_KEY: 'the-secret', CI: 'false', MODE: 'app' }, secrets: { API_KEY: new Sensitive('the-secret') } },
    ['MODE=service', 'URL=http://db:5432=x', 'BROKEN'],
  );
  assert.deepEqual(env, ['GREETING=hi', 'CI=true', 'MODE=service', 'URL=http://db:5432=x']);
  assert.ok(!env.some((e) => e.includes('the-secret')));
});
