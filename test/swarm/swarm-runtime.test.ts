// How the server's settings become the Swarm driver's connection: TLS files, SSH key and the
// known_hosts file the engine's host key is checked against; what is missing is a clear error.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSwarmRuntime, engineCredentials } from '../../src/drivers/swarm-runtime.js';
import { EdgeClient } from '../../src/edge/admin/edge-client.js';
import { readSettings } from '../../src/platform/env.js';

describe('swarm runtime settings', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-swarm-settings-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ssh:// reads the known_hosts file named by SLIPWAY_DOCKER_SSH_KNOWN_HOSTS and the key file', async () => {
    const known = path.join(dir, 'known_hosts');
    await writeFile(known, 'manager.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n');
    const key = path.join(dir, 'id');
    await writeFile(key, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
    const settings = readSettings({ SLIPWAY_DOCKER_HOST: 'ssh://deploy@manager.example', SLIPWAY_DOCKER_SSH_KNOWN_HOSTS: known, SLIPWAY_DOCKER_SSH_KEY: key });
    const creds = await engineCredentials(settings);
    assert.equal(creds.sshKnownHosts?.path, known);
    assert.match(creds.sshKnownHosts?.text ?? '', /^manager\.example ssh-ed25519 /);
    assert.match(creds.sshPrivateKey?.reveal() ?? '', /OPENSSH PRIVATE KEY/);
    assert.doesNotMatch(String(creds.sshPrivateKey), /OPENSSH/, 'the key redacts itself');
  });

  it('tcp:// with SLIPWAY_DOCKER_CERT_PATH needs ca.pem, cert.pem and key.pem there', async () => {
    const settings = readSettings({ SLIPWAY_DOCKER_HOST: 'tcp://manager.example:2376', SLIPWAY_DOCKER_CERT_PATH: dir });
    await assert.rejects(engineCredentials(settings), /SLIPWAY_DOCKER_CERT_PATH: .*ca\.pem cannot be read; the directory needs ca\.pem, cert\.pem and key\.pem/);
  });

  it('a bad SLIPWAY_DOCKER_HOST is refused at start; a missing registry before any connection', async () => {
    assert.throws(() => readSettings({ SLIPWAY_DOCKER_HOST: 'docker.example:2376' }), /SLIPWAY_DOCKER_HOST: expected unix:\/\/\/var\/run\/docker\.sock/);
    const settings = readSettings({ SLIPWAY_DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    await assert.rejects(
      createSwarmRuntime(settings, { edgeControl: EdgeClient.forDataDir(dir), edgeDataDir: dir }),
      /needs SLIPWAY_SWARM_REGISTRY/,
    );
  });
});
