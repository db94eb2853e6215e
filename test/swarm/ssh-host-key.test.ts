// The Engine's SSH connection checks the server's host key against known_hosts, on a real SSH
// server (ssh2's Server, see ssh-dial-server.ts). Refusals need no engine; connecting does.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConfigError } from '../../src/core/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { parseDockerHost } from '../../src/drivers/swarm/engine/connection.js';
import { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { readKnownHostsFile } from '../../src/drivers/swarm/engine/known-hosts-file.js';
import { requireSwarmEnv } from '../support/swarm-env.js';
import { generateSshKey, startSshDialServer, type HostKeyType, type SshDialServer } from './ssh-dial-server.js';

const run = promisify(execFile);
const { env, skip } = await requireSwarmEnv();
const servers: SshDialServer[] = [];
let dir = '';

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-ssh-hostkey-'));
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function server(hostKeyTypes?: HostKeyType[]): Promise<SshDialServer> {
  const s = await startSshDialServer(env?.socketPath ?? '/nonexistent/docker.sock', hostKeyTypes ? { hostKeyTypes } : {});
  servers.push(s);
  return s;
}

function connect(s: SshDialServer, knownHosts: string, file = '/test/known_hosts'): Promise<EngineClient> {
  const conn = parseDockerHost(`ssh://deploy@127.0.0.1:${s.port}`, { sshPrivateKey: new Sensitive(s.clientKey), sshKnownHosts: { path: file, text: knownHosts } });
  return EngineClient.connect(conn);
}

/** `SHA256:...` of a `TYPE BASE64` public key, computed here independently of the code under test. */
function fingerprint(publicKey: string): string {
  const b64 = publicKey.split(' ')[1] ?? '';
  return `SHA256:${createHash('sha256').update(Buffer.from(b64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** A hashed known_hosts host field as `ssh-keygen -H` writes it. */
function hashedHost(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

async function refusal(p: Promise<EngineClient>): Promise<ConfigError> {
  const err = await p.then(
    (c) => {
      c.close();
      return null;
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
  return err;
}

describe('SSH host key refusals (no engine needed: the key exchange fails first)', () => {
  it('an unknown host is refused with its SHA256 fingerprint and the ssh-keyscan fix; nothing runs on it', async () => {
    const s = await server();
    const err = await refusal(connect(s, '# nothing yet\n', '/etc/slipway/known_hosts'));
    const fp = fingerprint(s.hostPublicKeys[0] ?? '');
    assert.match(err.message, new RegExp(`^the SSH host key of 127\\.0\\.0\\.1:${s.port} is not in /etc/slipway/known_hosts: the server presented an ssh-ed25519 key with fingerprint ${fp.replace(/[+/]/g, '\\$&')}\\.`));
    assert.ok(err.message.includes(`\`ssh-keyscan -p ${s.port} 127.0.0.1 >> /etc/slipway/known_hosts\``), err.message);
    assert.equal(err.details['reason'], 'unknown');
    assert.deepEqual(s.commands, [], 'no command ran on a host that was not verified');
  });

  it('a host known on another port is unknown on this one', async () => {
    const s = await server();
    const key = s.hostPublicKeys[0] ?? '';
    const err = await refusal(connect(s, `127.0.0.1 ${key}\n[127.0.0.1]:${s.port + 1} ${key}\n`));
    assert.equal(err.details['reason'], 'unknown');
  });

  it('a CHANGED key (host known with another key of the same type) is refused with a loud warning', async () => {
    const s = await server();
    const other = generateSshKey('ed25519').public;
    const err = await refusal(connect(s, `# the old key\n[127.0.0.1]:${s.port} ${other}\n`, '/k'));
    assert.match(err.message, new RegExp(`^WARNING: THE SSH HOST KEY OF 127\\.0\\.0\\.1:${s.port} HAS CHANGED\\.`));
    assert.match(err.message, /man in the middle/);
    assert.match(err.message, /\/k \(line 2\) has a different ssh-ed25519 key/);
    assert.ok(err.message.includes(fingerprint(s.hostPublicKeys[0] ?? '')));
    assert.equal(err.details['reason'], 'changed');
    assert.deepEqual(s.commands, []);
  });

  it('a revoked key is refused even though a line also lists it for the host', async () => {
    const s = await server();
    const key = s.hostPublicKeys[0] ?? '';
    const err = await refusal(connect(s, `[127.0.0.1]:${s.port} ${key}\n@revoked * ${key}\n`));
    assert.match(err.message, /is REVOKED in \/test\/known_hosts \(line 2\)/);
  });

  it('a server that offers only a key type known_hosts lacks is unknown, and the message says which types are known', async () => {
    const s = await server(['ecdsa']);
    const err = await refusal(connect(s, `[127.0.0.1]:${s.port} ${generateSshKey('ed25519').public}\n`));
    assert.match(err.message, /presented an ecdsa-sha2-nistp256 key/);
    assert.match(err.message, /knows this host only with other key types \(ssh-ed25519\)/);
  });
});

describe('SSH host key accepted: connects to the engine', { skip }, () => {
  it('a known key connects, and many requests share one SSH connection', async () => {
    const s = await server();
    const client = await connect(s, s.knownHostsLines());
    try {
      await Promise.all(Array.from({ length: 4 }, () => client.request({ method: 'GET', path: '/_ping' })));
      assert.equal(client.sshConnectionsOpened, 1);
      assert.equal(s.connections, 1);
    } finally {
      client.close();
    }
  });

  it('a hashed entry (|1|salt|hmac) connects', async () => {
    const s = await server();
    const client = await connect(s, `${hashedHost(`[127.0.0.1]:${s.port}`)} ${s.hostPublicKeys[0]}\n`);
    client.close();
  });

  it('a server with several host keys presents the one known_hosts has (ecdsa known, ed25519 preferred by default)', async () => {
    const s = await server(['ed25519', 'ecdsa', 'rsa']);
    for (const type of ['ecdsa-sha2-nistp256', 'ssh-rsa', 'ssh-ed25519']) {
      const client = await connect(s, s.knownHostsLines([type]));
      client.close();
    }
  });

  it('the fix the refusal names works: ssh-keyscan into the file, then connect (OpenSSH tools as the oracle)', async (t) => {
    const has = await run('ssh-keyscan', ['-h'], { timeout: 5000 }).then(
      () => true,
      (e: NodeJS.ErrnoException) => e.code !== 'ENOENT',
    );
    if (!has) return t.skip('ssh-keyscan (OpenSSH client) is not installed');
    const s = await server(['ed25519', 'ecdsa']);
    const file = path.join(dir, 'known_hosts');
    const err = await refusal(connect(s, (await readKnownHostsFile(file)).text, file));
    const fix = /`ssh-keyscan -p (\d+) (\S+) >> (\S+)`/.exec(err.message);
    assert.ok(fix, err.message);
    const [, port = '', host = '', target = ''] = fix;
    const scanned = await run('ssh-keyscan', ['-T', '5', '-p', port, host], { timeout: 15_000 });
    await appendFile(target, scanned.stdout);
    // The fingerprint in the refusal is the one ssh-keygen prints for the key the server presented.
    const listed = await run('ssh-keygen', ['-l', '-f', target], { timeout: 5000 });
    assert.ok(listed.stdout.includes(String(err.details['fingerprint'])), listed.stdout);
    const client = await connect(s, (await readKnownHostsFile(file)).text, file);
    client.close();
    // And after `ssh-keygen -H` (hashed hosts, as many distributions write them).
    await run('ssh-keygen', ['-H', '-f', target], { timeout: 5000 });
    const hashed = await readFile(target, 'utf8');
    assert.ok(hashed.split('\n').filter(Boolean).every((l) => l.startsWith('|1|')), hashed);
    const again = await connect(s, hashed, file);
    again.close();
    await writeFile(target, '');
  });
});
