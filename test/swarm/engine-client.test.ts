import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeConnection, parseDockerHost } from '../../src/drivers/swarm/engine/connection.js';
import { EngineClient, negotiateApiVersion } from '../../src/drivers/swarm/engine/engine-client.js';
import { EngineApiError } from '../../src/drivers/swarm/engine/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { requireSwarmEnv } from '../support/swarm-env.js';
import { startSshDialServer, type SshDialServer } from './ssh-dial-server.js';

describe('Docker host parsing and version negotiation', () => {
  it('parses unix, tcp (TLS) and ssh hosts', () => {
    assert.deepEqual(parseDockerHost('unix:///run/d.sock'), { kind: 'socket', socketPath: '/run/d.sock' });
    assert.deepEqual(parseDockerHost('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375, tls: null });
    const tls = { ca: 'CA', cert: 'CERT', key: new Sensitive('KEY') };
    const remote = parseDockerHost('tcp://swarm.example:2376', { tls });
    assert.equal(remote.kind, 'tcp');
    const knownHosts = { path: '/k/known_hosts', text: '' };
    const ssh = parseDockerHost('ssh://deploy@manager.example:2222', { sshKnownHosts: knownHosts });
    assert.deepEqual(ssh, { kind: 'ssh', host: 'manager.example', port: 2222, username: 'deploy', privateKey: null, knownHosts });
    const v6 = parseDockerHost('ssh://deploy@[::1]:2222', { sshKnownHosts: knownHosts });
    assert.equal(v6.kind === 'ssh' && v6.host, '::1', 'ssh2 connects to the IPv6 address without brackets');
    assert.equal(describeConnection(v6), 'ssh://deploy@[::1]:2222');
  });

  it('refuses plain TCP to a remote host and unknown schemes, saying how to fix it', () => {
    assert.throws(() => parseDockerHost('tcp://swarm.example:2375'), /needs TLS/);
    assert.throws(() => parseDockerHost('ftp://x'), /unsupported scheme/);
    assert.throws(() => parseDockerHost('ssh://manager.example'), /expected a user/);
    assert.throws(() => parseDockerHost('ssh://deploy@manager.example'), /known_hosts file, and none was given/);
  });

  it('negotiates the highest common API version, 1.41 at least', () => {
    assert.equal(negotiateApiVersion({ ApiVersion: '1.41' }, 'x'), '1.41');
    assert.equal(negotiateApiVersion({ ApiVersion: '1.43' }, 'x'), '1.43');
    assert.equal(negotiateApiVersion({ ApiVersion: '1.47' }, 'x'), '1.45');
    assert.throws(() => negotiateApiVersion({ ApiVersion: '1.40' }, 'x'), /needs 1\.41 or newer/);
  });
});

const { env, skip } = await requireSwarmEnv();

describe('EngineClient against the real engine', { skip }, () => {
  let ssh: SshDialServer;
  before(async () => {
    ssh = await startSshDialServer(env?.socketPath ?? '');
  });
  after(async () => {
    await ssh.close();
  });

  it('connects over the unix socket and negotiates >= 1.41', async () => {
    const client = await EngineClient.connect(parseDockerHost(env!.dockerHost));
    try {
      assert.match(client.apiVersion, /^1\.4\d$/);
      const info = await client.request<{ Swarm: { LocalNodeState: string } }>({ method: 'GET', path: '/info' });
      assert.equal(info.Swarm.LocalNodeState, 'active');
      await assert.rejects(client.request({ method: 'GET', path: '/services/no-such-service-xyz' }), (e: unknown) => e instanceof EngineApiError && e.status === 404);
    } finally {
      client.close();
    }
  });

  it('reports an engine that is not there as unavailable, naming the address', async () => {
    await assert.rejects(EngineClient.connect({ kind: 'socket', socketPath: '/nonexistent/docker.sock' }), /cannot reach the Docker Engine at unix:\/\/\/nonexistent/);
  });

  it('over SSH: many requests share ONE ssh connection (channels running docker system dial-stdio)', async () => {
    const client = await EngineClient.connect(
      {
        kind: 'ssh',
        host: '127.0.0.1',
        port: ssh.port,
        username: 'deploy',
        privateKey: new Sensitive(ssh.clientKey),
        knownHosts: { path: '/test/known_hosts', text: ssh.knownHostsLines() },
      },
    );
    try {
      await Promise.all(Array.from({ length: 8 }, () => client.request({ method: 'GET', path: '/_ping' })));
      for (let i = 0; i < 5; i++) await client.request({ method: 'GET', path: '/version' });
      assert.equal(client.sshConnectionsOpened, 1);
      assert.equal(ssh.connections, 1);
      assert.ok(ssh.channels >= 1);
      assert.deepEqual([...new Set(ssh.commands)], ['docker system dial-stdio']);
    } finally {
      client.close();
    }
  });
});

