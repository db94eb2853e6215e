// Validation of what the admin API accepts: one zod schema per body, errors name the field.
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';
import type { EdgeRoute } from '../../core/ports/edge-control.js';

const ROUTE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** A host, or a one-level wildcard "*.example.com" (matched by route-table.ts). */
const ROUTE_HOST = new RegExp(`^(\\*\\.)?${HOST.source.slice(1)}`);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export const routeIdSchema = z
  .string()
  .max(200)
  .regex(ROUTE_ID, 'expected an id like "app/env" (letters, digits, ".", "_", "-" and "/" between parts)');

const targetSchema = z.strictObject({
  url: z
    .string()
    .refine(isOriginUrl, { message: 'expected an origin like "http://127.0.0.1:3000" (http, no path, no query)' })
    .transform((u) => new URL(u).origin),
  release: z.string().min(1).max(200).optional(),
  discover: z.literal('dns').optional(),
});

const healthCheckSchema = z.strictObject({
  path: z.string().startsWith('/', 'expected a path starting with "/"').max(2000),
  intervalMs: z.number().int().min(50).max(3_600_000),
  timeoutMs: z.number().int().min(1).max(600_000),
  healthyThreshold: z.number().int().min(1).max(100),
});

const maintenancePage = z.enum(['short', 'long']);

const maintenanceSchema = z.strictObject({
  enabled: z.boolean(),
  message: z.string().max(10_000),
  retryAfterSeconds: z.number().int().min(0).max(86_400),
  page: maintenancePage.optional(),
});

const errorPage = z.string().max(256 * 1024);

/** An absolute path without "." or ".." segments, NUL or backslashes: the edge serves below it only. */
const absolutePath = z
  .string()
  .max(4096)
  .refine((p) => p.startsWith('/') && !/[\\\0]/.test(p) && !p.split('/').some((s) => s === '.' || s === '..'), {
    message: 'expected an absolute path without "." or ".." segments, like "/srv/app/releases/r1/static"',
  });

const urlPath = z
  .string()
  .max(2000)
  .regex(/^\/[^?#\s\\]*$/, 'expected a path starting with "/" without query, spaces or backslashes, like "/static"')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), { message: 'expected a path without "." or ".." segments' })
  .transform((p) => (p.length > 1 ? p.replace(/\/+$/, '') || '/' : p));

const staticMountSchema = z
  .strictObject({ path: urlPath, dir: absolutePath.optional(), file: absolutePath.optional(), tryFiles: z.boolean().optional() })
  .refine((m) => (m.dir === undefined) !== (m.file === undefined), { message: 'expected exactly one of dir or file' });

const redirectSchema = z
  .strictObject({
    fromHost: z.string().transform((h) => h.toLowerCase()).pipe(z.string().regex(HOST, 'expected a host name like "help.example"')).optional(),
    fromPath: urlPath.optional(),
    to: z.string().min(1).max(2000).regex(/^(https?:\/\/[^\s]+|\/[^\s]*)$/, 'expected an absolute URL ("https://example/help/") or a path ("/new")'),
    status: z.union([z.literal(301), z.literal(302), z.literal(307), z.literal(308)]),
    keepPath: z.boolean(),
  })
  .refine((r) => (r.fromHost === undefined) !== (r.fromPath === undefined), { message: 'expected exactly one of fromHost or fromPath' });

export const edgeRouteSchema = z.strictObject({
  id: routeIdSchema,
  hosts: z
    .array(
      z
        .string()
        .transform((h) => h.toLowerCase())
        .pipe(z.string().regex(ROUTE_HOST, 'expected a host name like "example.com" or a one-level wildcard like "*.example.com" (no port, no scheme)')),
    )
    .max(100),
  pathPrefix: z
    .string()
    .regex(/^\/[^?#\s]*$/, 'expected a path prefix starting with "/" without query or spaces, like "/event1"')
    .transform((p) => (p.length > 1 ? p.replace(/\/+$/, '') || '/' : p)),
  stripPrefix: z.boolean(),
  targets: z
    .array(targetSchema)
    .max(64)
    .refine((ts) => new Set(ts.map((t) => new URL(t.url).origin)).size === ts.length, {
      message: 'each target url must appear once',
    }),
  healthCheck: healthCheckSchema,
  drainTimeoutMs: z.number().int().min(0).max(600_000),
  releaseHeader: z.string().regex(HEADER_NAME, 'expected an HTTP header name like "X-Slipway-Release"').nullable(),
  release: z.string().max(200).nullable(),
  maintenance: maintenanceSchema.nullable(),
  upgrades: z
    .array(
      z
        .string()
        .regex(HEADER_NAME, 'expected an Upgrade protocol name like "h2c" (a token, without a version)')
        .transform((p) => p.toLowerCase()),
    )
    .max(16)
    .optional(),
  errorPages: z.strictObject({ '502': errorPage.optional(), '503': errorPage.optional(), '504': errorPage.optional() }).optional(),
  tls: z.strictObject({ hsts: z.boolean() }).nullable().optional(),
  pages: z
    .strictObject({
      maintenance: absolutePath.optional(),
      long_maintenance: absolutePath.optional(),
      '404': absolutePath.optional(),
      '500': absolutePath.optional(),
      '502': absolutePath.optional(),
      '503': absolutePath.optional(),
      '504': absolutePath.optional(),
    })
    .optional(),
  interceptErrors: z.boolean().optional(),
  static: z.array(staticMountSchema).max(64).optional(),
  redirects: z.array(redirectSchema).max(256).optional(),
  scriptName: z.boolean().optional(),
  canonicalHost: z
    .string()
    .transform((h) => h.toLowerCase())
    .nullable()
    .optional(),
  onDemandTls: z.boolean().optional(),
}).superRefine((route, ctx) => {
  const canonical = route.canonicalHost;
  if (canonical != null && !route.hosts.includes(canonical)) {
    ctx.addIssue({ code: 'custom', path: ['canonicalHost'], message: `expected one of the route's hosts (${route.hosts.join(', ') || 'none'}); the other hosts redirect to it` });
  }
  if (route.onDemandTls && !route.tls) {
    ctx.addIssue({ code: 'custom', path: ['onDemandTls'], message: 'on-demand certificates need tls on the route' });
  }
});

export const maintenanceBodySchema = z.strictObject({
  enabled: z.boolean(),
  message: z.string().max(10_000).optional(),
  retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
  page: maintenancePage.optional(),
});

export const pauseBodySchema = z.strictObject({
  maxHoldMs: z.number().int().min(1).max(600_000).optional(),
});

function isOriginUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const u = new URL(value);
  return u.protocol === 'http:' && (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash && !u.username;
}

/** Parses `input` or throws InvalidInputError naming the first bad field (`what: a.b.0: message`). */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0];
  const where = first?.path ? `${what}.${first.path}` : what;
  throw new InvalidInputError(`${where}: ${first?.message ?? 'invalid'}`, { issues });
}

export function parseRoute(input: unknown): EdgeRoute {
  return parseInput(edgeRouteSchema, input, 'route') as EdgeRoute;
}
