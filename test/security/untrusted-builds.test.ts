// Issue 12 item 1: repository code is untrusted. With the control plane running as root, an app's
// build, test and release commands and its processes run as the app's own unprivileged user: each
// tries to read the admin token, the master key, the database and another app's release and shared
// files, and is refused (EACCES), while the deploy otherwise works (build outputs, shared dirs, logs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chown, mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import type { ApiClient } from '../../src/cli/api-client.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, logText, waitTerminal } from '../support/deploy-client.js';
import { createTestRepo, type TestRepo } from '../support/git-repo.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const asRoot = process.getuid?.() === 0;

/** Tries every target and prints `probe <where> {"name":"READ"|"<errno code>"} uid=<n>`. */
const PROBE = `import { readFileSync, readdirSync, statSync } from 'node:fs';
const targets = JSON.parse(readFileSync(new URL('./targets.json', import.meta.url), 'utf8'));
export function probe() {
  const out = {};
  for (const [name, file] of Object.entries(targets)) {
    try {
      if (statSync(file).isDirectory()) readdirSync(file);
      else readFileSync(file);
      out[name] = 'READ';
    } catch (err) {
      out[name] = err.code ?? String(err);
    }
  }
  return out;
}
if (process.argv[2]) console.log('probe ' + process.argv[2] + ' ' + JSON.stringify(probe()) + ' uid=' + process.getuid());
`;

const SERVER = `import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { probe } from './probe.mjs';
const read = (f) => { try { return readFileSync(f, 'utf8'); } catch (err) { return err.code; } };
const server = createServer((req, res) => {
  if (req.url === '/healthz') return void res.writeHead(200).end('ok\\n');
  const body = { probe: probe(), built: read('built.txt'), released: read('data/released.txt'), uid: process.getuid() };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening as uid ' + process.getuid()));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const write = (file: string, text: string) => ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(text)})`];

function spec(app: string): string {
  const argv = (a: string[]) => JSON.stringify(a);
  return `driver: process
processes:
  web:
    command: ["node", "server.mjs"]
    http: true
    instances: 1
    health: { path: /healthz, interval: 200ms, timeout: 1s, retries: 3, start_period: 20s }
    min_uptime: 300ms
    stop_grace: 2s
build:
  - ["node", "probe.mjs", "build"]
  - ${argv(write('built.txt', 'built\n'))}
test:
  - ["node", "probe.mjs", "test"]
release:
  - ["node", "probe.mjs", "release"]
  - ${argv(write('data/released.txt', 'released\n'))}
shared:
  dirs: [data]
environments:
  staging:
    branch: main
    require_tests: true
    route: { path: /, host: ${app}.test }
`;
}

test('not as root, the control plane says at start-up what that means', { skip: asRoot ? false : 'needs root to start it as another user', timeout: 60_000 }, async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-unprivileged-'));
  const nobody = { uid: 65534, gid: 65534 };
  await chown(dataDir, nobody.uid, nobody.gid);
  const server = await startServerProcess({ dataDir, user: nobody, env: { SLIPWAY_EDGE: 'off' } });
  try {
    const warning = server.logs().split('\n').find((l) => l.includes('not as root'));
    assert.ok(warning, server.logs());
    const line = JSON.parse(warning) as { level: number; msg: string };
    assert.equal(line.level, 40, 'a warning');
    assert.match(line.msg, /runs as \S+ \(uid 65534\), not as root/);
    assert.match(line.msg, /can read the admin token, the master key, the database and every app's secrets/);
    assert.match(line.msg, /run Slipway as root/);
  } finally {
    await stopControlPlane(server, dataDir);
  }
});

describe('untrusted builds (as root: a system user per app)', { skip: asRoot ? false : 'needs root (the control plane runs code as per-app users only as root)', timeout: 300_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let client: ApiClient;
  let edgeUrl: string;
  const repos: TestRepo[] = [];
  let targets: Record<string, string>;

  const appRepo = async (app: string): Promise<TestRepo> => {
    const repo = await createTestRepo();
    repos.push(repo);
    await repo.commit(
      {
        'slipway.yml': spec(app),
        'probe.mjs': PROBE,
        'server.mjs': SERVER,
        'targets.json': JSON.stringify(targets),
        'package.json': `{ "name": "${app}", "private": true, "type": "module" }\n`,
      },
      'first',
    );
    await repo.push('main');
    return repo;
  };

  const deploy = async (app: string) => {
    await client.createApp({ name: app, repo: (await appRepo(app)).bare });
    const { deployment } = await client.deploy(app, 'staging');
    const done = await waitTerminal(client, deployment.id, 150_000);
    const log = await logText(client, deployment.id);
    assert.equal(done.status, 'succeeded', `${done.error ?? ''}\n${log}`);
    return log;
  };

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-untrusted-'));
    const victim = path.join(dataDir, 'apps', 'victim', 'staging');
    targets = {
      adminToken: path.join(dataDir, 'admin.token'),
      masterKey: path.join(dataDir, 'master.key'),
      database: path.join(dataDir, 'slipway.db'),
      otherReleases: path.join(victim, 'releases'),
      otherReleaseFile: path.join(victim, 'current', 'built.txt'),
      otherSharedFile: path.join(victim, 'shared', 'data', 'released.txt'),
    };
    server = await startServerProcess({ dataDir });
    client = apiClient(server.url, server.token);
    const edge = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number };
    edgeUrl = `http://127.0.0.1:${edge.port}`;
    await deploy('victim');
  });

  after(async () => {
    if (server) await stopControlPlane(server, dataDir);
    for (const repo of repos) await repo.cleanup();
  });

  const refusedEverything = (line: string | undefined, where: string) => {
    assert.ok(line, `no probe line from the ${where}`);
    const m = /^probe \S+ (\{.*\}) uid=(\d+)$/.exec(line);
    assert.ok(m?.[1] && m[2], line);
    assert.notEqual(Number(m[2]), 0, `the ${where} ran as root`);
    const seen = JSON.parse(m[1]) as Record<string, string>;
    for (const name of Object.keys(targets)) assert.equal(seen[name], 'EACCES', `the ${where} could read ${name} (${targets[name]}): ${line}`);
  };

  test('every target exists (so a refusal is a refusal, not a missing file)', async () => {
    for (const [name, file] of Object.entries(targets)) assert.ok(await stat(file).catch(() => null), `${name}: ${file} is missing`);
  });

  test('the build, test and release commands of another app cannot read the control plane or the first app', async () => {
    const log = await deploy('prober');
    const lines = log.split('\n');
    for (const where of ['build', 'test', 'release']) refusedEverything(lines.find((l) => l.startsWith(`probe ${where} `)), `${where} command`);
  });

  test('the app itself cannot either, and build outputs, shared dirs and logs work', async () => {
    const res = await request(`${edgeUrl}/`, { headers: { host: 'prober.test' } });
    assert.equal(res.statusCode, 200);
    const body = (await res.body.json()) as { probe: Record<string, string>; built: string; released: string; uid: number };
    refusedEverything(`probe app ${JSON.stringify(body.probe)} uid=${body.uid}`, 'app');
    assert.equal(body.built, 'built\n', 'the build output is in the release');
    assert.equal(body.released, 'released\n', 'the release command wrote to the shared dir');
    const lines: string[] = [];
    for await (const l of client.logs('prober', 'staging', { tail: 20 })) lines.push(l.text);
    assert.ok(lines.some((t) => /^listening as uid [1-9]\d*$/.test(t)), lines.join('\n'));
    const victim = await request(`${edgeUrl}/`, { headers: { host: 'victim.test' } });
    const own = (await victim.body.json()) as { built: string; released: string };
    assert.deepEqual([own.built, own.released], ['built\n', 'released\n'], 'the first app still works');
  });
});
