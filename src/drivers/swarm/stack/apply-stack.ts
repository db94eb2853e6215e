// Sends a StackPlan to the Engine: networks and secret/config versions that are missing are
// created; each service is created, or updated with its full spec at the version index just
// read (retrying when the index moved). A service whose desired spec is unchanged is not
// touched, so an unchanged compose file changes nothing (service versions stay the same).
import { createHash } from 'node:crypto';
import { PreconditionError } from '../../../core/errors.js';
import { LABEL_NAMESPACE } from '../compose/namespace.js';
import type { StackObject, StackPlan } from '../compose/convert-stack.js';
import type { ServiceSpec } from '../compose/swarm-types.js';
import type { EngineRequest } from '../engine/engine-client.js';
import { EngineApiError } from '../engine/errors.js';
import type { ServiceInfo, SwarmApi } from '../engine/swarm-api.js';

export const LABEL_SPEC_HASH = 'com.slipway.spec-hash';

export interface ServiceChange {
  name: string;
  id: string;
  action: 'created' | 'updated' | 'unchanged';
  /** The spec sent (with secret/config ids), as recorded for rollback. */
  spec: ServiceSpec;
  /** Version index before the update (null when created). */
  previousVersion: number | null;
}

export interface ApplyOptions {
  registryAuth?: EngineRequest['registryAuth'];
  log?: (line: string) => void;
  /** Only these service names (full names); default all of the plan's services. */
  only?: string[];
  maxVersionRetries?: number;
}

/** Hash of a spec without the hash label and without object ids (they follow from names). */
export function specHash(spec: ServiceSpec): string {
  const copy = structuredClone(spec);
  delete copy.Labels[LABEL_SPEC_HASH];
  for (const s of copy.TaskTemplate.ContainerSpec.Secrets ?? []) delete s.SecretID;
  for (const c of copy.TaskTemplate.ContainerSpec.Configs ?? []) delete c.ConfigID;
  return createHash('sha256').update(JSON.stringify(copy)).digest('hex').slice(0, 16);
}

async function ensureObjects(api: SwarmApi, stack: string, kind: 'secret' | 'config', objects: StackObject[], log: (l: string) => void): Promise<Map<string, string>> {
  const list = kind === 'secret' ? () => api.listSecrets({ label: [`${LABEL_NAMESPACE}=${stack}`] }) : () => api.listConfigs({ label: [`${LABEL_NAMESPACE}=${stack}`] });
  const ids = new Map<string, string>();
  for (const o of await list()) ids.set(o.Spec.Name, o.ID);
  for (const obj of objects) {
    if (ids.has(obj.Name)) continue;
    const spec = { Name: obj.Name, Labels: obj.Labels, Data: obj.data.reveal() };
    try {
      const { ID } = kind === 'secret' ? await api.createSecret(spec) : await api.createConfig(spec);
      ids.set(obj.Name, ID);
      log(`created ${kind} ${obj.Name}`);
    } catch (err) {
      // Created concurrently (or left by a crashed run): look it up by name.
      if (!(err instanceof EngineApiError && err.status === 409)) throw err;
      const again = kind === 'secret' ? await api.listSecrets({ name: [obj.Name] }) : await api.listConfigs({ name: [obj.Name] });
      const found = again.find((o) => o.Spec.Name === obj.Name);
      if (!found) throw err;
      ids.set(obj.Name, found.ID);
    }
  }
  return ids;
}

async function lookupExternal(api: SwarmApi, kind: 'secret' | 'config', names: string[], ids: Map<string, string>): Promise<void> {
  for (const name of names) {
    if (ids.has(name)) continue;
    const found = (kind === 'secret' ? await api.listSecrets({ name: [name] }) : await api.listConfigs({ name: [name] })).find((o) => o.Spec.Name === name);
    if (!found) throw new PreconditionError(`${kind} ${JSON.stringify(name)} does not exist in the swarm: create it (docker ${kind} create) or remove external: true`);
    ids.set(name, found.ID);
  }
}

async function ensureNetworks(api: SwarmApi, plan: StackPlan, log: (l: string) => void): Promise<void> {
  const existing = new Set((await api.listNetworks()).map((n) => n.Name));
  for (const name of plan.externalNetworks) {
    if (!existing.has(name)) throw new PreconditionError(`network ${JSON.stringify(name)} is declared external but does not exist: create it with docker network create --driver overlay ${name}`);
  }
  for (const net of plan.networks) {
    if (existing.has(net.Name)) continue;
    try {
      await api.createNetwork(net);
      log(`created network ${net.Name}`);
    } catch (err) {
      if (!(err instanceof EngineApiError && err.status === 409)) throw err;
    }
  }
}

/** Fills in object ids and the spec-hash label. */
export function finalSpec(spec: ServiceSpec, secretIds: Map<string, string>, configIds: Map<string, string>): ServiceSpec {
  const out = structuredClone(spec);
  for (const s of out.TaskTemplate.ContainerSpec.Secrets ?? []) s.SecretID = secretIds.get(s.SecretName) ?? '';
  for (const c of out.TaskTemplate.ContainerSpec.Configs ?? []) c.ConfigID = configIds.get(c.ConfigName) ?? '';
  out.Labels = { ...out.Labels, [LABEL_SPEC_HASH]: specHash(out) };
  return out;
}

/**
 * Unchanged when the recorded hash matches and nobody changed the fields that drift most
 * out of band (`docker service update --image/--replicas` keeps our labels).
 */
function unchanged(current: ServiceInfo, spec: ServiceSpec): boolean {
  return (
    current.Spec.Labels?.[LABEL_SPEC_HASH] === spec.Labels[LABEL_SPEC_HASH] &&
    current.Spec.TaskTemplate.ContainerSpec.Image === spec.TaskTemplate.ContainerSpec.Image &&
    replicasOf(current.Spec) === replicasOf(spec) &&
    !current.Spec.TaskTemplate.ForceUpdate
  );
}

function replicasOf(spec: ServiceSpec): string {
  const mode = spec.Mode as Record<string, { Replicas?: number } | undefined>;
  if (mode['Replicated']) return `replicated:${mode['Replicated'].Replicas ?? 1}`;
  return Object.keys(spec.Mode).join(',');
}

/** Updates one service at the version just read; retries when another writer moved the index. */
export async function updateAtCurrentVersion(api: SwarmApi, id: string, spec: ServiceSpec, auth: ApplyOptions['registryAuth'], retries = 5): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const current = await api.inspectService(id);
    try {
      await api.updateService(id, current.Version.Index, spec, auth);
      return current.Version.Index;
    } catch (err) {
      const outOfSequence = err instanceof EngineApiError && /update out of sequence|version/i.test(err.message) && (err.status === 409 || err.status === 500 || err.status === 400);
      if (!outOfSequence || attempt >= retries) throw err;
    }
  }
}

export interface StackObjectIds {
  secretIds: Map<string, string>;
  configIds: Map<string, string>;
}

/** Networks, secrets and configs of the plan: created when missing; ids of everything referenced. */
export async function ensureStackObjects(api: SwarmApi, plan: StackPlan, log: (line: string) => void = () => undefined): Promise<StackObjectIds> {
  await ensureNetworks(api, plan, log);
  const secretIds = await ensureObjects(api, plan.stack, 'secret', plan.secrets, log);
  const configIds = await ensureObjects(api, plan.stack, 'config', plan.configs, log);
  const referenced = (f: (s: ServiceSpec) => string[]) => [...new Set(plan.services.flatMap(f))];
  await lookupExternal(api, 'secret', referenced((s) => (s.TaskTemplate.ContainerSpec.Secrets ?? []).map((r) => r.SecretName)), secretIds);
  await lookupExternal(api, 'config', referenced((s) => (s.TaskTemplate.ContainerSpec.Configs ?? []).map((r) => r.ConfigName)), configIds);
  return { secretIds, configIds };
}

/** Creates or updates each service with its final spec (ids and hash label already in it). */
export async function applyServices(api: SwarmApi, stack: string, specs: ServiceSpec[], opts: ApplyOptions = {}): Promise<ServiceChange[]> {
  const log = opts.log ?? (() => undefined);
  const existing = new Map<string, ServiceInfo>();
  for (const s of await api.listServices({ label: [`${LABEL_NAMESPACE}=${stack}`] })) existing.set(s.Spec.Name, s);
  const changes: ServiceChange[] = [];
  for (const spec of specs) {
    if (opts.only && !opts.only.includes(spec.Name)) continue;
    const current = existing.get(spec.Name);
    if (!current) {
      const { ID } = await api.createService(spec, opts.registryAuth);
      log(`created service ${spec.Name}`);
      changes.push({ name: spec.Name, id: ID, action: 'created', spec, previousVersion: null });
    } else if (unchanged(current, spec)) {
      changes.push({ name: spec.Name, id: current.ID, action: 'unchanged', spec, previousVersion: current.Version.Index });
    } else {
      const version = await updateAtCurrentVersion(api, current.ID, spec, opts.registryAuth, opts.maxVersionRetries);
      log(`updated service ${spec.Name}`);
      changes.push({ name: spec.Name, id: current.ID, action: 'updated', spec, previousVersion: version });
    }
  }
  return changes;
}

/** The whole plan: objects, then services. */
export async function applyStack(api: SwarmApi, plan: StackPlan, opts: ApplyOptions = {}): Promise<ServiceChange[]> {
  const ids = await ensureStackObjects(api, plan, opts.log);
  const specs = plan.services.map((s) => finalSpec(s, ids.secretIds, ids.configIds));
  return applyServices(api, plan.stack, specs, opts);
}
