// The subset of the Compose specification that the Swarm driver supports, as zod schemas.
// Key names, shapes and meanings follow the Compose specification (compose-spec.json);
// keys outside this subset are reported with their path (see load-compose.ts).
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const nameKey = /^[a-zA-Z0-9._-]+$/;
const extensions = <S extends z.ZodRawShape>(shape: S) => z.looseObject(shape); // x-* keys are checked separately

/** A strict object that ignores x-* extension keys (the specification allows them in most objects; it checks where). */
const strictObject = <S extends z.ZodRawShape>(shape: S) => z.preprocess(withoutExtensionKeys, z.strictObject(shape));

function withoutExtensionKeys(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('x-')));
}

/** A list of "KEY=VALUE" strings or a mapping; values may be null (environment: "KEY" alone). */
export const listOrDict = z.union([z.array(z.string()), z.record(z.string(), z.union([scalar, z.null()]))]);
const stringOrList = z.union([z.string(), z.array(z.string())]);
const duration = z.string().describe('a Go duration like "10s", "1m30s", "500ms"');

const command = z.union([z.string(), z.array(z.string()), z.null()]);

const healthcheck = strictObject({
  test: z.union([z.string(), z.array(z.string())]).optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  retries: z.number().int().min(0).optional(),
  start_period: duration.optional(),
  start_interval: duration.optional(),
  disable: z.boolean().optional(),
});

const updateConfig = strictObject({
  parallelism: z.number().int().min(0).optional(),
  delay: duration.optional(),
  failure_action: z.enum(['continue', 'rollback', 'pause']).optional(),
  monitor: duration.optional(),
  max_failure_ratio: z.number().min(0).optional(),
  order: z.enum(['start-first', 'stop-first']).optional(),
});

const resourceSet = strictObject({
  cpus: z.union([z.number(), z.string()]).optional(),
  memory: z.union([z.string(), z.number()]).optional(),
  pids: z.number().int().optional(),
});

const deploy = strictObject({
  mode: z.enum(['replicated', 'global', 'replicated-job', 'global-job']).optional(),
  replicas: z.number().int().min(0).optional(),
  endpoint_mode: z.enum(['vip', 'dnsrr']).optional(),
  labels: listOrDict.optional(),
  update_config: updateConfig.optional(),
  rollback_config: updateConfig.optional(),
  restart_policy: z
    .strictObject({
      condition: z.enum(['none', 'on-failure', 'any']).optional(),
      delay: duration.optional(),
      max_attempts: z.number().int().min(0).optional(),
      window: duration.optional(),
    })
    .optional(),
  resources: strictObject({ limits: resourceSet.optional(), reservations: resourceSet.optional() }).optional(),
  placement: z
    .strictObject({
      constraints: z.array(z.string()).optional(),
      preferences: z.array(strictObject({ spread: z.string() })).optional(),
      max_replicas_per_node: z.number().int().min(0).optional(),
    })
    .optional(),
});

const port = z.union([
  z.number().int(),
  z.string(),
  strictObject({
    target: z.number().int().min(1).max(65535),
    published: z.union([z.number().int(), z.string()]).optional(),
    protocol: z.enum(['tcp', 'udp', 'sctp']).optional(),
    mode: z.enum(['ingress', 'host']).optional(),
    name: z.string().optional(),
  }),
]);

const serviceVolume = z.union([
  z.string(),
  strictObject({
    type: z.enum(['volume', 'bind', 'tmpfs']),
    source: z.string().optional(),
    target: z.string(),
    read_only: z.boolean().optional(),
    consistency: z.string().optional(),
    volume: strictObject({ nocopy: z.boolean().optional() }).optional(),
    bind: strictObject({ propagation: z.string().optional(), create_host_path: z.boolean().optional() }).optional(),
    tmpfs: strictObject({ size: z.union([z.number(), z.string()]).optional(), mode: z.number().optional() }).optional(),
  }),
]);

const fileRef = z.union([
  z.string(),
  strictObject({
    source: z.string(),
    target: z.string().optional(),
    uid: z.string().optional(),
    gid: z.string().optional(),
    mode: z.number().int().optional(),
  }),
]);

const serviceNetworks = z.union([
  z.array(z.string()),
  z.record(z.string(), z.union([z.null(), strictObject({ aliases: z.array(z.string()).optional() })])),
]);

export const serviceSchema = extensions({
  image: z.string().optional(),
  build: z.union([z.string(), z.looseObject({ context: z.string().optional(), dockerfile: z.string().optional() })]).optional(),
  command: command.optional(),
  entrypoint: command.optional(),
  environment: listOrDict.optional(),
  labels: listOrDict.optional(),
  deploy: deploy.optional(),
  healthcheck: healthcheck.optional(),
  ports: z.array(port).optional(),
  networks: serviceNetworks.optional(),
  secrets: z.array(fileRef).optional(),
  configs: z.array(fileRef).optional(),
  volumes: z.array(serviceVolume).optional(),
  stop_grace_period: duration.optional(),
  stop_signal: z.string().optional(),
  logging: strictObject({ driver: z.string().optional(), options: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional() }).optional(),
  hostname: z.string().optional(),
  user: z.string().optional(),
  working_dir: z.string().optional(),
  extra_hosts: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
  dns: stringOrList.optional(),
  dns_search: stringOrList.optional(),
  dns_opt: z.array(z.string()).optional(),
  cap_add: z.array(z.string()).optional(),
  cap_drop: z.array(z.string()).optional(),
  init: z.boolean().optional(),
  read_only: z.boolean().optional(),
  tty: z.boolean().optional(),
  stdin_open: z.boolean().optional(),
  sysctls: listOrDict.optional(),
  restart: z.string().optional(),
  // Accepted and ignored on Swarm (as `docker stack deploy` ignores them): reported as warnings.
  depends_on: z.unknown().optional(),
  container_name: z.string().optional(),
});

const external = z.union([z.boolean(), strictObject({ name: z.string().optional() })]);

export const networkSchema = z.union([
  z.null(),
  extensions({
    name: z.string().optional(),
    driver: z.string().optional(),
    driver_opts: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    attachable: z.boolean().optional(),
    internal: z.boolean().optional(),
    labels: listOrDict.optional(),
    external: external.optional(),
    ipam: z
      .strictObject({
        driver: z.string().optional(),
        config: z.array(strictObject({ subnet: z.string().optional(), gateway: z.string().optional(), ip_range: z.string().optional() })).optional(),
      })
      .optional(),
  }),
]);

export const volumeSchema = z.union([
  z.null(),
  extensions({
    name: z.string().optional(),
    driver: z.string().optional(),
    driver_opts: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    labels: listOrDict.optional(),
    external: external.optional(),
  }),
]);

/** Secrets and configs: exactly one source. `environment` names a Slipway secret or variable. */
export const fileObjectSchema = extensions({
  name: z.string().optional(),
  file: z.string().optional(),
  environment: z.string().optional(),
  content: z.string().optional(),
  external: external.optional(),
  labels: listOrDict.optional(),
});

export const composeSchema = extensions({
  version: z.string().optional(),
  name: z.string().optional(),
  services: z.record(z.string().regex(nameKey), serviceSchema),
  networks: z.record(z.string().regex(nameKey), networkSchema).optional(),
  volumes: z.record(z.string().regex(nameKey), volumeSchema).optional(),
  secrets: z.record(z.string().regex(nameKey), fileObjectSchema).optional(),
  configs: z.record(z.string().regex(nameKey), fileObjectSchema).optional(),
});

export type ComposeFile = z.output<typeof composeSchema>;
export type ComposeService = z.output<typeof serviceSchema>;
export type ComposeFileObject = z.output<typeof fileObjectSchema>;
export type ComposeNetwork = z.output<typeof networkSchema>;
export type ComposeVolume = z.output<typeof volumeSchema>;

/** Keys each loose object allows (besides x-*), for the unknown-key report. */
export const ALLOWED_KEYS = {
  top: Object.keys(composeSchema.shape),
  service: Object.keys(serviceSchema.shape),
  network: ['name', 'driver', 'driver_opts', 'attachable', 'internal', 'labels', 'external', 'ipam'],
  volume: ['name', 'driver', 'driver_opts', 'labels', 'external'],
  fileObject: Object.keys(fileObjectSchema.shape),
} as const;

/** Keys `docker stack deploy` ignores on Swarm; we accept them with a warning. */
export const IGNORED_SERVICE_KEYS = ['depends_on', 'container_name'] as const;
