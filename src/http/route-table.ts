// Routes declared as data: one table registers them with Fastify, validates their input with
// zod and produces the OpenAPI document.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { describeIssue } from '../core/config-file.js';
import type { Actor } from '../services/actor.js';

export interface RouteInput<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  actor: Actor;
  req: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDef<B = unknown, Q = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  status?: number;
  /**
   * When the success status depends on the result: `of` picks it, and `statuses` names every
   * status it can pick with its meaning (for the OpenAPI document). `status` is then unused.
   */
  statusByResult?: { of(result: unknown): number; statuses: Record<number, string> };
  /** Skip the bearer token (health, OpenAPI; the webhook receiver, whose signature is its auth). */
  public?: boolean;
  /** Raw body handling (uploads); the handler reads req.body as a stream. */
  raw?: { contentTypes: string[]; bodyLimit: number };
  /**
   * Raw-body route (signature checks): req.body is a Buffer of the exact bytes sent, whatever the
   * Content-Type (or none), up to `bodyLimit` (over it answers 413); an empty body is an empty Buffer.
   */
  rawBytes?: { bodyLimit: number };
  handler(input: RouteInput<B, Q>): Promise<unknown>;
}

/**
 * A response body that is already JSON (a cached view, as text or UTF-8 bytes): sent as is, not
 * re-serialized, and not scanned again by the redaction hook when its producer says it is
 * `redacted` already. With an `etag`, a request whose If-None-Match names it gets 304.
 */
export class JsonText {
  constructor(
    readonly text: string | Buffer,
    readonly redacted = false,
    readonly etag?: string,
  ) {}
}

/** Set on a reply whose body needs no redaction pass (see JsonText). */
export const PRE_REDACTED = Symbol('slipway.preRedacted');

export function route<B = undefined, Q = undefined>(def: RouteDef<B, Q>): RouteDef {
  return def as unknown as RouteDef;
}

export function parseInput<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query'): T {
  const result = schema.safeParse(value ?? (where === 'query' ? {} : undefined), { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues.map(describeIssue).map((i) => ({ ...i, path: `${where}${i.path === '(top level)' ? '' : `.${i.path}`}` }));
  throw new InvalidInputError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
}

export function registerRoutes(app: FastifyInstance, routes: RouteDef[], authenticate: (req: FastifyRequest) => Promise<Actor>): void {
  for (const def of routes) if (!def.rawBytes) addRoute(app, def, authenticate);
  const byteRoutes = routes.filter((def) => def.rawBytes);
  if (byteRoutes.length === 0) return;
  // Raw-body routes live in their own encapsulated context, where every content type (and none) is
  // read as a Buffer: the parsers of the other routes (JSON, text, tarball streams) must not touch
  // the bytes a signature covers.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    for (const def of byteRoutes) addRoute(scope, def, authenticate);
  });
}

function addRoute(app: FastifyInstance, def: RouteDef, authenticate: (req: FastifyRequest) => Promise<Actor>): void {
  const bodyLimit = def.raw?.bodyLimit ?? def.rawBytes?.bodyLimit;
  app.route({
    method: def.method,
    url: def.url,
    ...(bodyLimit !== undefined ? { bodyLimit } : {}),
    handler: async (req, reply) => {
      const actor = def.public ? { name: 'anonymous' } : await authenticate(req);
      if (def.body && !isJsonRequest(req)) throw new UnsupportedMediaTypeError();
      const body = def.body ? parseInput(def.body, req.body, 'body') : def.rawBytes && !Buffer.isBuffer(req.body) ? Buffer.alloc(0) : req.body;
      const query = def.query ? parseInput(def.query, req.query, 'query') : req.query;
      const result = await def.handler({ body, query, params: req.params as Record<string, string>, actor, req, reply });
      if (reply.sent) return reply;
      const status = def.statusByResult ? def.statusByResult.of(result) : def.status;
      if (result === undefined) return reply.status(status ?? 204).send();
      if (result instanceof JsonText) return sendJsonText(req, reply, result, status ?? 200);
      return reply.status(status ?? 200).send(result);
    },
  });
}

function sendJsonText(req: FastifyRequest, reply: FastifyReply, result: JsonText, status: number): FastifyReply {
  if (result.redacted) (reply as unknown as Record<symbol, boolean>)[PRE_REDACTED] = true;
  if (result.etag) {
    reply.header('etag', result.etag);
    if (etagMatches(req.headers['if-none-match'], result.etag)) return reply.status(304).send();
  }
  return reply.status(status).type('application/json; charset=utf-8').send(result.text);
}

/** If-None-Match: `*` or a list of tags; weak tags (W/"…") compare equal to strong ones here. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/**
 * A JSON route must not accept the bodies Fastify parses for other routes (text/plain as a string,
 * tarballs as a stream): those would reach the schema as a string or a stream object.
 */
function isJsonRequest(req: FastifyRequest): boolean {
  if (req.body === undefined) return true;
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

/** Mapped to 415 by the error handler (Fastify's own code for an unsupported Content-Type). */
class UnsupportedMediaTypeError extends Error {
  readonly statusCode = 415;
  readonly code = 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
  constructor() {
    super('unsupported Content-Type; send application/json');
  }
}

export function openApiDocument(routes: RouteDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of routes) {
    const path = def.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...def.url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = def.query ? querySchemaParams(def.query) : [];
    const op: Record<string, unknown> = {
      summary: def.summary,
      tags: [def.tag],
      parameters: [...params, ...query],
      responses: {
        ...(def.statusByResult
          ? Object.fromEntries(Object.entries(def.statusByResult.statuses).map(([status, description]) => [status, { description }]))
          : { [String(def.status ?? 200)]: { description: 'success' } }),
        '4XX': { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
      ...(def.public ? { security: [] } : {}),
    };
    if (def.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: z.toJSONSchema(def.body, { io: 'input', unrepresentable: 'any' }) } } };
    if (def.raw) op['requestBody'] = { required: true, content: Object.fromEntries(def.raw.contentTypes.map((c) => [c, { schema: { type: 'string', format: 'binary' } }])) };
    if (def.rawBytes) {
      op['requestBody'] = {
        required: false,
        description: `Read as raw bytes whatever the Content-Type (at most ${def.rawBytes.bodyLimit} bytes)`,
        content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
      };
    }
    (paths[path] ??= {})[def.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Slipway control plane', version },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } }, required: ['code', 'message'] } },
        },
      },
    },
    paths,
  };
}

function querySchemaParams(schema: z.ZodType): unknown[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: s }));
}
