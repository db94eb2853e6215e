// The only module that reads process.env. Settings are validated once at start.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { defaultDataDir } from './default-data-dir.js';
import { httpsSettings, httpsSettingsSchema, HttpsSettingsIssue, type HttpsSettings } from './https-settings.js';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const settingsSchema = z.object({
  // No zod default: it depends on the user (default-data-dir.ts); settings-doc.ts says which.
  SLIPWAY_DATA_DIR: z.string().min(1).optional(),
  SLIPWAY_HOST: z.string().min(1).default('127.0.0.1'),
  SLIPWAY_PORT: z.coerce.number().int().min(0).max(65535).default(7070),
  SLIPWAY_EDGE_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SLIPWAY_EDGE_HTTPS_PORT: z
    .string()
    .regex(/^(off|\d{1,5})$/, 'expected a port (0 picks a free one) or "off" (no HTTPS listener)')
    .refine((v) => v === 'off' || Number(v) <= 65535, 'expected a port up to 65535')
    .optional(),
  SLIPWAY_EDGE_HOST: z.string().min(1).default('127.0.0.1'),
  SLIPWAY_EDGE: z.enum(['auto', 'off']).default('auto'),
  SLIPWAY_EDGE_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((v) => v.split(/[\s,]+/).filter((c) => c !== ''))
    .superRefine((cidrs, ctx) => {
      const bad = cidrs.find((c) => !isCidr(c));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${JSON.stringify(bad)} is not an IP address or CIDR; expected a comma-separated list such as "10.0.0.0/8, 192.168.1.10, fd00::/8"`,
        });
      }
    }),
  SLIPWAY_EDGE_RECONCILE_SECONDS: z.coerce.number().min(0.1).max(86_400).default(30),
  SLIPWAY_MASTER_KEY: z.string().min(1).optional(),
  SLIPWAY_URL: z.string().url().optional(),
  SLIPWAY_TOKEN: z.string().min(1).optional(),
  SLIPWAY_DOCKER_HOST: z
    .string()
    .regex(/^(unix|tcp|ssh):\/\//, 'expected unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST')
    .optional(),
  SLIPWAY_DOCKER_CERT_PATH: z.string().min(1).optional(),
  SLIPWAY_DOCKER_SSH_KEY: z.string().min(1).optional(),
  SLIPWAY_DOCKER_SSH_KNOWN_HOSTS: z.string().min(1).optional(),
  SLIPWAY_SWARM_REGISTRY: z.string().min(1).optional(),
  SLIPWAY_SWARM_EDGE_PORT: z.coerce.number().int().min(1).max(65535).default(80),
  SLIPWAY_SWARM_EDGE_HTTPS_PORT: z
    .union([z.literal('off'), z.coerce.number().int().min(1).max(65535)], { error: 'expected a port (1-65535) or "off"' })
    .default(443),
  SLIPWAY_SWARM_NODE_SOCKET: z.string().startsWith('/', 'expected an absolute path like /var/run/docker.sock').default('/var/run/docker.sock'),
  ...httpsSettingsSchema,
  LOG_LEVEL: z.enum(logLevels).default('info'),
  SLIPWAY_FAULT_CRASH_AT: z
    .string()
    .regex(/^(before|after):[a-z-]+$/, 'expected "before:<step>" or "after:<step>"')
    .optional(),
});

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export interface Settings {
  dataDir: string;
  host: string;
  port: number;
  edgeHost: string;
  edgePort: number;
  /** The edge's HTTPS listener: a port (0: a free one), or 'off'. Default 443 as root, 8443 otherwise. */
  edgeHttpsPort: number | 'off';
  edgeMode: 'auto' | 'off';
  /**
   * Peers (IPs and CIDRs) whose X-Forwarded-*, X-Real-IP and Forwarded headers the edge passes on;
   * from any other peer the edge drops them and sets X-Forwarded-* itself.
   */
  edgeTrustedProxies: string[];
  /** How often the control plane gives its edge every live route it lacks (also after each edge restart). */
  edgeReconcileMs: number;
  masterKey: string | undefined;
  url: string | undefined;
  token: string | undefined;
  logLevel: (typeof logLevels)[number];
  /** The Docker Engine of the Swarm (enables the swarm driver); DOCKER_HOST syntax. */
  dockerHost: string | undefined;
  /** Directory with ca.pem, cert.pem and key.pem for tcp:// with TLS. */
  dockerCertPath: string | undefined;
  /** Private key file for ssh://. */
  dockerSshKey: string | undefined;
  /** known_hosts file the ssh:// engine's host key must be in (default ~/.ssh/known_hosts). */
  dockerSshKnownHosts: string | undefined;
  /** Registry for built images when slipway.yml names none, e.g. registry.example.net:5000. */
  swarmRegistry: string | undefined;
  /** Host port the Swarm edge service publishes (host mode, on the manager). */
  swarmEdgePort: number;
  /** Host port the Swarm edge publishes its HTTPS listener on; "off": no HTTPS at the Swarm edge. */
  swarmEdgeHttpsPort: number | 'off';
  /** The Docker Engine socket on every Swarm node (bind-mounted into per-node jobs such as image pruning). */
  swarmNodeSocket: string;
  /** Testing only: the control plane kills itself (SIGKILL) at this step boundary. */
  faultCrashAt: string | undefined;
  /** ACME CA and account, challenge types, the RFC 2136 DNS server for dns-01. */
  https: HttpsSettings;
}

/** Documented in README.md ("Settings"); keep the two in step. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const name = String(first?.path[0] ?? 'environment');
    throw new SettingsError(`environment variable ${name}: ${first?.message ?? 'invalid'}`);
  }
  const s = parsed.data;
  let https: HttpsSettings;
  try {
    https = httpsSettings(s);
  } catch (err) {
    if (err instanceof HttpsSettingsIssue) throw new SettingsError(`environment variable ${err.variable}: ${err.message}`);
    throw err;
  }
  return {
    dataDir: dataDir(s.SLIPWAY_DATA_DIR, env),
    host: s.SLIPWAY_HOST,
    port: s.SLIPWAY_PORT,
    edgeHost: s.SLIPWAY_EDGE_HOST,
    edgePort: s.SLIPWAY_EDGE_PORT,
    edgeHttpsPort: httpsPort(s.SLIPWAY_EDGE_HTTPS_PORT),
    edgeMode: s.SLIPWAY_EDGE,
    edgeTrustedProxies: s.SLIPWAY_EDGE_TRUSTED_PROXIES,
    edgeReconcileMs: Math.round(s.SLIPWAY_EDGE_RECONCILE_SECONDS * 1000),
    masterKey: s.SLIPWAY_MASTER_KEY,
    url: s.SLIPWAY_URL,
    token: s.SLIPWAY_TOKEN,
    logLevel: s.LOG_LEVEL,
    dockerHost: s.SLIPWAY_DOCKER_HOST,
    dockerCertPath: s.SLIPWAY_DOCKER_CERT_PATH,
    dockerSshKey: s.SLIPWAY_DOCKER_SSH_KEY,
    dockerSshKnownHosts: s.SLIPWAY_DOCKER_SSH_KNOWN_HOSTS,
    swarmRegistry: s.SLIPWAY_SWARM_REGISTRY,
    swarmEdgePort: s.SLIPWAY_SWARM_EDGE_PORT,
    swarmEdgeHttpsPort: s.SLIPWAY_SWARM_EDGE_HTTPS_PORT,
    swarmNodeSocket: s.SLIPWAY_SWARM_NODE_SOCKET,
    faultCrashAt: s.SLIPWAY_FAULT_CRASH_AT,
    https,
  };
}

/** SLIPWAY_DATA_DIR (a relative one against the cwd), else the user's default, never the cwd's. */
function dataDir(value: string | undefined, env: NodeJS.ProcessEnv): string {
  if (value !== undefined) return path.resolve(value);
  try {
    return defaultDataDir({ uid: process.getuid?.(), home: env['HOME'] ?? passwdHome(), xdgStateHome: env['XDG_STATE_HOME'] });
  } catch (err) {
    throw new SettingsError(`environment variable SLIPWAY_DATA_DIR: ${(err as Error).message}`);
  }
}

/** The home directory in the passwd database, for an environment without HOME. */
function passwdHome(): string | undefined {
  try {
    return os.userInfo().homedir || undefined;
  } catch {
    return undefined;
  }
}

function httpsPort(value: string | undefined): number | 'off' {
  if (value === 'off') return 'off';
  if (value !== undefined) return Number(value);
  return process.getuid?.() === 0 ? 443 : 8443;
}

/** "10.0.0.0/8", "192.168.1.10", "fd00::/8": an IP address with an optional prefix length that fits it. */
export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const family = net.isIP(address);
  if (family === 0) return false;
  if (slash < 0) return true;
  const bits = value.slice(slash + 1);
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** The environment a child process inherits from Slipway: the basics, never Slipway's own secrets. */
export function baseChildEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER', 'SHELL'];
  const out: Record<string, string> = {};
  for (const k of keep) {
    const v = env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Every setting's name and its default as written in the environment (for `slipway server --help`). */
export function settingDefaults(): Array<{ name: string; default: string | undefined }> {
  const schema = z.toJSONSchema(settingsSchema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { default?: unknown }> };
  return Object.entries(schema.properties ?? {}).map(([name, p]) => ({ name, default: p.default === undefined ? undefined : String(p.default) }));
}

/** The XDG config dir of this user (`$XDG_CONFIG_HOME`, else `~/.config`): where user units go. */
export function userConfigHome(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg && path.isAbsolute(xdg)) return xdg;
  return path.join(env['HOME'] ?? passwdHome() ?? os.homedir(), '.config');
}

/** Names of the settings (for `slipway service install --env` to refuse a misspelt one). */
export function settingNames(): string[] {
  return Object.keys(settingsSchema.shape);
}
