// Webhooks: the public receiver `POST /hooks/:provider/:app` (the signature is the auth; a
// raw-bytes route, so the body it checks is exactly what was sent; over 1 MiB answers 413) and the
// token-protected secret and delivery routes.
import { z } from 'zod';
import { webhookSecretBody, type WebhookResult } from '../../core/wire/webhooks.js';
import type { WebhookSecretService } from '../../services/webhook-secret-service.js';
import type { WebhookService } from '../../services/webhook-service.js';
import { route, type RouteDef } from '../route-table.js';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export function webhookRoutes(s: { webhooks: WebhookService; webhookSecrets: WebhookSecretService }): RouteDef[] {
  return [
    route<Buffer>({
      method: 'POST',
      url: '/hooks/:provider/:app',
      tag: 'webhooks',
      summary: 'Receive a push from a git host (github, gitlab, gitea, generic); authenticated by its signature over the exact body bytes',
      public: true,
      rawBytes: { bodyLimit: WEBHOOK_BODY_LIMIT },
      statusByResult: {
        of: (result) => ((result as WebhookResult).outcome === 'duplicate' || (result as WebhookResult).outcome === 'ping' ? 200 : 202),
        statuses: { 202: 'queued (deployments started), ignored (nothing to deploy) or stale (the commit is no longer the tip of its ref)', 200: 'duplicate (delivered before) or ping' },
      },
      handler: async ({ params, req, body }) => s.webhooks.receive(params['provider'] ?? '', params['app'] ?? '', req.headers, body),
    }),
    route({
      method: 'POST',
      url: '/api/apps/:app/webhook-secret',
      tag: 'webhooks',
      summary: "Create (or with rotate: true, rotate) the app's webhook secret; the value is returned only here, once. With revokeOld: true the replaced secret stops working at once",
      body: webhookSecretBody,
      status: 201,
      handler: async ({ params, body, actor }) => {
        const { secret, ...info } = await s.webhookSecrets.rotate(actor, { app: params['app'] ?? '', rotate: body.rotate, revokeOld: body.revokeOld });
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
