// HTTPS end to end on the embedded default: a real control plane and edge, a real ACME CA (Pebble)
// resolving through a real DNS server (named), an app whose route asks for `tls: auto` on two
// hosts. The deploy obtains the certificate before traffic moves; HTTPS is verified against
// Pebble's root by Node and curl (HTTP/1.1 and h2); plain HTTP and the second host redirect; a
// host the CA cannot validate fails the deploy with the CA's reason while the old route serves;
// an edge restarted with the control plane stopped serves HTTPS from its own snapshot.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { ApiClient } from '../../src/cli/api-client.js';
import { baseChildEnv } from '../../src/platform/env.js';
import { run, spawnProcess, type ChildHandle } from '../../src/platform/exec.js';
import { stopControlPlane } from '../support/cleanup.js';
import { apiClient, logText, waitTerminal } from '../support/deploy-client.js';
import { cliNodeArgv, killDetached, startServerProcess, type ServerProcess } from '../support/server-process.js';
import type { TestRepo } from '../support/git-repo.js';
import type { TestNamed } from '../support/named.js';
import type { TestPebble } from '../support/pebble.js';
import { httpsGetSni, startAcmeLab, type AcmeLab } from '../support/acme-lab.js';
import { waitUntil } from '../support/wait-until.js';
import { projectRoot } from '../support/entry.js';
import { createAppRepo, SERVER_JS } from '../http/app-repo.js';

const HOST = 'shop.example.test';
const WWW = 'www.shop.example.test';

function spec(hosts: string[]): string {
  return `processes:
  web:
    command: ["node", "server.js"]
    http: true
    health: { path: /healthz, interval: 200ms, timeout: 1s, retries: 3, start_period: 20s }
environments:
  staging:
    branch: main
    route: { hosts: [${hosts.join(', ')}], tls: auto, canonical_host: ${HOST}, hsts: true }
  preview:
    auto_deploy: false
    route: { hosts: ["*.preview.example.test"], tls: auto }
`;
}

const httpsGet = (port: number, host: string, ca: string, pathname = '/') => httpsGetSni(port, host, ca, { path: pathname });

describe('HTTPS with ACME certificates (Pebble), end to end', { timeout: 600_000 }, () => {
  let dataDir: string;
  let named: TestNamed;
  let pebble: TestPebble;
  let repo: TestRepo;
  let server: ServerProcess | undefined;
  let client: ApiClient;
  let edgePort: number;
  let httpsPort: number;
  let rootFile: string;
  let lab: AcmeLab | undefined;
  let edgeAlone: ChildHandle | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-https-'));
    lab = await startAcmeLab(dataDir);
    ({ named, pebble, edgePort, httpsPort, rootFile } = lab);
    repo = await createAppRepo(spec([HOST, WWW]));
    server = await startServerProcess({
      dataDir,
      env: {
        ...lab.env,
        // DNS-01 (wildcards) through RFC 2136 updates to the test's named.
        SLIPWAY_DNS_RFC2136_SERVER: named.address,
        SLIPWAY_DNS_RFC2136_ZONE: named.zone,
        SLIPWAY_DNS_RFC2136_KEY_NAME: named.keyName,
        SLIPWAY_DNS_RFC2136_KEY_ALGORITHM: named.algorithm,
        SLIPWAY_DNS_RFC2136_KEY_SECRET: named.secret,
      },
    });
    client = apiClient(server.url, server.token);
    await client.createApp({ name: 'shop', repo: repo.bare });
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
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a deploy with tls: auto for two hosts obtains the certificate before traffic moves and serves verified HTTPS', async () => {
    const { deployment } = await client.deploy('shop', 'staging');
    const done = await waitTerminal(client, deployment.id, 180_000);
    const log = await logText(client, deployment.id);
    assert.equal(done.status, 'succeeded', `${done.error ?? ''}\n${log}\n${pebble.output().slice(-2000)}`);
    assert.ok(log.indexOf('==> certificates') < log.indexOf('==> switch-traffic'), 'the certificate comes before traffic moves');

    const res = await httpsGet(httpsPort, HOST, pebble.rootPem);
    assert.equal(res.status, 200);
    assert.match(res.body, /^hello from /);
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
    // The second host is on the same certificate and redirects to the canonical one.
    const www = await httpsGet(httpsPort, WWW, pebble.rootPem, '/a?b=1');
    assert.equal(www.status, 308);
    assert.equal(www.headers['location'], `https://${HOST}:${httpsPort}/a?b=1`);
    // Plain HTTP redirects to HTTPS.
    const plain = await request(`http://127.0.0.1:${edgePort}/x`, { headers: { host: HOST } });
    await plain.body.dump();
    assert.equal(plain.statusCode, 308);
    assert.equal(plain.headers['location'], `https://${HOST}:${httpsPort}/x`);
    // curl verifies the chain against Pebble's root and negotiates h2.
    const curl = await run(['curl', '-sS', '--http2', '--cacert', rootFile, '--resolve', `${HOST}:${httpsPort}:127.0.0.1`, '-o', '/dev/null', '-w', '%{http_version} %{http_code} %{ssl_verify_result}', `https://${HOST}:${httpsPort}/`], { timeoutMs: 15_000 });
    assert.equal(curl.code, 0, curl.stderr);
    assert.equal(curl.stdout.trim(), '2 200 0');

    const certs = await request(`${server?.url}/api/certificates`, { headers: { authorization: `Bearer ${server?.token}` } });
    const listed = (await certs.body.json()) as { certificates: Array<{ hosts: string[]; notAfter: string }> };
    assert.deepEqual(listed.certificates.map((c) => [...c.hosts].sort()), [[HOST, WWW].sort()]);
    assert.doesNotMatch(JSON.stringify(listed), /PRIVATE KEY/);
  });

  test('a wildcard host gets its certificate by DNS-01 (RFC 2136 update to named) and serves every name one level below', async () => {
    const { deployment } = await client.deploy('shop', 'preview');
    const done = await waitTerminal(client, deployment.id, 180_000);
    const log = await logText(client, deployment.id);
    assert.equal(done.status, 'succeeded', `${done.error ?? ''}\n${log}`);
    assert.match(log, /dns-01/);
    for (const name of ['pr-1.preview.example.test', 'pr-2.preview.example.test']) {
      const res = await httpsGet(httpsPort, name, pebble.rootPem);
      assert.equal(res.status, 200, name);
      assert.match(res.body, /^hello from /);
    }
    assert.doesNotMatch(log, new RegExp(named.secret.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), 'the TSIG secret is never in the log');
  });

  test('renewing the certificate under load drops no request: kept-alive and new connections alike', async () => {
    const before = await httpsGet(httpsPort, HOST, pebble.rootPem);
    assert.equal(before.status, 200);
    const fingerprint = async () => {
      const list = (await (await request(`${server?.url}/api/certificates`, { headers: { authorization: `Bearer ${server?.token}` } })).body.json()) as { certificates: Array<{ id: string; hosts: string[]; fingerprint?: string; notBefore: string }> };
      const cert = list.certificates.find((c) => c.hosts.includes(HOST));
      assert.ok(cert);
      return cert;
    };
    const old = await fingerprint();
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const keepAlive = new https.Agent({ keepAlive: true, maxSockets: 2, ca: pebble.rootPem });
    const loop = async (agent: https.Agent | false) => {
      while (!stop) {
        await new Promise<void>((resolve) => {
          const req = https.request({ host: '127.0.0.1', port: httpsPort, servername: HOST, headers: { host: `${HOST}:${httpsPort}` }, path: '/', ca: pebble.rootPem, agent, timeout: 5000 }, (res) => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode === 200) ok += 1;
              else failures.push(`HTTP ${res.statusCode}`);
              resolve();
            });
          });
          req.on('timeout', () => req.destroy(new Error('timed out')));
          req.on('error', (err) => {
            failures.push(err.message);
            resolve();
          });
          req.end();
        });
      }
    };
    const loops = [loop(keepAlive), loop(keepAlive), loop(false), loop(false)];
    try {
      const renewed = await request(`${server?.url}/api/certificates/${encodeURIComponent(old.id)}/renew`, { method: 'POST', headers: { authorization: `Bearer ${server?.token}` } });
      const text = await renewed.body.text();
      assert.equal(renewed.statusCode, 200, text);
      // Traffic goes on across the swap for a moment more.
      const until = ok + 200;
      await waitUntil('more requests after the renewal', () => ok >= until || failures.length > 0, 30_000);
    } finally {
      stop = true;
      await Promise.all(loops);
      keepAlive.destroy();
    }
    assert.deepEqual(failures, [], 'no request failed while the certificate was replaced');
    assert.ok(ok > 200, `requests served: ${ok}`);
    const now = await fingerprint();
    assert.notEqual(JSON.stringify(now), JSON.stringify(old), 'a new certificate serves');
  });

  test('a host the CA cannot validate fails the deploy with the CA\'s reason; the old route keeps serving', async () => {
    await repo.commit({ 'slipway.yml': spec([HOST, WWW, 'nowhere.example.org']), 'server.js': SERVER_JS }, 'add a host nobody answers for');
    await repo.push('main');
    const { deployment } = await client.deploy('shop', 'staging');
    const done = await waitTerminal(client, deployment.id, 180_000);
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /certificates: .*nowhere\.example\.org/);
    assert.match(done.error ?? '', /urn:ietf:params:acme:error:/, 'the CA\'s problem type is in the error');
    const res = await httpsGet(httpsPort, HOST, pebble.rootPem);
    assert.equal(res.status, 200, 'the previous route still serves HTTPS');
  });

  test('an edge restarted while the control plane is stopped serves HTTPS from its own snapshot', async () => {
    assert.ok(server);
    server.kill('SIGTERM');
    await server.exited;
    server = undefined;
    // The control plane is down; its edge (detached) is killed too, the apps keep running.
    const { pid } = JSON.parse(await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
    await waitUntil('the old edge to be gone', async () => {
      const r = await httpsGet(httpsPort, HOST, pebble.rootPem).catch(() => null);
      return r === null;
    }, 20_000);
    edgeAlone = spawnProcess([process.execPath, ...cliNodeArgv(), 'edge'], {
      cwd: projectRoot,
      env: { ...baseChildEnv(), SLIPWAY_DATA_DIR: dataDir, SLIPWAY_EDGE_PORT: String(edgePort), SLIPWAY_EDGE_HTTPS_PORT: String(httpsPort), LOG_LEVEL: 'warn' },
      killGraceMs: 5000,
    });
    await waitUntil('the edge alone to serve HTTPS', async () => (await httpsGet(httpsPort, HOST, pebble.rootPem).catch(() => null))?.status === 200, 30_000);
    const snapshotFiles = await readFile(path.join(dataDir, 'edge', 'routes.json'), 'utf8');
    assert.match(snapshotFiles, /shop\/staging/);
  });
});
