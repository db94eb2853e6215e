// The control plane's HTTP API: Fastify, bearer tokens, routes from the route table.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../core/errors.js';
import type { Logger } from '../platform/logger.js';
import type { Actor } from '../services/actor.js';
import type { Services } from '../services/services.js';
import { installErrorHandler } from './error-handler.js';
import { openApiDocument, PRE_REDACTED, registerRoutes, route, type RouteDef } from './route-table.js';
import { appRoutes } from './routes/app-routes.js';
import { deploymentRoutes } from './routes/deployment-routes.js';
import { secretRoutes } from './routes/secret-routes.js';

export interface HttpAppOptions {
  services: Services;
  logger: Logger;
  redact: (text: string) => string;
  version: string;
  /** Largest JSON body accepted (default 1 MiB). */
  bodyLimit?: number;
  /** More routes from other capabilities (webhooks, backups, ...). */
  extraRoutes?: RouteDef[];
}

/** Fastify calls this only for a route with a JSON `schema`; routes here validate with zod. */
function noSchemaCompiler(): never {
  throw new Error('Fastify route schemas are not supported here: declare `body`/`query` zod schemas in the route table (src/http/route-table.ts)');
}

export async function buildHttpApp(opts: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger as unknown as FastifyBaseLogger,
    // No per-request log lines (the audit trail records what matters); the top-level
    // disableRequestLogging option is deprecated in Fastify 5.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
    // Request validation is zod (route-table.ts); no route declares a Fastify JSON schema. Without
    // these, Fastify loads Ajv and fast-json-stringify at start for nothing.
    schemaController: { compilersFactory: { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler } },
  });
  installErrorHandler(app, opts.redact);
  // Every response passes the redactor: a secret value a caller typed into another field (an audit
  // target, an error recorded by the audit trail) must not come back out through the API.
  app.addHook('onSend', async (_req, reply, payload) =>
    typeof payload === 'string' && !(reply as unknown as Record<symbol, boolean>)[PRE_REDACTED] ? opts.redact(payload) : payload,
  );
  app.addContentTypeParser(['application/gzip', 'application/x-tar', 'application/octet-stream'], (_req, payload, done) => done(null, payload));

  const routes: RouteDef[] = [
    route({ method: 'GET', url: '/healthz', tag: 'meta', summary: 'Liveness', public: true, handler: async () => ({ ok: true, version: opts.version }) }),
    ...appRoutes(opts.services),
    ...deploymentRoutes(opts.services),
    ...secretRoutes(opts.services),
    ...(opts.extraRoutes ?? []),
  ];
  // Built on its first request: converting every route's zod schemas to JSON Schema is work an
  // idle control plane does not need to do at start.
  let doc: Record<string, unknown> | undefined;
  routes.push(route({ method: 'GET', url: '/api/openapi.json', tag: 'meta', summary: 'This document', public: true, handler: async () => (doc ??= openApiDocument(routes, opts.version)) }));

  const tokens = opts.services.tokens;
  const authenticate = async (req: FastifyRequest): Promise<Actor> => {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedError();
    const actor = await tokens.authenticate(match[1]);
    if (!actor) throw new UnauthorizedError('the bearer token is not valid');
    return actor;
  };
  registerRoutes(app, routes, authenticate);
  return app;
}
