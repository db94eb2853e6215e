// The app spec, `slipway.yml`: one zod schema serves validation, types and the JSON Schema.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { databaseListSchema } from './database-spec.js';
import { targetSpecSchema } from './backup-target-spec.js';
import { keepWarmPolicy, keepWarmSchema, type KeepWarmPolicy } from './keep-warm-spec.js';
import { ArgvSyntaxError, COMMAND_BUILTINS, HTTP_BUILTIN, parseArgument, PROCESS_BUILTINS } from './argv-variables.js';

export const DURATION_HINT = 'a duration like "500ms", "10s", "5m" or "1h30m"';

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, { message: `expected ${DURATION_HINT}` })
  .transform((s) => parseDuration(s) as number)
  .describe(`A duration: ${DURATION_HINT}`);

const argv = z
  .array(z.string().min(1, 'an argument must not be empty'), {
    error: (iss) =>
      iss.input === undefined ? undefined : 'expected a command as an argv array, like ["node", "server.js"]',
  })
  .min(1, 'a command needs at least the program to run')
  .describe(
    'A command as an argv array, e.g. ["gunicorn", "--bind", "127.0.0.1:${PORT}", "app.wsgi"]. It is never run through a shell; Slipway expands ${NAME} inside arguments to the spec\'s variables, SLIPWAY_APP, SLIPWAY_ENV, SLIPWAY_RELEASE, and in processes SLIPWAY_PROCESS, SLIPWAY_INSTANCE and (http: true) PORT; never to secrets. $$ is a literal $.',
  );

const envName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a lowercase name: letters, digits and "-", starting with a letter');

const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const variables = z
  .record(
    z.string().regex(variableName, 'expected a variable name like DATABASE_URL'),
    z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)),
  )
  .describe('Environment variables given to every process, build and release command.');

export const healthCheckSchema = z
  .strictObject({
    path: z.string().startsWith('/', 'expected a path starting with "/"').default('/').describe('HTTP path probed on each instance.'),
    interval: duration.default(1000),
    timeout: duration.default(2000),
    retries: z.number().int().min(1).max(100).default(3).describe('Consecutive failures that mark an instance unhealthy.'),
    start_period: duration
      .default(30_000)
      .describe(
        'How long a new instance may take to start listening (default 30s): probes it does not answer during this time do not count. An answer with an error status always counts, so a failing health check fails after retries x interval.',
      ),
  })
  .describe('How Slipway decides that an instance is healthy.');

export const processSchema = z
  .strictObject({
    command: argv,
    instances: z.number().int().min(0).max(64).default(1),
    http: z.boolean().default(false).describe('Receives PORT and traffic from the edge.'),
    health: healthCheckSchema.optional(),
    min_uptime: duration.default(2000).describe('A process must stay up this long to count as started.'),
    stop_grace: duration.default(10_000).describe('Time between SIGTERM and SIGKILL.'),
  })
  .describe('A process type of the app (web, worker, ...).');

/** A host name (lower case, dots between labels), or a one-level wildcard "*.example.com". */
const HOST_NAME = /^(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const hostName = z
  .string()
  .min(1)
  .transform((h) => h.toLowerCase())
  .refine((h) => HOST_NAME.test(h), { message: 'expected a host name like "shop.example" (or a wildcard like "*.shop.example")' });

/** A name of one of the environment's Slipway secrets. */
const secretName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of a Slipway secret, like SHOP_TLS_CERT');

/** A path inside the release: relative, without "..", backslashes or NUL. */
const releasePath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !/[\\\0]/.test(p) && !p.split('/').includes('..'), {
    message: 'expected a path relative to the release root without ".." (like "app/static")',
  });

/** A URL path under the route's prefix. */
const mountPath = z
  .string()
  .max(1000)
  .regex(/^\/[^?#\s\\]*$/, 'expected a URL path starting with "/" (like "/static"), without query, spaces or backslashes')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), { message: 'expected a URL path without "." or ".." segments' });

export const staticMountSchema = z
  .strictObject({
    path: mountPath.describe('URL path under the route\'s path prefix: "/static" serves <prefix>/static/...'),
    dir: releasePath.optional().describe('Directory of the release served at path and below.'),
    file: releasePath.optional().describe('One file of the release served at exactly path (e.g. robots.txt).'),
    try_files: z.boolean().default(false).describe('A missing file (or a method other than GET/HEAD) goes to the app instead of 404/405.'),
  })
  .superRefine((m, ctx) => {
    if ((m.dir === undefined) === (m.file === undefined)) ctx.addIssue({ code: 'custom', path: ['dir'], message: 'give exactly one of dir (a directory) or file (one file)' });
  })
  .describe('Files the edge serves itself from the release, before the app.');

export const redirectSpecSchema = z
  .strictObject({
    from_host: hostName.optional().describe('Every request for this host is redirected (the host is added to the route).'),
    from_path: mountPath.optional().describe('Requests whose path (under the route\'s prefix) starts with this prefix are redirected.'),
    to: z.string().min(1).max(2000).regex(/^(https?:\/\/\S+|\/\S*)$/, 'expected an absolute URL ("https://example/help/") or a path ("/new")'),
    status: z.union([z.literal(301), z.literal(302), z.literal(307), z.literal(308)], { error: () => 'expected 301, 302, 307 or 308' }).default(301),
    keep_path: z.boolean().default(false).describe('Append the rest of the path and the query to "to".'),
  })
  .superRefine((r, ctx) => {
    if ((r.from_host === undefined) === (r.from_path === undefined)) ctx.addIssue({ code: 'custom', path: ['from_host'], message: 'give exactly one of from_host or from_path' });
  })
  .describe('A redirect the edge answers before static files and the app.');

export const routeTlsSchema = z
  .union([
    z.enum(['auto', 'off']),
    z.strictObject({
      certificate_secret: secretName.describe('Secret holding the PEM certificate chain, leaf first.'),
      key_secret: secretName.describe('Secret holding the PEM private key of the leaf.'),
    }),
  ], { error: () => 'expected "auto", "off" or { certificate_secret: NAME, key_secret: NAME }' })
  .describe('HTTPS for the route\'s hosts: "auto" (a certificate from the ACME CA), "off", or your own certificate from two Slipway secrets.');

/** An http(s) URL without credentials: the on-demand ask endpoint (called with ?domain=HOST). */
const askUrl = z
  .string()
  .max(2000)
  .refine((u) => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol) && !new URL(u).username && !new URL(u).password && !new URL(u).hash, {
    message: 'expected an http(s) URL like "http://127.0.0.1:9000/check" (no credentials, no fragment)',
  });

export const onDemandTlsSchema = z
  .strictObject({
    ask: askUrl.optional().describe('Asked GET <ask>?domain=HOST before a certificate is obtained for a new host; a 2xx answer allows it.'),
    allow: z.array(hostName).min(1, 'list at least one host, or leave allow out').max(1000).optional().describe('Hosts (or one-level wildcards "*.customers.example") allowed without asking.'),
    per_minute: z.number().int().min(1).max(600).default(10).describe('At most this many new certificates per minute for this route (also capped by SLIPWAY_ON_DEMAND_MAX_PER_HOUR).'),
  })
  .superRefine((o, ctx) => {
    if (o.ask === undefined && o.allow === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give ask (a URL that answers 2xx for allowed hosts) or allow (a list of hosts), or both' });
    }
  })
  .describe('Certificates obtained at the first TLS handshake for hosts not known in advance (custom domains); the route also serves hosts no other route claims.');

export const routeSchema = z
  .strictObject({
    host: hostName.optional().describe('Host header to match (shorthand for hosts: [host]); any host when neither is given.'),
    hosts: z.array(hostName).min(1, 'list at least one host, or leave hosts out').max(100).optional().describe('Host headers to match.'),
    path: z.string().startsWith('/', 'expected a path prefix starting with "/"').default('/'),
    strip_prefix: z.boolean().default(true).describe('Remove the path prefix before forwarding.'),
    release_header: z.boolean().default(true).describe('Add X-Slipway-Release to responses.'),
    upgrades: z
      .array(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an Upgrade protocol name like "h2c" (without a version)'))
      .max(16)
      .default([])
      .describe('HTTP Upgrade protocols besides WebSocket that the edge tunnels to the app (e.g. "h2c"); other upgrade requests are served as plain requests.'),
    tls: routeTlsSchema.default('off'),
    canonical_host: hostName.optional().describe('One of the hosts: requests for the others are redirected (308) to it.'),
    hsts: z.boolean().default(false).describe('Send Strict-Transport-Security on HTTPS responses (needs tls).'),
    on_demand_tls: onDemandTlsSchema.optional(),
    script_name: z.boolean().default(false).describe('Send X-Script-Name: <path> to the app (WSGI apps mounted under a sub-path, e.g. Django).'),
  })
  .superRefine((route, ctx) => {
    if (route.host !== undefined && route.hosts !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['hosts'], message: 'give either host (one host) or hosts (a list), not both: move the host into hosts' });
      return;
    }
    const hosts = route.hosts ?? (route.host !== undefined ? [route.host] : []);
    const seen = new Set<string>();
    hosts.forEach((h, i) => {
      if (seen.has(h)) ctx.addIssue({ code: 'custom', path: ['hosts', i], message: `"${h}" is listed twice` });
      seen.add(h);
    });
    if (route.tls !== 'off' && hosts.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls needs the host names to certify: add hosts: [your.domain] (or set tls: off)' });
    }
    const wildcards = hosts.filter((h) => h.startsWith('*.'));
    if (wildcards.length > 0 && route.tls === 'off') {
      // The edge matches route hosts exactly; a wildcard only makes sense for a certificate.
      ctx.addIssue({ code: 'custom', path: [route.hosts ? 'hosts' : 'host'], message: `the wildcard ${wildcards[0]} needs tls (auto, with a DNS provider, or your own certificate)` });
    }
    if (route.canonical_host !== undefined && !hosts.includes(route.canonical_host)) {
      ctx.addIssue({ code: 'custom', path: ['canonical_host'], message: `"${route.canonical_host}" is not one of the route's hosts (${hosts.join(', ') || 'none'}); name one of them or add it to hosts` });
    }
    if (route.canonical_host?.startsWith('*.')) {
      ctx.addIssue({ code: 'custom', path: ['canonical_host'], message: 'a wildcard cannot be the canonical host: name one exact host' });
    }
    if (route.hsts && route.tls === 'off') {
      ctx.addIssue({ code: 'custom', path: ['hsts'], message: 'hsts needs tls: set tls: auto (or your own certificate), or leave hsts out' });
    }
    if (route.on_demand_tls !== undefined && route.tls !== 'auto') {
      ctx.addIssue({ code: 'custom', path: ['on_demand_tls'], message: 'on_demand_tls needs tls: auto (the certificates come from the ACME CA)' });
    }
  })
  .describe('Where the edge serves this environment.');

/** The host names a route matches (host is the one-host shorthand of hosts); empty: any host. */
export function routeHosts(route: Pick<RouteSpec, 'host' | 'hosts'>): string[] {
  return route.hosts ?? (route.host !== undefined ? [route.host] : []);
}

export const environmentSchema = z
  .strictObject({
    branch: z.string().min(1).optional().describe('Pushes to this branch deploy the environment.'),
    tags: z.string().min(1).optional().describe('Tags matching this glob (e.g. "v*") deploy the environment.'),
    auto_deploy: z.boolean().default(true).describe('When false, only manual deploys and promotions.'),
    variables: variables.default({}),
    keep_releases: z.number().int().min(2).max(100).default(5),
    require_tests: z.boolean().default(false).describe('Run the test command before building a release.'),
    require_ci_status: z.boolean().default(false).describe('Deploy only commits that an external CI reported green.'),
    route: routeSchema.optional(),
    redirects: z.array(redirectSpecSchema).max(256).default([]).describe('Redirects the edge answers for this environment before static files and the app.'),
    drain_timeout: duration.default(30_000),
    keep_warm: keepWarmSchema.optional(),
    databases: databaseListSchema.default([]).describe('Databases backed up before migrations, on a schedule, and drilled.'),
  })
  .describe('A deployment target such as staging or production.');

export const sharedSchema = z
  .strictObject({
    dirs: z.array(z.string().min(1)).default([]).describe('Directories kept across releases, linked into each.'),
    files: z.array(z.string().min(1)).default([]).describe('Files kept across releases, linked into each.'),
  })
  .describe('Paths that outlive releases (uploads, SQLite files, .env).');

export const swarmSchema = z
  .strictObject({
    compose: z.string().min(1).default('docker-compose.yml'),
    stack: z.string().min(1).optional(),
    registry: z.string().min(1).optional(),
    image_service: z.array(z.string()).optional(),
    route: z
      .strictObject({
        service: z.string().min(1).describe('The compose service that answers HTTP, e.g. "web".'),
        port: z.number().int().min(1).max(65535).describe('The port it listens on inside its containers.'),
        health_path: z.string().startsWith('/', 'expected a path starting with "/"').optional().describe('Path the edge probes on each task (default "/").'),
      })
      .optional()
      .describe('The service the Slipway edge routes the environment\'s hosts to (or the label slipway.route.port on that service).'),
  })
  .describe('Options of the Docker Swarm driver.');

export const appSpecSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a lowercase name').optional(),
    driver: z.enum(['process', 'swarm']).default('process'),
    processes: z.record(envName, processSchema).default({}),
    build: z.array(argv).default([]).describe('Commands that build the release, run in the release directory.'),
    test: z.array(argv).default([]).describe('Commands that must pass (with require_tests: true) before a release is staged or started: run after the build, in the checked-out tree (process) or inside the built image (swarm).'),
    release: z.array(argv).default([]).describe('Release phase (migrations): run once per deploy before traffic moves.'),
    after_deploy: z
      .array(argv)
      .default([])
      .describe('Commands run once after traffic moved to the new release (cache warm-up, a notification), in the release directory like release commands. A failure is reported in the deployment log and never undoes a healthy deploy.'),
    shared: sharedSchema.default({ dirs: [], files: [] }),
    static: z.array(staticMountSchema).max(64).default([]).describe('Files of the release the edge serves itself, under the route\'s path prefix.'),
    pages: z
      .strictObject({
        maintenance: releasePath.optional().describe('HTML page served (503) in maintenance mode.'),
        long_maintenance: releasePath.optional().describe('HTML page served with `slipway maintenance on APP ENV --page long`.'),
        '404': releasePath.optional().describe('Served for the edge\'s own 404s (static files) and, with intercept_errors, the app\'s.'),
        '500': releasePath.optional().describe('Served, with intercept_errors, for the app\'s 500s.'),
        '502': releasePath.optional(),
        '503': releasePath.optional(),
        '504': releasePath.optional(),
      })
      .default({})
      .describe('HTML pages of the release (at most 256 KiB each) the edge serves for maintenance and its own errors.'),
    intercept_errors: z.boolean().default(false).describe('Replace the app\'s own 404 and 5xx answers with the page for that status, when pages has one.'),
    variables: variables.default({}),
    environments: z.record(envName, environmentSchema).refine((e) => Object.keys(e).length > 0, {
      message: 'at least one environment is required, e.g. environments: { staging: { branch: main } }',
    }),
    swarm: swarmSchema.optional(),
    keep_warm: keepWarmSchema.optional(),
    backup_targets: z.array(targetSpecSchema).default([]).describe('Where backups go; "local" (<data dir>/backups) needs no entry.'),
  })
  .superRefine((spec, ctx) => {
    const targets = new Set(['local']);
    spec.backup_targets.forEach((t, i) => {
      if (targets.has(t.name) && t.name !== 'local') ctx.addIssue({ code: 'custom', path: ['backup_targets', i, 'name'], message: `duplicate backup target name "${t.name}"` });
      targets.add(t.name);
    });
    for (const [envName, env] of Object.entries(spec.environments)) {
      env.databases.forEach((db, i) => {
        if (!targets.has(db.target)) {
          ctx.addIssue({
            code: 'custom',
            path: ['environments', envName, 'databases', i, 'target'],
            message: `no backup target named "${db.target}"; define it under backup_targets or use "local"`,
          });
        }
      });
    }
    for (const [name, p] of Object.entries(spec.processes)) {
      if (p.health && !p.http) {
        ctx.addIssue({ code: 'custom', path: ['processes', name, 'health'], message: 'a health check needs http: true' });
      }
    }
    checkArgvReferences(spec, ctx);
    for (const [list, items] of [['dirs', spec.shared.dirs], ['files', spec.shared.files]] as const) {
      items.forEach((p, i) => {
        if (p.startsWith('/') || p.split('/').includes('..')) {
          ctx.addIssue({ code: 'custom', path: ['shared', list, i], message: 'expected a relative path inside the release' });
        }
      });
    }
  })
  .describe('Slipway app spec (slipway.yml)');

type SpecShape = {
  variables: Record<string, string>;
  environments: Record<string, { variables: Record<string, string> }>;
  processes: Record<string, { command: string[]; http: boolean }>;
  build: string[][];
  test: string[][];
  release: string[][];
  after_deploy: string[][];
};

/** Every `${NAME}` in a command must be one Slipway gives that command, in every environment (see argv-variables.ts). */
function checkArgvReferences(spec: SpecShape, ctx: z.RefinementCtx): void {
  const envs = Object.entries(spec.environments);
  const check = (argv: string[], path: (string | number)[], builtins: readonly string[]) => {
    argv.forEach((arg, i) => {
      let parts;
      try {
        parts = parseArgument(arg);
      } catch (err) {
        if (!(err instanceof ArgvSyntaxError)) throw err;
        ctx.addIssue({ code: 'custom', path: [...path, i], message: err.message });
        return;
      }
      for (const p of parts) {
        if (!('ref' in p) || builtins.includes(p.ref) || p.ref in spec.variables) continue;
        const missing = envs.filter(([, env]) => !(p.ref in env.variables)).map(([name]) => name);
        if (missing.length === 0) continue;
        const message =
          p.ref === HTTP_BUILTIN
            ? '${PORT} is given only to processes with http: true'
            : `\${${p.ref}} is not a variable${missing.length < envs.length ? ` of environment ${missing.join(', ')}` : ''}: define it under variables (secrets are never put on a command line, which every user of the host can read: read them from the environment), or write $$ for a literal $`;
        ctx.addIssue({ code: 'custom', path: [...path, i], message });
      }
    });
  };
  for (const [name, p] of Object.entries(spec.processes)) {
    check(p.command, ['processes', name, 'command'], [...COMMAND_BUILTINS, ...PROCESS_BUILTINS, ...(p.http ? [HTTP_BUILTIN] : [])]);
  }
  for (const list of ['build', 'test', 'release', 'after_deploy'] as const) {
    spec[list].forEach((argv, i) => check(argv, [list, i], COMMAND_BUILTINS));
  }
}

export type AppSpec = z.output<typeof appSpecSchema>;
export type AppSpecInput = z.input<typeof appSpecSchema>;
export type ProcessSpec = z.output<typeof processSchema>;
export type EnvironmentSpec = z.output<typeof environmentSchema>;
export type HealthCheckSpec = z.output<typeof healthCheckSchema>;
export type RouteSpec = z.output<typeof routeSchema>;
export type RouteTlsSpec = z.output<typeof routeTlsSchema>;
export type OnDemandTlsSpec = z.output<typeof onDemandTlsSchema>;

/** Whether (and how long) a release replaced in `envName` is kept warm; null: stopped at once. */
export function keepWarmOf(spec: Pick<AppSpec, 'keep_warm' | 'environments'>, envName: string): KeepWarmPolicy | null {
  return keepWarmPolicy(spec.keep_warm, spec.environments[envName]?.keep_warm);
}

/** The JSON Schema shipped for editors (schema/slipway.schema.json is generated from this). */
export function appSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(appSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
