// A loaded compose file -> every Swarm object of the stack: networks, secrets, configs and
// services, named and labelled as `docker stack deploy` does. Pure: file contents and secret
// values come in through `objectData`; nothing is read or sent here.
import { createHash } from 'node:crypto';
import { ConfigError } from '../../../core/errors.js';
import { Sensitive } from '../../../core/sensitive.js';
import type { ComposeFile, ComposeFileObject } from './compose-schema.js';
import { convertService } from './convert-service.js';
import { stringMap } from './convert-mounts.js';
import { namespace, sortKeys, stackLabels } from './namespace.js';
import type { NetworkCreate, ServiceSpec } from './swarm-types.js';

export const LABEL_OBJECT_KEY = 'com.slipway.object.key';
export const LABEL_OBJECT_HASH = 'com.slipway.object.hash';

export interface StackObject {
  kind: 'secret' | 'config';
  /** The key in the compose file. */
  key: string;
  Name: string;
  Labels: Record<string, string>;
  /** The content, base64; redacted when printed or serialised. */
  data: Sensitive;
  /** sha256 of the content, hex. */
  hash: string;
}

export interface StackPlan {
  stack: string;
  networks: NetworkCreate[];
  externalNetworks: string[];
  secrets: StackObject[];
  configs: StackObject[];
  /** Sorted by name. */
  services: ServiceSpec[];
  warnings: string[];
}

export interface ConvertOptions {
  stack: string;
  /** Image per service name (built images by digest); overrides `image:`. */
  images?: Record<string, string>;
  /** The content of a secret or config (from `file:`, `environment:` or `content:`), or undefined if unavailable. */
  objectData: (kind: 'secret' | 'config', key: string, def: ComposeFileObject) => Buffer | undefined;
  /** Content-addressed names `<stack>_<key>_<hash>` so that a changed value rolls the services using it. */
  versioned?: boolean;
  /** Only these services (e.g. the migration job is deployed separately). */
  services?: string[];
  fileName?: string;
}

export const HASH_LENGTH = 12;
/** Swarm's limit for secret and config names. */
const MAX_OBJECT_NAME = 64;

function convertObjects(kind: 'secret' | 'config', file: ComposeFile, opts: ConvertOptions, issues: string[]): { objects: StackObject[]; names: Record<string, string> } {
  const ns = namespace(opts.stack);
  const defs = (kind === 'secret' ? file.secrets : file.configs) ?? {};
  const objects: StackObject[] = [];
  const names: Record<string, string> = {};
  for (const [key, def] of Object.entries(defs).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const base = def.name ?? ns.scope(key);
    if (def.external) {
      names[key] = typeof def.external === 'object' && def.external.name ? def.external.name : base;
      continue;
    }
    const sources = [def.file, def.environment, def.content].filter((s) => s !== undefined);
    if (sources.length !== 1) {
      issues.push(`${kind}s.${key}: give exactly one of file:, environment:${kind === 'config' ? ', content:' : ''} or external: true`);
      continue;
    }
    const data = opts.objectData(kind, key, def);
    if (data === undefined) {
      const from = def.file ? `file ${JSON.stringify(def.file)}` : def.environment ? `variable ${def.environment} (set it with \`slipway secrets set\`)` : 'content';
      issues.push(`${kind}s.${key}: no value: ${from} is not available`);
      continue;
    }
    const hash = createHash('sha256').update(data).digest('hex');
    const name = opts.versioned ? `${base}_${hash.slice(0, HASH_LENGTH)}` : base;
    if (name.length > MAX_OBJECT_NAME) issues.push(`${kind}s.${key}: the name ${JSON.stringify(name)} is longer than Swarm's ${MAX_OBJECT_NAME} characters; use a shorter key or name:`);
    const labels = stackLabels(ns, def.labels);
    const extra: Record<string, string> = opts.versioned ? { [LABEL_OBJECT_KEY]: key, [LABEL_OBJECT_HASH]: hash } : {};
    names[key] = name;
    objects.push({ kind, key, Name: name, Labels: sortKeys({ ...labels, ...extra }), data: new Sensitive(data.toString('base64')), hash });
  }
  return { objects, names };
}

function convertNetworks(file: ComposeFile, used: Set<string>, stack: string): { networks: NetworkCreate[]; external: string[] } {
  const ns = namespace(stack);
  const networks: NetworkCreate[] = [];
  const external: string[] = [];
  for (const key of [...used].sort()) {
    const def = file.networks?.[key] ?? null;
    const name = def?.name ?? ns.scope(key);
    if (def?.external) {
      external.push(typeof def.external === 'object' && def.external.name ? def.external.name : name);
      continue;
    }
    const net: NetworkCreate = { Name: name, Labels: stackLabels(ns, def?.labels), Driver: def?.driver ?? 'overlay' };
    if (def?.driver_opts) net.Options = stringMap(def.driver_opts);
    if (def?.internal) net.Internal = true;
    if (def?.attachable) net.Attachable = true;
    if (def?.ipam && (def.ipam.driver || def.ipam.config?.length)) {
      net.IPAM = { Driver: def.ipam.driver ?? '', Config: (def.ipam.config ?? []).map((c) => ({ ...(c.subnet ? { Subnet: c.subnet } : {}) })) };
    }
    networks.push(net);
  }
  return { networks, external };
}

export function convertStack(file: ComposeFile, opts: ConvertOptions, warnings: string[] = []): StackPlan {
  const issues: string[] = [];
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(opts.stack)) issues.push(`stack name ${JSON.stringify(opts.stack)}: use letters, digits, "_", "." and "-"`);
  const secrets = convertObjects('secret', file, opts, issues);
  const configs = convertObjects('config', file, opts, issues);
  const ns = namespace(opts.stack);
  const wanted = opts.services ?? Object.keys(file.services);
  const services: ServiceSpec[] = [];
  const usedNetworks = new Set<string>();
  for (const name of [...wanted].sort()) {
    const svc = file.services[name];
    if (!svc) {
      issues.push(`services.${name}: no such service in the compose file`);
      continue;
    }
    const nets = svc.networks ? (Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks)) : [];
    if (nets.length === 0) usedNetworks.add('default');
    for (const n of nets) usedNetworks.add(n);
    const ctx = { file, ns, secretNames: secrets.names, configNames: configs.names, issues };
    services.push(convertService(name, svc, opts.images?.[name], ctx));
  }
  const { networks, external } = convertNetworks(file, usedNetworks, opts.stack);
  if (issues.length > 0) {
    const fileName = opts.fileName ?? 'docker-compose.yml';
    throw new ConfigError(issues.map((i) => `${fileName}: ${i}`).join('\n'), { file: fileName, issues });
  }
  return { stack: opts.stack, networks, externalNetworks: external, secrets: secrets.objects, configs: configs.objects, services, warnings };
}
