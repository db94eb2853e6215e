// One Compose service -> one Swarm ServiceSpec, field for field as `docker stack deploy`
// builds it (docker/cli cli/compose/convert/service.go), with lists sorted so that an
// unchanged file yields an identical spec.
import type { ComposeFile, ComposeService } from './compose-schema.js';
import { parseGoDuration } from './go-duration.js';
import { parseByteSize } from '../../../core/byte-size.js';
import { convertMounts } from './convert-mounts.js';
import { convertPorts } from './convert-ports.js';
import { convertFileRefs } from './convert-file-refs.js';
import { LABEL_IMAGE, sortKeys, stackLabels, toStringMap, type Namespace } from './namespace.js';
import { splitShellWords } from './shell-words.js';
import type { ContainerSpec, HealthConfig, ServiceMode, ServiceSpec, TaskTemplate, UpdateConfig } from './swarm-types.js';

export interface ServiceContext {
  file: ComposeFile;
  ns: Namespace;
  /** Final names of the stack's secrets and configs by compose key (versioned or not). */
  secretNames: Record<string, string>;
  configNames: Record<string, string>;
  issues: string[];
}

function duration(text: string | undefined, path: string, issues: string[]): number | undefined {
  if (text === undefined) return undefined;
  const ns = parseGoDuration(text);
  if (ns === undefined) issues.push(`${path}: ${JSON.stringify(text)} is not a duration like "10s", "1m30s" or "500ms"`);
  return ns;
}

function words(value: string | string[] | null | undefined, path: string, issues: string[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value;
  const split = splitShellWords(value);
  if ('error' in split) {
    issues.push(`${path}: ${split.error} in ${JSON.stringify(value)}`);
    return undefined;
  }
  return split;
}

export function convertEnvironment(env: ComposeService['environment']): string[] {
  if (!env) return [];
  const list = Array.isArray(env) ? env : Object.entries(env).map(([k, v]) => (v === null ? k : `${k}=${String(v)}`));
  return [...list].sort();
}

function convertHealthcheck(h: ComposeService['healthcheck'], path: string, issues: string[]): HealthConfig | undefined {
  if (!h) return undefined;
  if (h.disable) {
    if (h.test !== undefined) issues.push(`${path}: test and disable cannot be set at the same time`);
    return { Test: ['NONE'] };
  }
  const out: HealthConfig = {};
  if (h.test !== undefined) out.Test = typeof h.test === 'string' ? ['CMD-SHELL', h.test] : h.test;
  const set = (key: 'Interval' | 'Timeout' | 'StartPeriod', text: string | undefined, field: string) => {
    const v = duration(text, `${path}.${field}`, issues);
    if (v) out[key] = v;
  };
  set('Interval', h.interval, 'interval');
  set('Timeout', h.timeout, 'timeout');
  set('StartPeriod', h.start_period, 'start_period');
  if (h.retries) out.Retries = h.retries;
  return out;
}

type UpdateSource = NonNullable<NonNullable<ComposeService['deploy']>['update_config']>;

function convertUpdateConfig(u: UpdateSource | undefined, path: string, issues: string[]): UpdateConfig | undefined {
  if (!u) return undefined;
  const out: UpdateConfig = { Parallelism: u.parallelism ?? 1 };
  const delay = duration(u.delay, `${path}.delay`, issues);
  if (delay) out.Delay = delay;
  if (u.failure_action) out.FailureAction = u.failure_action;
  const monitor = duration(u.monitor, `${path}.monitor`, issues);
  if (monitor) out.Monitor = monitor;
  if (u.max_failure_ratio) out.MaxFailureRatio = u.max_failure_ratio;
  if (u.order) out.Order = u.order;
  return out;
}

function convertMode(d: ComposeService['deploy'], path: string, issues: string[]): ServiceMode {
  const mode = d?.mode ?? 'replicated';
  const replicas = d?.replicas;
  if ((mode === 'global' || mode === 'global-job') && replicas !== undefined) issues.push(`${path}.replicas: replicas can only be used with replicated or replicated-job mode`);
  switch (mode) {
    case 'global':
      return { Global: {} };
    case 'global-job':
      return { GlobalJob: {} };
    case 'replicated-job':
      return { ReplicatedJob: replicas === undefined ? {} : { MaxConcurrent: replicas, TotalCompletions: replicas } };
    default:
      return { Replicated: replicas === undefined ? {} : { Replicas: replicas } };
  }
}

function nanoCpus(v: number | string | undefined, path: string, issues: string[]): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    issues.push(`${path}: expected a number of CPUs like 0.5`);
    return undefined;
  }
  return Math.round(n * 1e9);
}

function convertResources(r: NonNullable<ComposeService['deploy']>['resources'], path: string, issues: string[]): TaskTemplate['Resources'] {
  const out: NonNullable<TaskTemplate['Resources']> = {};
  for (const [key, src] of [['Limits', r?.limits], ['Reservations', r?.reservations]] as const) {
    if (!src) continue;
    const set: { NanoCPUs?: number; MemoryBytes?: number; Pids?: number } = {};
    const cpus = nanoCpus(src.cpus, `${path}.${key.toLowerCase()}.cpus`, issues);
    if (cpus) set.NanoCPUs = cpus;
    if (src.memory !== undefined) {
      const bytes = parseByteSize(src.memory);
      if (bytes === undefined) issues.push(`${path}.${key.toLowerCase()}.memory: expected a size like "512M"`);
      else if (bytes) set.MemoryBytes = bytes;
    }
    if (src.pids && key === 'Limits') set.Pids = src.pids;
    out[key] = set;
  }
  return out;
}

function convertRestartPolicy(svc: ComposeService, path: string, issues: string[]): TaskTemplate['RestartPolicy'] {
  const rp = svc.deploy?.restart_policy;
  if (rp) {
    const out: NonNullable<TaskTemplate['RestartPolicy']> = {};
    if (rp.condition) out.Condition = rp.condition;
    const delay = duration(rp.delay, `${path}.deploy.restart_policy.delay`, issues);
    if (delay !== undefined) out.Delay = delay;
    if (rp.max_attempts !== undefined) out.MaxAttempts = rp.max_attempts;
    const window = duration(rp.window, `${path}.deploy.restart_policy.window`, issues);
    if (window !== undefined) out.Window = window;
    return out;
  }
  if (!svc.restart) return undefined;
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(svc.restart);
  if (!m) {
    issues.push(`${path}.restart: expected no, always, unless-stopped or on-failure[:N]`);
    return undefined;
  }
  if (m[1] === 'no') return undefined;
  const out: NonNullable<TaskTemplate['RestartPolicy']> = { Condition: m[1] === 'on-failure' ? 'on-failure' : 'any' };
  if (m[2] && Number(m[2]) > 0) out.MaxAttempts = Number(m[2]);
  return out;
}

function convertNetworks(svc: ComposeService, name: string, ctx: ServiceContext, path: string): TaskTemplate['Networks'] {
  const declared = svc.networks ?? {};
  const entries: [string, { aliases?: string[] } | null][] = Array.isArray(declared) ? declared.map((n) => [n, null]) : Object.entries(declared);
  if (entries.length === 0) entries.push(['default', null]);
  const out = entries.map(([net, cfg]) => {
    const def = ctx.file.networks?.[net];
    if (net !== 'default' && !(ctx.file.networks && net in ctx.file.networks)) ctx.issues.push(`${path}.networks: undefined network ${JSON.stringify(net)}: declare it under the top-level networks:`);
    const target = def?.name ?? ctx.ns.scope(net);
    const builtin = ['bridge', 'host', 'none', 'default'].includes(target);
    return { Target: target, Aliases: [...(cfg?.aliases ?? []), ...(builtin ? [] : [name])] };
  });
  return out.sort((a, b) => (a.Target < b.Target ? -1 : a.Target > b.Target ? 1 : 0));
}

export function convertService(name: string, svc: ComposeService, image: string | undefined, ctx: ServiceContext): ServiceSpec {
  const path = `services.${name}`;
  const issues = ctx.issues;
  const finalImage = image ?? svc.image;
  if (!finalImage) issues.push(`${path}: no image: set image: or build: (Slipway builds it and deploys it by digest)`);
  const container: ContainerSpec = { Image: finalImage ?? '', Labels: stackLabels(ctx.ns, svc.labels) };
  const command = words(svc.entrypoint, `${path}.entrypoint`, issues);
  if (command) container.Command = command;
  const args = words(svc.command, `${path}.command`, issues);
  if (args) container.Args = args;
  if (svc.hostname) container.Hostname = svc.hostname;
  const env = convertEnvironment(svc.environment);
  if (env.length) container.Env = env;
  if (svc.working_dir) container.Dir = svc.working_dir;
  if (svc.user) container.User = svc.user;
  const mounts = convertMounts(svc.volumes ?? [], ctx.file, ctx.ns, `${path}.volumes`, issues);
  if (mounts.length) container.Mounts = mounts;
  const grace = duration(svc.stop_grace_period, `${path}.stop_grace_period`, issues);
  if (grace !== undefined) container.StopGracePeriod = grace;
  if (svc.stop_signal) container.StopSignal = svc.stop_signal;
  if (svc.tty) container.TTY = true;
  if (svc.stdin_open) container.OpenStdin = true;
  if (svc.read_only) container.ReadOnly = true;
  const health = convertHealthcheck(svc.healthcheck, `${path}.healthcheck`, issues);
  if (health) container.Healthcheck = health;
  if (svc.extra_hosts) {
    const hosts = Array.isArray(svc.extra_hosts) ? svc.extra_hosts.map((h) => h.split(/[:=](.*)/s)) : Object.entries(svc.extra_hosts);
    container.Hosts = hosts.filter((h) => h[1] !== undefined).map(([host, ip]) => `${ip} ${host}`);
  }
  const dns = svc.dns === undefined ? [] : ([] as string[]).concat(svc.dns);
  const search = svc.dns_search === undefined ? [] : ([] as string[]).concat(svc.dns_search);
  if (dns.length || search.length) container.DNSConfig = { ...(dns.length ? { Nameservers: dns } : {}), ...(search.length ? { Search: search } : {}) };
  const secrets = convertFileRefs('secret', svc.secrets ?? [], ctx.secretNames, `${path}.secrets`, issues);
  if (secrets.length) container.Secrets = secrets.map((r) => ({ File: r.File, SecretName: r.Name }));
  const configs = convertFileRefs('config', svc.configs ?? [], ctx.configNames, `${path}.configs`, issues);
  if (configs.length) container.Configs = configs.map((r) => ({ File: r.File, ConfigName: r.Name }));
  if (svc.init !== undefined) container.Init = svc.init;
  if (svc.sysctls) container.Sysctls = sortKeys(toStringMap(svc.sysctls));
  if (svc.cap_add?.length) container.CapabilityAdd = svc.cap_add;
  if (svc.cap_drop?.length) container.CapabilityDrop = svc.cap_drop;

  const task: TaskTemplate = { ContainerSpec: container, Resources: convertResources(svc.deploy?.resources, `${path}.deploy.resources`, issues) };
  const restart = convertRestartPolicy(svc, path, issues);
  if (restart) task.RestartPolicy = restart;
  const pl = svc.deploy?.placement;
  task.Placement = {};
  if (pl?.constraints?.length) task.Placement.Constraints = pl.constraints;
  if (pl?.preferences?.length) task.Placement.Preferences = pl.preferences.map((p) => ({ Spread: { SpreadDescriptor: p.spread } }));
  if (pl?.max_replicas_per_node) task.Placement.MaxReplicas = pl.max_replicas_per_node;
  task.Networks = convertNetworks(svc, name, ctx, path);
  if (svc.logging) {
    task.LogDriver = { Name: svc.logging.driver ?? '' };
    if (svc.logging.options) task.LogDriver.Options = Object.fromEntries(Object.entries(svc.logging.options).map(([k, v]) => [k, v === null ? '' : String(v)]));
  }

  const spec: ServiceSpec = {
    Name: ctx.ns.scope(name),
    Labels: sortKeys({ ...stackLabels(ctx.ns, svc.deploy?.labels), [LABEL_IMAGE]: finalImage ?? '' }),
    TaskTemplate: task,
    Mode: convertMode(svc.deploy, `${path}.deploy`, issues),
    EndpointSpec: {},
  };
  const ports = convertPorts(svc.ports ?? [], `${path}.ports`, issues);
  if (svc.deploy?.endpoint_mode) spec.EndpointSpec = { Mode: svc.deploy.endpoint_mode };
  if (ports.length) spec.EndpointSpec = { ...spec.EndpointSpec, Ports: ports };
  const update = convertUpdateConfig(svc.deploy?.update_config, `${path}.deploy.update_config`, issues);
  if (update) spec.UpdateConfig = update;
  const rollback = convertUpdateConfig(svc.deploy?.rollback_config, `${path}.deploy.rollback_config`, issues);
  if (rollback) spec.RollbackConfig = rollback;
  return spec;
}
