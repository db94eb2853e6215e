// Issue 5's acceptance, end to end: a real control plane process (with its edge and supervisors),
// a real bare git repository, real signed webhook payloads over HTTP.
import assert from 'node:assert/strict';
import { readdir, readFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiClient } from '../../src/cli/api-client.js';
import { apiClient, waitTerminal } from '../support/deploy-client.js';
import { stopControlPlane } from '../support/cleanup.js';
import { projectRoot } from '../support/entry.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { baseChildEnv } from '../../src/platform/env.js';
import { cliNodeArgv, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { signedPush } from '../webhooks/signed-requests.js';

const SPEC = (base: string) =>
  base.replace(/environments:[\s\S]*$/, '') +
  `test:
  - ["node", "-e", "if (require('fs').existsSync('FAIL_TESTS')) { console.log('3 tests, 1 failing'); process.exit(1) } console.log('all tests pass')"]
environments:
  staging:
    branch: main
    route: { host: staging.web.test }
    drain_timeout: 1s
  production:
    branch: release
    tags: "v*"
    route: { host: web.test }
    drain_timeout: 1s
  qa:
    branch: main
    auto_deploy: false
    route: { host: qa.web.test }
    drain_timeout: 1s
  tested:
    branch: tested
    require_tests: true
    route: { host: tested.web.test }
    drain_timeout: 1s
  gated:
    branch: gated
    require_ci_status: true
    route: { host: gated.web.test }
    drain_timeout: 1s
`;

describe('git-driven environments end to end', { timeout: 600_000 }, () => {
  let dataDir: string;
  let repo: TestRepo;
  let server: ServerProcess;
  let client: ApiClient;
  let secret: string;
  let files: Record<string, string>;

  async function hook(provider: 'github' | 'gitlab' | 'gitea' | 'generic', ref: string, after: string, opts: { deliveryId?: string; key?: string; dropSignature?: boolean } = {}) {
    const req = signedPush(provider, opts.key ?? secret, { ref, after, ...(opts.deliveryId ? { deliveryId: opts.deliveryId } : {}) });
    const headers = { ...req.headers };
    if (opts.dropSignature) for (const k of Object.keys(headers)) if (/signature|token/.test(k)) delete headers[k];
    const res = await fetch(`${server.url}/hooks/${provider}/web`, { method: 'POST', headers, body: req.body, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, body: (await res.json()) as { outcome: string; reason: string; deployments: { id: string; environment: string }[] } };
  }
  const count = async () => (await client.listDeployments({ app: 'web', limit: 1000 })).deployments.length;
  const live = async (env: string) => (await client.status('web')).environments.find((e) => e.environment === env)?.live ?? null;
  async function commit(version: number, message: string, extra: Record<string, string | null> = {}) {
    const sha = await repo.commit({ ...files, VERSION: `${version}\n`, ...extra }, message);
    return sha;
  }
  /** The real CLI as a child process (argv only), talking to the server through SLIPWAY_URL/TOKEN. */
  async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return promisify(execFile)(process.execPath, [...cliNodeArgv(), ...args], {
      cwd: projectRoot,
      env: { ...baseChildEnv(), SLIPWAY_URL: server.url, SLIPWAY_TOKEN: server.token },
      timeout: 180_000,
    });
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-e2e-git-'));
    const dir = path.join(projectRoot, 'test', 'fixtures', 'apps', 'web');
    files = {};
    for (const name of await readdir(dir)) files[name] = await readFile(path.join(dir, name), 'utf8');
    files['slipway.yml'] = SPEC(files['slipway.yml'] ?? '');
    // The fixture is CommonJS; say so, so that a package.json in a parent of the data dir cannot change that.
    files['package.json'] = '{ "private": true, "type": "commonjs" }\n';
    repo = await createTestRepo();
    await commit(1, 'Version 1');
    await repo.push('main');
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
    await client.createApp({ name: 'web', repo: repo.fileUrl });
    secret = (await client.webhookSecret('web', { rotate: false })).secret;
  });

  after(async () => {
    await stopControlPlane(server, dataDir);
    await repo?.cleanup();
  });

  test('a push to main deploys staging (not the manual-only qa); bad or missing signatures and replays queue nothing', async () => {
    const sha = await repo.git(['rev-parse', 'HEAD']);
    const before = await count();
    const bad = await hook('github', 'refs/heads/main', sha, { key: 'not-the-secret' });
    assert.equal(bad.status, 401);
    const missing = await hook('gitea', 'refs/heads/main', sha, { dropSignature: true });
    assert.equal(missing.status, 401);
    assert.equal(await count(), before);

    const res = await hook('github', 'refs/heads/main', sha, { deliveryId: 'first-push' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(res.body.deployments.map((d) => d.environment), ['staging']);
    assert.match(res.body.reason, /qa has auto_deploy: false/);
    const replay = await hook('github', 'refs/heads/main', sha, { deliveryId: 'first-push' });
    assert.equal(replay.status, 200);
    assert.equal(replay.body.outcome, 'duplicate');
    assert.equal(await count(), before + 1);
    const d = await waitTerminal(client, res.body.deployments[0]!.id, 120_000);
    assert.equal(d.status, 'succeeded', d.error ?? '');
    assert.equal(d.trigger, 'webhook');
    assert.equal((await live('staging'))?.commitSha, sha);
    assert.equal(await live('qa'), null);

    const unmapped = await hook('generic', 'refs/heads/feature-x', sha);
    assert.equal(unmapped.status, 202);
    assert.equal(unmapped.body.outcome, 'ignored');
    const deliveries = (await client.webhookDeliveries('web')).deliveries;
    assert.deepEqual(deliveries.slice(0, 4).map((x) => x.outcome), ['ignored', 'queued', 'rejected', 'rejected']);
  });

  test('notes are collected; promote deploys the identical artifact and lists commits and notes', async () => {
    const sha2 = await commit(2, 'Version 2\n\nAdds a column.\n\nDeployment: run the data backfill after deploy');
    await repo.push('main');
    const res = await hook('gitlab', 'refs/heads/main', sha2);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const d = await waitTerminal(client, res.body.deployments[0]!.id, 120_000);
    assert.equal(d.status, 'succeeded', d.error ?? '');
    const staging = await live('staging');
    assert.deepEqual(staging?.notes, ['run the data backfill after deploy']);

    const promoted = await client.promote('web', { from: 'staging', to: 'production' });
    assert.equal(promoted.commits[0]?.sha, sha2);
    assert.deepEqual(promoted.notes, ['run the data backfill after deploy']);
    const p = await waitTerminal(client, promoted.deployment.id, 120_000);
    assert.equal(p.status, 'succeeded', p.error ?? '');
    const production = await live('production');
    assert.equal(production?.artifact, staging?.artifact);
    assert.ok(production?.artifact?.startsWith('sha256:'));
    assert.equal(production?.commitSha, sha2);
    assert.equal(production?.trigger, 'promotion');
  });

  test('diff and status agree with git', async () => {
    await commit(3, 'Version 3\n\nDeployment: flush the page cache');
    const sha4 = await commit(4, 'Version 4\n\nAdds an index.\n\nDeployment:\n- reindex search after deploy\n- tell support about the new column\n', {
      'db/migrations/004_add_index.sql': 'create index i on t(c);\n',
    });
    await repo.push('main');
    const res = await hook('gitea', 'refs/heads/main', sha4);
    assert.equal((await waitTerminal(client, res.body.deployments[0]!.id, 120_000)).status, 'succeeded');
    const diff = await client.diff('web', { from: 'production', to: 'staging' });
    const prod = (await live('production'))!.commitSha!;
    const counts = (await repo.git(['rev-list', '--left-right', '--count', `${prod}...${sha4}`])).split(/\s+/).map(Number);
    assert.equal(diff.behind.length, counts[0]);
    assert.equal(diff.ahead.length, counts[1]);
    assert.deepEqual(diff.ahead.map((c) => c.sha), (await repo.git(['log', '--format=%H', `${prod}..${sha4}`])).split('\n'));
    assert.deepEqual(diff.flags, ['changes migrations: db/migrations/004_add_index.sql']);
    const st = await live('staging');
    assert.equal(st?.commitSha, sha4);
    assert.equal(st?.commitSubject, await repo.git(['log', '-1', '--format=%s', sha4]));
  });

  test('slipway promote (the CLI process) lists commits and notes, deploys the same artifact; status --json agrees with git', async () => {
    const before = (await client.diff('web', { from: 'production', to: 'staging' })).ahead;
    assert.equal(before.length, 2);
    const { stdout, stderr } = await cli('promote', 'web', 'staging', 'production', '--yes');
    for (const c of before) assert.ok(stdout.includes(`${c.sha.slice(0, 7)} ${c.subject}`), stdout);
    assert.match(stdout, /Deployment: flush the page cache/);
    // The block form (a `Deployment:` line, then bullets) is read as well as the trailer form.
    assert.match(stdout, /Deployment: reindex search after deploy\n {2}Deployment: tell support about the new column/);
    assert.match(stdout, /^! this release changes migrations: db\/migrations\/004_add_index\.sql$/m);
    assert.match(stderr, /succeeded|live/i);
    const after = await client.diff('web', { from: 'production', to: 'staging' });
    assert.deepEqual([after.ahead.length, after.behind.length], [0, 0]);
    const status = JSON.parse((await cli('status', 'web', '--json')).stdout) as { environments: { environment: string; health?: string; live: { artifact: string; commitSha: string; commitSubject: string; trigger: string; notes: string[] } | null }[] };
    const env = (name: string) => status.environments.find((e) => e.environment === name)!;
    assert.equal(env('production').live?.artifact, env('staging').live?.artifact);
    assert.equal(env('production').live?.trigger, 'promotion');
    assert.deepEqual(env('production').live?.notes, ['reindex search after deploy', 'tell support about the new column', 'flush the page cache']);
    const head = await repo.git(['rev-parse', 'main']);
    assert.equal(env('staging').live?.commitSha, head);
    assert.equal(env('staging').live?.commitSubject, await repo.git(['log', '-1', '--format=%s', head]));
    assert.equal(env('staging').health, 'healthy');
  });

  test('require_tests runs the test command before anything is staged or started; a failing test stops the deploy', async () => {
    await repo.switchTo('tested');
    const bad = await commit(8, 'Version 8 (failing tests)', { FAIL_TESTS: 'yes\n' });
    await repo.push('tested');
    const r1 = await hook('github', 'refs/heads/tested', bad);
    const failed = await waitTerminal(client, r1.body.deployments[0]!.id, 120_000);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /test command 1/);
    const steps = (await client.getDeployment(failed.id)).deployment.steps.map((st) => st.name);
    assert.ok(!steps.includes('stage') && !steps.includes('start'), `nothing staged or started after failing tests: ${steps.join(', ')}`);
    assert.match((await client.readLog(failed.id)).lines.map((l) => l.text).join('\n'), /3 tests, 1 failing/);
    const good = await commit(9, 'Version 9 (tests fixed)', { FAIL_TESTS: null });
    await repo.push('tested');
    const r2 = await hook('github', 'refs/heads/tested', good);
    const ok = await waitTerminal(client, r2.body.deployments[0]!.id, 120_000);
    assert.equal(ok.status, 'succeeded', ok.error ?? '');
    assert.match((await client.readLog(ok.id)).lines.map((l) => l.text).join('\n'), /all tests pass/);
    await repo.switchTo('main');
  });

  test('a push to release and a v1.2.0 tag deploy production', async () => {
    await repo.switchTo('release');
    const sha5 = await commit(5, 'Version 5');
    await repo.push('release');
    const r1 = await hook('github', 'refs/heads/release', sha5);
    assert.deepEqual(r1.body.deployments.map((d) => d.environment), ['production']);
    assert.equal((await waitTerminal(client, r1.body.deployments[0]!.id, 120_000)).status, 'succeeded');
    const sha6 = await commit(6, 'Version 6');
    await repo.tag('v1.2.0');
    await repo.push('release', 'v1.2.0');
    const r2 = await hook('github', 'refs/tags/v1.2.0', sha6);
    assert.deepEqual(r2.body.deployments.map((d) => d.environment), ['production'], JSON.stringify(r2.body));
    assert.equal((await waitTerminal(client, r2.body.deployments[0]!.id, 120_000)).status, 'succeeded');
    assert.equal((await live('production'))?.commitSha, sha6);
  });

  test('the CI gate refuses a commit without a green status, then deploys it after a success', async () => {
    await repo.switchTo('gated');
    const sha = await commit(7, 'Version 7');
    await repo.push('gated');
    const refused = await waitTerminal(client, (await client.deploy('web', 'gated', { ref: sha })).deployment.id, 120_000);
    assert.equal(refused.status, 'failed');
    assert.match(refused.error ?? '', /has none; have CI report one/);
    await client.reportCommitStatus('web', sha, { state: 'failure', context: 'ci/tests' });
    await client.reportCommitStatus('web', sha, { state: 'success', context: 'ci/tests' });
    const res = await hook('github', 'refs/heads/gated', sha);
    const ok = await waitTerminal(client, res.body.deployments[0]!.id, 120_000);
    assert.equal(ok.status, 'succeeded', ok.error ?? '');
  });
});
