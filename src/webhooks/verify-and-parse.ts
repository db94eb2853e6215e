// The one entry point for incoming webhooks: authenticate the raw body first, then parse it.
import { InvalidInputError, SlipwayError } from '../core/errors.js';
import type { WebhookSecret } from './webhook-signature.js';
import { parseGeneric } from './generic-webhook.js';
import { parseGitea } from './gitea-webhook.js';
import { parseGithub } from './github-webhook.js';
import { parseGitlab } from './gitlab-webhook.js';
import { WEBHOOK_PROVIDERS, type WebhookEvent, type WebhookHeaders, type WebhookProvider } from './webhook-event.js';

const parsers: Record<WebhookProvider, (h: WebhookHeaders, b: Buffer, s: WebhookSecret) => WebhookEvent> = {
  github: parseGithub,
  gitlab: parseGitlab,
  gitea: parseGitea,
  generic: parseGeneric,
};

export function isWebhookProvider(p: string): p is WebhookProvider {
  return (WEBHOOK_PROVIDERS as readonly string[]).includes(p);
}

/**
 * Verifies a delivery's signature (or token) against `secret` (or any of several secrets while
 * one is being rotated) and parses it. Throws only
 * SlipwayError: code `unauthorized` when the signature is missing or wrong (nothing of the body
 * is parsed then), `invalid_input` when headers or payload are malformed.
 */
export function verifyAndParse(provider: WebhookProvider, headers: WebhookHeaders, rawBody: Buffer, secret: WebhookSecret): WebhookEvent {
  try {
    if (typeof provider !== 'string' || !isWebhookProvider(provider)) {
      throw new InvalidInputError(`unknown webhook provider ${JSON.stringify(String(provider)).slice(0, 60)}: expected one of ${WEBHOOK_PROVIDERS.join(', ')}`);
    }
    if (!Buffer.isBuffer(rawBody)) throw new InvalidInputError('the webhook body must be the raw request bytes');
    return parsers[provider](headers, rawBody, secret);
  } catch (err) {
    if (err instanceof SlipwayError) throw err;
    // A bug, not a bad request: still never anything but a SlipwayError, marked so tests can find it.
    throw new InvalidInputError('the webhook request could not be read', { unexpected: true });
  }
}
