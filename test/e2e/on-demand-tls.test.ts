// On-demand TLS end to end: a real control plane and edge, Pebble validating through named (every
// name under example.test is 127.0.0.1), and an ask endpoint (a test HTTP server) that allows one
// name. A route with `on_demand_tls: { ask }`: a TLS connection for the allowed name waits while
// the certificate is obtained and is served with it (verified against Pebble's root), reaching
// the app; a refused name fails the handshake fast, and the ask endpoint hears of it once for two
// attempts (the edge remembers the refusal); the certificate shows in the API and in
// `slipway certs list` as on-demand; a second environment with on_demand_tls fails its deploy
// with the reason (one per edge); an edge restarted without the control plane serves it.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { ApiClient } from '../../src/cli/api-client.js';
import type { CertificateView } from '../../src/core/wire/certificates.js';
import { baseChildEnv } from '../../src/platform/env.js';
import { spawnProcess, type ChildHandle } from '../../src/platform/exec.js';
import { runCli, serverEnv } from '../cli/run-cli.js';
import { createAppRepo } from '../http/app-repo.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, logText, waitTerminal } from '../support/deploy-client.js';
import { projectRoot } from '../support/entry.js';
import type { TestRepo } from '../support/git-repo.js';
import type { TestNamed } from '../support/named.js';
import type { TestPebble } from '../support/pebble.js';
import { httpsGetSni, startAcmeLab, type AcmeLab } from '../support/acme-lab.js';
import { cliNodeArgv, killDetached, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { waitUntil } from '../support/wait-until.js';

const APP_HOST = 'app.example.test';
const ALLOWED = 'allowed.example.test';
const REFUSED = 'refused.example.test';

function spec(askUrl: string): string {
  return `processes:
  web:
    command: ["node", "server.js"]
    http: true
    health: { path: /healthz, interval: 200ms, timeout: 1s, retries: 3, start_period: 20s }
environments:
  staging:
    branch: main
    route: { host: ${APP_HOST}, tls: auto, on_demand_tls: { ask: "${askUrl}" } }
  second:
    auto_deploy: false
    route: { host: second.example.test, tls: auto, on_demand_tls: { allow: ["*.second.example.test"] } }
`;
}

/** Long enough for an on-demand issuance. */
const httpsGet = (port: number, host: string, ca: string) => httpsGetSni(port, host, ca, { timeoutMs: 30_000 });

describe('on-demand TLS with Pebble, end to end', { timeout: 600_000 }, () => {
  let dataDir: string;
  let named: TestNamed;
  let pebble: TestPebble;
  let repo: TestRepo;
  let server: ServerProcess | undefined;
  let client: ApiClient;
  let edgePort: number;
  let httpsPort: number;
  let ask: http.Server;
  const asked: string[] = [];
  let edgeAlone: ChildHandle | undefined;
  let lab: AcmeLab | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-ondemand-'));
    ask = http.createServer((req, res) => {
      const domain = new URL(req.url ?? '/', 'http://x').searchParams.get('domain') ?? '';
      asked.push(domain);
      res.writeHead(domain === ALLOWED ? 200 : 403).end();
    });
    await new Promise<void>((r) => ask.listen(0, '127.0.0.1', r));
    const askUrl = `http://127.0.0.1:${(ask.address() as AddressInfo).port}/check`;
    lab = await startAcmeLab(dataDir);
    ({ named, pebble, edgePort, httpsPort } = lab);
    repo = await createAppRepo(spec(askUrl));
    server = await startServerProcess({
      dataDir,
      env: lab.env,
    });
    client = apiClient(server.url, server.token);
    await client.createApp({ name: 'shop', repo: repo.bare });
    const { deployment } = await client.deploy('shop', 'staging');
    const done = await waitTerminal(client, deployment.id, 180_000);
    assert.equal(done.status, 'succeeded', `${done.error ?? ''}\n${await logText(client, deployment.id)}\n${pebble.output().slice(-2000)}`);
  });

  after(async () => {
    if (edgeAlone) {
      edgeAlone.kill();
      await edgeAlone.exit;
    }
    if (server) await stopControlPlane(server, dataDir);
    else await killDetached(dataDir);
    await stopControlPlane(undefined, dataDir);
    await lab?.stop();
    await repo?.cleanup();
    await new Promise<void>((r) => (ask ? ask.close(() => r()) : r()));
    await rm(dataDir, { recursive: true, force: true });
  });

  test('an allowed name gets its certificate at the first handshake, verified against Pebble\'s root, and reaches the app', async () => {
    const res = await httpsGet(httpsPort, ALLOWED, pebble.rootPem);
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /^hello from /);
    assert.match(res.peer.subjectaltname ?? '', new RegExp(`DNS:${ALLOWED.replace(/\./g, '\\.')}`));
    assert.deepEqual(asked.filter((d) => d === ALLOWED), [ALLOWED]);
    // Held now: a second connection is served at once and asks nobody.
    assert.equal((await httpsGet(httpsPort, ALLOWED, pebble.rootPem)).status, 200);
    assert.equal(asked.filter((d) => d === ALLOWED).length, 1);
  });

  test('a refused name fails the handshake fast, and two attempts ask once', async () => {
    const started = Date.now();
    await assert.rejects(httpsGet(httpsPort, REFUSED, pebble.rootPem), /alert handshake failure|socket hang up|ECONNRESET/);
    await assert.rejects(httpsGet(httpsPort, REFUSED, pebble.rootPem), /alert handshake failure|socket hang up|ECONNRESET/);
    assert.ok(Date.now() - started < 5000, `both attempts failed within ${Date.now() - started} ms`);
    assert.deepEqual(asked.filter((d) => d === REFUSED), [REFUSED]);
  });

  test('the certificate is listed as on-demand by the API and slipway certs list', async () => {
    const res = await request(`${server?.url}/api/certificates`, { headers: { authorization: `Bearer ${server?.token}` } });
    const { certificates } = (await res.body.json()) as { certificates: CertificateView[] };
    const onDemand = certificates.find((c) => c.hosts.includes(ALLOWED));
    assert.ok(onDemand, JSON.stringify(certificates));
    assert.equal(onDemand.origin, 'on-demand');
    assert.equal(onDemand.source, 'acme');
    assert.equal(onDemand.inUse, true, 'in use while the on-demand route is live: renewed like the others');
    assert.equal(certificates.find((c) => c.hosts.includes(APP_HOST))?.origin, 'route');
    assert.equal(certificates.some((c) => c.hosts.includes(REFUSED)), false);
    const cli = await runCli(['certs', 'list'], { env: serverEnv({ url: server!.url, token: server!.token }) });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`${ALLOWED.replace(/\./g, '\\.')}.*acme \\(on-demand\\)`));
  });

  test('a second route with on_demand_tls on the same edge fails its deploy, naming the first; the first keeps serving', async () => {
    const { deployment } = await client.deploy('shop', 'second');
    const done = await waitTerminal(client, deployment.id, 180_000);
    assert.notEqual(done.status, 'succeeded');
    assert.match(done.error ?? '', /on_demand_tls: route shop\/staging already has on-demand TLS/);
    assert.equal((await httpsGet(httpsPort, ALLOWED, pebble.rootPem)).status, 200);
  });

  test('an edge restarted without the control plane serves the on-demand certificate it holds', async () => {
    assert.ok(server);
    server.kill('SIGTERM');
    await server.exited;
    server = undefined;
    const { pid } = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
    await waitUntil('the old edge to be gone', async () => (await httpsGet(httpsPort, ALLOWED, pebble.rootPem).catch(() => null)) === null, 20_000);
    edgeAlone = spawnProcess([process.execPath, ...cliNodeArgv(), 'edge'], {
      cwd: projectRoot,
      env: { ...baseChildEnv(), SLIPWAY_DATA_DIR: dataDir, SLIPWAY_EDGE_PORT: String(edgePort), SLIPWAY_EDGE_HTTPS_PORT: String(httpsPort), LOG_LEVEL: 'warn' },
      killGraceMs: 5000,
    });
    await waitUntil('the edge alone to serve the on-demand host', async () => (await httpsGet(httpsPort, ALLOWED, pebble.rootPem).catch(() => null))?.status === 200, 30_000);
    // Nobody decides while the control plane is down: an unknown name fails at once.
    const started = Date.now();
    await assert.rejects(httpsGet(httpsPort, 'new.example.test', pebble.rootPem));
    assert.ok(Date.now() - started < 5000);
  });
});
