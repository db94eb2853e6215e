// Webhooks: the public receiver `POST /hooks/:provider/:app` (the signature is the auth; the body
// is kept as raw bytes for it) and the token-protected secret and delivery routes.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { WebhookSecretService } from '../../services/webhook-secret-service.js';
import type { WebhookService } from '../../services/webhook-service.js';
import { route, type RouteDef } from '../route-table.js';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * Registers the receiver in its own encapsulated context, where every content type (and none) is
 * read as a Buffer: the signature covers the exact bytes sent. Over 1 MiB answers 413.
 */
export async function registerWebhookReceiver(app: FastifyInstance, webhooks: WebhookService): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { provider: string; app: string } }>('/hooks/:provider/:app', { bodyLimit: WEBHOOK_BODY_LIMIT }, async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const result = await webhooks.receive(req.params.provider, req.params.app, req.headers, body);
      return reply.status(result.outcome === 'duplicate' || result.outcome === 'ping' ? 200 : 202).send(result);
    });
  });
}

export function webhookRoutes(s: { webhooks: WebhookService; webhookSecrets: WebhookSecretService }): RouteDef[] {
  return [
    route({
      method: 'POST',
      url: '/api/apps/:app/webhook-secret',
      tag: 'webhooks',
      summary: "Create (or with rotate: true, rotate) the app's webhook secret; the value is returned only here, once",
      body: z.strictObject({ rotate: z.boolean().default(false) }),
      status: 201,
      handler: async ({ params, body, actor }) => {
        const { secret, ...info } = await s.webhookSecrets.rotate(actor, { app: params['app'] ?? '', rotate: body.rotate });
        return { ...info, secret: secret.reveal() };
      },
    }),
    route({
      method: 'GET',
      url: '/api/apps/:app/webhook-secret',
      tag: 'webhooks',
      summary: 'Whether the app has a webhook secret and when it was rotated (never the value)',
      handler: async ({ params }) => s.webhookSecrets.info(params['app'] ?? ''),
    }),
    route({
      method: 'GET',
      url: '/api/apps/:app/webhook-deliveries',
      tag: 'webhooks',
      summary: 'Webhook deliveries received for the app, newest first',
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
      handler: async ({ params, query }) => ({ deliveries: await s.webhooks.deliveries(params['app'] ?? '', query.limit) }),
    }),
  ];
}
