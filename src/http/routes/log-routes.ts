// `GET /api/apps/:app/environments/:env/logs`: the live release's output as NDJSON lines
// ({service, instance, stream, text}); with follow=1 the stream stays open until the client leaves.
import { z } from 'zod';
import type { LogService } from '../../services/log-service.js';
import { streamedErrorLine } from '../error-handler.js';
import { route, type RouteDef } from '../route-table.js';

export interface LogRouteServices {
  logs: LogService;
  redact(text: string): string;
}

export function logRoutes(s: LogRouteServices): RouteDef[] {
  return [
    route({
      method: 'GET',
      url: '/api/apps/:app/environments/:env/logs',
      tag: 'runtime',
      summary: "The live release's output (NDJSON lines); follow=1 keeps streaming new lines",
      query: z.strictObject({
        service: z.string().min(1).max(200).optional().describe('a process type (process driver) or compose service (swarm)'),
        follow: z.enum(['0', '1', 'true', 'false']).optional(),
        since: z
          .string()
          .regex(/^(\d+|\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d))$/, 'expected Unix seconds or an RFC 3339 time like 2026-11-23T10:00:00Z')
          .optional(),
        tail: z.coerce.number().int().min(0).max(100_000).optional(),
      }),
      handler: async ({ params, query, req, reply }) => {
        const abort = new AbortController();
        const lines = await s.logs.open(
          { app: params['app'] ?? '', env: params['env'] ?? '' },
          {
            follow: query.follow === '1' || query.follow === 'true',
            signal: abort.signal,
            ...(query.service ? { service: query.service } : {}),
            ...(query.since ? { since: query.since } : {}),
            ...(query.tail !== undefined ? { tail: query.tail } : {}),
          },
        );
        req.raw.on('close', () => abort.abort());
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
        try {
          for await (const line of lines) {
            if (abort.signal.aborted) break;
            reply.raw.write(JSON.stringify(line) + '\n');
          }
        } catch (err) {
          // Headers are out: the error becomes the last line.
          reply.raw.write(streamedErrorLine(err, s.redact, (e) => req.log.error({ err: s.redact(String((e as Error)?.stack ?? e)) }, 'reading logs failed')) + '\n');
        } finally {
          abort.abort();
          reply.raw.end();
        }
        return undefined;
      },
    }),
  ];
}
