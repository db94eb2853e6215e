// The Swarm driver as the control plane runs it: connected from settings (DOCKER_HOST-style
// address, TLS files, SSH key file and known_hosts), with the Slipway edge running as a Swarm
// service in front of the apps. Loaded on first use (see lazy-driver.ts).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.js';
import type { EdgeControl } from '../core/ports/edge-control.js';
import { Sensitive } from '../core/sensitive.js';
import type { Settings } from '../platform/env.js';
import { parseDockerHost, type EngineCredentials } from './swarm/engine/connection.js';
import { ensureEdgeService, type EdgeServiceResult } from './swarm/edge/edge-service.js';
import { EngineClient } from './swarm/engine/engine-client.js';
import { readKnownHostsFile } from './swarm/engine/known-hosts-file.js';
import { SwarmDriver } from './swarm/swarm-driver.js';

export async function engineCredentials(settings: Settings): Promise<EngineCredentials> {
  const creds: EngineCredentials = {};
  if (settings.dockerCertPath) {
    const read = (name: string) =>
      readFile(path.join(settings.dockerCertPath!, name), 'utf8').catch(() => {
        throw new ConfigError(`SLIPWAY_DOCKER_CERT_PATH: ${path.join(settings.dockerCertPath!, name)} cannot be read; the directory needs ca.pem, cert.pem and key.pem`);
      });
    creds.tls = { ca: await read('ca.pem'), cert: await read('cert.pem'), key: new Sensitive(await read('key.pem')) };
  }
  if (settings.dockerHost?.startsWith('ssh://')) creds.sshKnownHosts = await readKnownHostsFile(settings.dockerSshKnownHosts);
  if (settings.dockerSshKey) {
    const key = await readFile(settings.dockerSshKey, 'utf8').catch(() => {
      throw new ConfigError(`SLIPWAY_DOCKER_SSH_KEY: ${settings.dockerSshKey} cannot be read`);
    });
    creds.sshPrivateKey = new Sensitive(key);
  }
  return creds;
}

export interface SwarmRuntimeOptions {
  /** The control plane's client of the Swarm edge's admin API (its socket in `edgeDataDir`). */
  edgeControl: EdgeControl;
  /** Host directory bind-mounted as the Swarm edge's data dir. */
  edgeDataDir: string;
  log?: (line: string) => void;
}

/** Connects to the engine, makes sure the Swarm edge runs (built and updated only when it changed), and returns the driver. */
export async function createSwarmRuntime(settings: Settings, opts: SwarmRuntimeOptions): Promise<SwarmDriver> {
  if (!settings.dockerHost) throw new ConfigError('the swarm driver needs SLIPWAY_DOCKER_HOST (e.g. unix:///var/run/docker.sock)');
  if (!settings.swarmRegistry) {
    throw new ConfigError('the swarm driver needs SLIPWAY_SWARM_REGISTRY: the registry that Swarm nodes pull the built images (and the edge image) from, e.g. registry.example.net:5000');
  }
  const engine = await EngineClient.connect(parseDockerHost(settings.dockerHost, await engineCredentials(settings)));
  let edge: EdgeServiceResult;
  try {
    edge = await ensureEdgeService(engine, {
      registry: settings.swarmRegistry,
      publishedPort: settings.swarmEdgePort,
      ...(settings.swarmEdgeHttpsPort === 'off' ? {} : { publishedHttpsPort: settings.swarmEdgeHttpsPort }),
      dataDir: opts.edgeDataDir,
      bundlePath: await edgeBundle(),
      control: opts.edgeControl,
      logLevel: settings.logLevel,
      trustedProxies: settings.edgeTrustedProxies,
      ...(opts.log ? { log: opts.log } : {}),
    });
  } catch (err) {
    engine.close();
    throw err;
  }
  return new SwarmDriver({
    engine,
    registry: settings.swarmRegistry,
    edge: { control: opts.edgeControl },
    nodeJobs: { image: edge.image, dockerSocket: settings.swarmNodeSocket },
  });
}

/** dist/bundle/edge.mjs of this installation, found from this module (in dist/src or a bundle chunk). */
async function edgeBundle(): Promise<string> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'dist', 'bundle', 'edge.mjs');
    if (await stat(candidate).then((s) => s.isFile(), () => false)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new ConfigError('dist/bundle/edge.mjs is missing (the Swarm edge image runs it): build it with `npm run build`');
    dir = up;
  }
}
