// The edge's admin API (JSON over its unix socket): routes, maintenance, pause/resume, target
// health, healthz, and the TLS endpoints of tls-admin.ts (certificates, ACME challenges).
// Input is validated with the zod schemas; errors answer {error: {code, message, details}}.
import type http from 'node:http';
import { httpStatusFor } from '../../core/error-status.js';
import { InvalidInputError, NotFoundError, SlipwayError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { RouteRegistry } from '../routing/route-registry.js';
import { maintenanceBodySchema, parseInput, parseRoute, pauseBodySchema, routeIdSchema } from '../routing/route-schema.js';
import { tlsAdminAction, type TlsAdminDeps } from './tls-admin.js';
import { streamWanted } from './wanted-stream.js';

const MAX_BODY_BYTES = 1024 * 1024;

type Handler = (id: string, body: unknown) => Promise<[number, unknown]>;

export function createAdminHandler(registry: RouteRegistry, logger: Logger, tls?: TlsAdminDeps): http.RequestListener {
  const actions: Record<string, Handler> = {
    'GET ': async (id) => {
      const route = registry.get(id);
      if (!route) throw new NotFoundError('edge route', id);
      return [200, route];
    },
    'PUT ': async (id, body) => {
      const input = body !== null && typeof body === 'object' && !('id' in body) ? { ...body, id } : body;
      const route = parseRoute(input);
      if (route.id !== id) throw new InvalidInputError(`route.id: ${JSON.stringify(route.id)} does not match the id in the URL ${JSON.stringify(id)}`);
      return [200, await registry.put(route)];
    },
    'DELETE ': async (id) => {
      await registry.remove(id);
      return [204, undefined];
    },
    'POST maintenance': async (id, body) => [200, await registry.setMaintenance(id, parseInput(maintenanceBodySchema, body ?? {}, 'body'))],
    'POST pause': async (id, body) => [200, await registry.pause(id, parseInput(pauseBodySchema, body ?? {}, 'body').maxHoldMs)],
    'POST resume': async (id) => [200, await registry.resume(id)],
    'GET health': async (id) => {
      const health = registry.health(id);
      if (!health) throw new NotFoundError('edge route', id);
      return [200, health];
    },
  };

  return (req, res) => {
    void (async () => {
      try {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        const method = req.method ?? 'GET';
        if (path === '/healthz' && method === 'GET') return send(res, 200, { ok: true, routes: registry.list().length });
        if (path === '/routes' && method === 'GET') return send(res, 200, { routes: registry.list() });
        if (path === '/health' && method === 'GET') return send(res, 200, { routes: registry.healthAll() });
        if (path === '/tls/wanted' && method === 'GET' && tls?.onDemand) return streamWanted(tls.onDemand, req, res);
        const tlsAction = tls ? tlsAdminAction(tls, method, path, () => readJson(req)) : null;
        if (tlsAction) {
          const [status, payload] = await tlsAction();
          return send(res, status, payload);
        }
        const parts = path.split('/');
        if (parts[1] !== 'routes' || parts.length < 3 || parts.length > 4) {
          throw new SlipwayError('not_found', `no admin endpoint ${method} ${path}; route ids must be URL-encoded (app%2Fenv)`);
        }
        const action = actions[`${method} ${parts[3] ?? ''}`];
        if (!action) {
          throw new SlipwayError('not_found', `no admin endpoint ${method} ${path}; route ids must be URL-encoded (app%2Fenv)`);
        }
        const id = parseInput(routeIdSchema, decodeId(parts[2] ?? ''), 'id');
        const body = method === 'PUT' || method === 'POST' ? await readJson(req) : undefined;
        const [status, payload] = await action(id, body);
        send(res, status, payload);
      } catch (err) {
        const status = statusFor(err);
        if (status >= 500) logger.error({ err: errorMessage(err), url: req.url }, 'edge admin request failed');
        const e = err instanceof SlipwayError ? err : new SlipwayError('internal', errorMessage(err));
        send(res, status, { error: { code: e.code, message: e.message, details: e.details } });
      }
    })();
  };
}

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new InvalidInputError(`id: ${JSON.stringify(raw)} is not valid URL encoding; encode the route id with encodeURIComponent`);
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new SlipwayError('payload_too_large', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    // Not V8's message: it quotes the text near the fault, and bodies carry private keys.
    throw new InvalidInputError('body: not valid JSON; send a JSON object');
  }
}

/** The same status as the control plane's HTTP API answers for the error's code. */
function statusFor(err: unknown): number {
  return err instanceof SlipwayError ? httpStatusFor(err.code) : 500;
}

function send(res: http.ServerResponse, status: number, payload: unknown): void {
  if (payload === undefined) {
    res.writeHead(status).end();
    return;
  }
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
