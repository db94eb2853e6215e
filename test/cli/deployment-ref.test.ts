// Resolving what a user writes for a deployment (id, 5, #5, APP#5, --app) to its id.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveDeploymentRef } from '../../src/cli/deployment-ref.js';
import type { DeploymentView } from '../../src/core/wire/index.js';

const views = [
  { id: 'dep_a5', app: 'alpha', number: 5 },
  { id: 'dep_b5', app: 'beta', number: 5 },
  { id: 'dep_b6', app: 'beta', number: 6 },
] as DeploymentView[];
const client = {
  listDeployments: async (filter: { app?: string } = {}) => ({ deployments: views.filter((d) => !filter.app || d.app === filter.app) }),
};

describe('deployment references', () => {
  it('an id is used as it is; an unambiguous number resolves', async () => {
    assert.equal(await resolveDeploymentRef(client, 'dep_xyz'), 'dep_xyz');
    assert.equal(await resolveDeploymentRef(client, '6'), 'dep_b6');
    assert.equal(await resolveDeploymentRef(client, '#6'), 'dep_b6');
  });

  it('a number several apps have is refused with the candidates; APP#N and --app pick one', async () => {
    await assert.rejects(resolveDeploymentRef(client, '5'), /deployment #5 is ambiguous: alpha#5 \(dep_a5\), beta#5 \(dep_b5\); write APP#5/);
    assert.equal(await resolveDeploymentRef(client, 'beta#5'), 'dep_b5');
    assert.equal(await resolveDeploymentRef(client, '5', 'alpha'), 'dep_a5');
    await assert.rejects(resolveDeploymentRef(client, 'alpha#6'), /deployment "#6 of app alpha" was not found/);
  });
});
