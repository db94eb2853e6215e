// docs/getting-started.md, run as a newcomer would, in a temporary HOME: the CLI installed from
// this checkout onto a fresh npm prefix and found on the PATH, `slipway server &`, an app of one's
// own in a bare repository, created and deployed from another directory, a secret, a push that
// deploys through the guide's post-receive hook, a rollback, and `slipway down` leaving nothing
// running. Each command is checked to be in the guide as written before it runs, so the guide
// cannot drift from what was tested. Ports are the only change: the test picks free ones.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { baseChildEnv } from '../../src/platform/env.js';
import { run } from '../../src/platform/exec.js';
import { projectRoot } from '../support/entry.js';
import { detachedPids, killDetached } from '../support/server-process.js';
import { waitUntil } from '../support/wait-until.js';

const asRoot = process.getuid?.() === 0;

/** The guide's fenced blocks, in order. */
function fencedBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

function get(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const serverJs = (version: string) => `const http = require('node:http');
const server = http.createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  res.end('shop ${version}, key ' + (process.env.API_KEY ? 'set' : 'unset') + '\\n');
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('shop ${version} listening on ' + process.env.PORT));
`;

describe('the getting-started guide', { timeout: 900_000 }, () => {
  let guide: string;
  let home: string;
  let dataDir: string;
  let env: Record<string, string>;
  let server: ReturnType<typeof spawn> | undefined;
  let serverLog = '';

  /** Asserts the guide shows `command` as written (after `~` for HOME), then runs it. */
  const shown = (command: string) => assert.ok(guide.includes(command), `the guide does not show: ${command}`);
  const tilde = (arg: string) => arg.replace(/^~(?=\/|$)/, home);
  const sh = async (command: string, opts: { cwd?: string; input?: string; argv?: string[]; timeoutMs?: number } = {}) => {
    shown(command);
    const argv = opts.argv ?? command.split(' ').map(tilde);
    const r = await run(argv, { cwd: opts.cwd ?? home, env, ...(opts.input !== undefined ? { input: opts.input } : {}), timeoutMs: opts.timeoutMs ?? 120_000 });
    assert.equal(r.code, 0, `${command} exited ${r.code}:\n${r.stdout}\n${r.stderr}\nserver: ${serverLog.slice(-3000)}`);
    return r;
  };
  const serverUrl = async () => (JSON.parse(await readFile(path.join(dataDir, 'server.json'), 'utf8')) as { url: string }).url;
  const edgePort = async () => (JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { port: number }).port;

  before(async () => {
    guide = await readFile(path.join(projectRoot, 'docs', 'getting-started.md'), 'utf8');
    home = await mkdtemp(path.join(os.tmpdir(), 'slipway-guide-home-'));
    // As root, each app runs as its own user, who must pass through HOME to the data dir.
    await chmod(home, 0o711);
    // As root the default data dir is /var/lib/slipway, which is not the test's to use.
    dataDir = asRoot ? path.join(home, 'slipway-data') : path.join(home, '.local', 'state', 'slipway');
    env = {
      ...baseChildEnv(),
      HOME: home,
      PATH: `${path.join(home, '.local', 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      npm_config_cache: path.join(os.homedir(), '.npm'),
      GIT_AUTHOR_NAME: 'Ada Newcomer',
      GIT_AUTHOR_EMAIL: 'ada@shop.example',
      GIT_COMMITTER_NAME: 'Ada Newcomer',
      GIT_COMMITTER_EMAIL: 'ada@shop.example',
      SLIPWAY_PORT: '0',
      SLIPWAY_EDGE_PORT: '0',
      SLIPWAY_EDGE_HTTPS_PORT: '0',
      LOG_LEVEL: 'warn',
      ...(asRoot ? { SLIPWAY_DATA_DIR: dataDir } : {}),
    };
  });

  after(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await killDetached(dataDir).catch(() => []);
    await rm(home, { recursive: true, force: true });
  });

  test('1. install: the CLI from this checkout onto a fresh npm prefix, found on the PATH', async () => {
    shown('npm install -g --prefix ~/.local .');
    // A link to the checkout (no download, no rebuild): the flags only keep npm quiet and offline.
    const r = await run(['npm', 'install', '-g', '--prefix', path.join(home, '.local'), '--offline', '--no-audit', '--no-fund', '.'], {
      cwd: projectRoot,
      env,
      timeoutMs: 300_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const version = await sh('slipway --version');
    const pkg = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), pkg.version);
  });

  test('2. slipway server & and slipway status from any directory', async () => {
    shown('slipway server &');
    server = spawn('slipway', ['server'], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.setEncoding('utf8').on('data', (s: string) => (serverLog += s));
    server.stderr?.setEncoding('utf8').on('data', (s: string) => (serverLog += s));
    await mkdir(path.join(home, 'elsewhere'));
    await waitUntil(
      'slipway status answers',
      async () => {
        assert.equal(server?.exitCode, null, `slipway server exited:\n${serverLog}`);
        const r = await run(['slipway', 'status'], { cwd: path.join(home, 'elsewhere'), env, timeoutMs: 30_000 });
        return r.code === 0;
      },
      60_000,
    );
    await sh('slipway status', { cwd: path.join(home, 'elsewhere') });
  });

  test('3-4. an app of my own: slipway.yml from the guide, a bare repository, created and deployed', async () => {
    const spec = fencedBlocks(guide).find((b) => b.startsWith('processes:'));
    assert.ok(spec, 'the guide has a slipway.yml block');
    const app = path.join(home, 'shop');
    await mkdir(app);
    await writeFile(path.join(app, 'slipway.yml'), spec);
    await writeFile(path.join(app, 'server.js'), serverJs('v1'));
    await sh('slipway config validate slipway.yml', { cwd: app });
    await mkdir(path.join(home, 'repos'));
    await sh('git init --bare --initial-branch=main ~/repos/shop.git');
    for (const argv of [['git', 'init', '--quiet', '--initial-branch=main'], ['git', 'add', '-A'], ['git', 'commit', '--quiet', '-m', 'shop v1']]) {
      assert.equal((await run(argv, { cwd: app, env })).code, 0);
    }
    shown('cd ~/shop && git remote add deploy ~/repos/shop.git && git push deploy main');
    await sh('git remote add deploy ~/repos/shop.git', { cwd: app });
    await sh('git push deploy main', { cwd: app });

    await sh('slipway apps create shop --repo ~/repos/shop.git', { cwd: app });
    const deploy = await sh('slipway deploy shop staging', { cwd: app, timeoutMs: 300_000 });
    assert.match(deploy.stdout + deploy.stderr, /succeeded/);
    shown("curl -H 'Host: staging.shop.localhost' http://127.0.0.1:8080/");
    const res = await get(await edgePort(), 'staging.shop.localhost');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'shop v1, key unset\n');
    const status = await sh('slipway status shop', { cwd: app });
    assert.match(status.stdout, /staging/);
    const logs = await sh('slipway logs shop staging --tail 20', { cwd: app });
    assert.match(logs.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z web\.\d+ \| shop v1 listening on \d+$/m);
  });

  test('5. a secret, read by the app from its next deploy on', async () => {
    await sh("echo -n 's3cr3t-value' | slipway secrets set shop API_KEY --env staging", {
      argv: ['slipway', 'secrets', 'set', 'shop', 'API_KEY', '--env', 'staging'],
      input: 's3cr3t-value',
    });
  });

  test('6. git push deploys through the post-receive hook; slipway rollback brings the previous release back', async () => {
    const secret = await sh('slipway webhooks secret shop > ~/repos/shop.webhook-secret', { argv: ['slipway', 'webhooks', 'secret', 'shop'] });
    await writeFile(path.join(home, 'repos', 'shop.webhook-secret'), secret.stdout);
    const hook = fencedBlocks(guide).find((b) => b.startsWith('#!/bin/sh') && b.includes('/hooks/generic/shop'));
    assert.ok(hook, 'the guide has the post-receive hook');
    assert.ok(hook.includes('http://127.0.0.1:7070/hooks/generic/shop'));
    const hookFile = path.join(home, 'repos', 'shop.git', 'hooks', 'post-receive');
    await writeFile(hookFile, hook.replace('http://127.0.0.1:7070', await serverUrl()), { mode: 0o755 });

    const app = path.join(home, 'shop');
    await writeFile(path.join(app, 'server.js'), serverJs('v2'));
    assert.equal((await run(['git', 'commit', '--quiet', '-am', 'shop v2'], { cwd: app, env })).code, 0);
    const push = await sh('git push deploy main', { cwd: app });
    assert.match(push.stderr, /"deployments"|accepted|queued|deploy/i, `the hook's answer is shown by git: ${push.stderr}`);
    const port = await edgePort();
    await waitUntil('the pushed commit serves', async () => (await get(port, 'staging.shop.localhost')).body === 'shop v2, key set\n', 180_000);
    const list = await sh('slipway deployments list shop', { cwd: app });
    assert.match(list.stdout, /webhook|push/i, list.stdout);

    await sh('slipway rollback shop staging', { cwd: app, timeoutMs: 180_000 });
    const back = await get(port, 'staging.shop.localhost');
    assert.match(back.body, /^shop v1, key /);
  });

  test('10. slipway down stops the control plane, the edge and the apps; nothing is left running', async () => {
    const pids: number[] = [];
    pids.push((JSON.parse(await readFile(path.join(dataDir, 'server.json'), 'utf8')) as { pid: number }).pid);
    pids.push((JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { pid: number }).pid);
    const port = await edgePort();
    // The edge, the release supervisors and their app instances, as their pid files say; and
    // whatever else runs with this HOME (the server and anything it started).
    const ours = [...new Set([...(await detachedPids(dataDir)), ...(await processesWithHome(home))])];
    assert.ok(ours.length >= 4, `expected the server, the edge, a supervisor and the app among ${JSON.stringify(ours)}`);
    await sh('slipway down', { timeoutMs: 120_000 });
    await waitUntil('the slipway server command exited', () => server?.exitCode !== null, 30_000);
    for (const pid of [...pids, ...ours]) assert.equal(alive(pid), false, `pid ${pid} is still running after slipway down`);
    assert.deepEqual(await processesWithHome(home), []);
    await assert.rejects(get(port, 'staging.shop.localhost'), 'the edge no longer answers');
  });
});

/** Pids of processes whose environment has HOME=home (what this test started, and their children). */
async function processesWithHome(home: string): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const environ = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`HOME=${home}`)) out.push(Number(name));
  }
  return out;
}
