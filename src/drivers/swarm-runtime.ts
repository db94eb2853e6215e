// The Swarm driver as the control plane runs it: connected from settings (DOCKER_HOST-style
// address, TLS files, SSH key file), with the runtime port's log stream and per-service replica
// counts on top of the driver. Loaded on first use (see lazy-driver.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { App, Environment, Release } from '../core/model.js';
import type { RuntimeLogLine, RuntimeLogQuery, RuntimeStatus } from '../core/ports/runtime-driver.js';
import { Sensitive } from '../core/sensitive.js';
import type { Settings } from '../platform/env.js';
import { parseDockerHost, type EngineCredentials } from './swarm/engine/connection.js';
import { EngineClient } from './swarm/engine/engine-client.js';
import { SwarmDriver, type SwarmDriverOptions } from './swarm/swarm-driver.js';

export class SwarmRuntime extends SwarmDriver {
  async *streamLogs(app: App, environment: Environment, live: Release | null, query: RuntimeLogQuery): AsyncGenerator<RuntimeLogLine> {
    const lines = this.logs(app, environment, query.service ?? null, {
      follow: query.follow,
      signal: query.signal,
      live,
      ...(query.since !== undefined ? { since: query.since } : {}),
      ...(query.tail !== undefined ? { tail: query.tail } : {}),
    });
    for await (const l of lines) {
      yield { service: l.service, instance: l.taskId, stream: l.stream === 'stdout' || l.stream === 'stderr' ? l.stream : 'output', text: l.text };
    }
  }

  override async status(app: App, environment: Environment, live: Release | null): Promise<RuntimeStatus> {
    const status = await super.status(app, environment, live);
    const services = await this.serviceStatus(app, environment, live);
    return {
      ...status,
      services: services.map((s) => ({ name: s.service, running: s.running, desired: s.desired, ...(s.updateState ? { updateState: s.updateState } : {}) })),
    };
  }
}

export async function engineCredentials(settings: Settings): Promise<EngineCredentials> {
  const creds: EngineCredentials = {};
  if (settings.dockerCertPath) {
    const read = (name: string) =>
      readFile(path.join(settings.dockerCertPath!, name), 'utf8').catch(() => {
        throw new ConfigError(`SLIPWAY_DOCKER_CERT_PATH: ${path.join(settings.dockerCertPath!, name)} cannot be read; the directory needs ca.pem, cert.pem and key.pem`);
      });
    creds.tls = { ca: await read('ca.pem'), cert: await read('cert.pem'), key: new Sensitive(await read('key.pem')) };
  }
  if (settings.dockerSshKey) {
    const key = await readFile(settings.dockerSshKey, 'utf8').catch(() => {
      throw new ConfigError(`SLIPWAY_DOCKER_SSH_KEY: ${settings.dockerSshKey} cannot be read`);
    });
    creds.sshPrivateKey = new Sensitive(key);
  }
  return creds;
}

export async function createSwarmRuntime(settings: Settings): Promise<SwarmRuntime> {
  if (!settings.dockerHost) throw new ConfigError('the swarm driver needs SLIPWAY_DOCKER_HOST (e.g. unix:///var/run/docker.sock)');
  const connection = parseDockerHost(settings.dockerHost, await engineCredentials(settings));
  const options: SwarmDriverOptions = {
    engine: await EngineClient.connect(connection),
    ...(settings.swarmRegistry ? { registry: settings.swarmRegistry } : {}),
  };
  return new SwarmRuntime(options);
}
