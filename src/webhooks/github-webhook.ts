// GitHub: X-Hub-Signature-256 "sha256=<hex>", X-GitHub-Event (push, ping, ...), X-GitHub-Delivery.
import { pushEvent, refLessEvent } from './push-event.js';
import { checkDeliveryId, header, requiredHeader } from './webhook-headers.js';
import { optionalBoolean, optionalObject, optionalString, parseJsonBody, requiredString } from './webhook-payload.js';
import { verifyHmacHeader, type WebhookSecret } from './webhook-signature.js';
import type { WebhookEvent, WebhookHeaders } from './webhook-event.js';

export function parseGithub(headers: WebhookHeaders, body: Buffer, secret: WebhookSecret): WebhookEvent {
  const sig = requiredHeader(headers, 'X-Hub-Signature-256', 'unauthorized', 'set a secret on the GitHub webhook (GitHub signs deliveries only then)');
  verifyHmacHeader(sig, 'sha256=', 'X-Hub-Signature-256', body, secret);
  const deliveryId = checkDeliveryId(requiredHeader(headers, 'X-GitHub-Delivery', 'invalid_input', 'GitHub sends it with every delivery'), 'X-GitHub-Delivery');
  const kind = requiredHeader(headers, 'X-GitHub-Event', 'invalid_input', 'GitHub sends it with every delivery');
  if (kind === 'ping') return refLessEvent('github', 'ping', deliveryId);
  if (kind !== 'push') return refLessEvent('github', 'other', deliveryId);
  const json = parseJsonBody(body, header(headers, 'content-type'));
  const pusher = optionalObject(json, 'pusher');
  const sender = optionalObject(json, 'sender');
  return pushEvent({
    provider: 'github',
    deliveryId,
    ref: requiredString(json, 'ref'),
    after: requiredString(json, 'after'),
    deleted: optionalBoolean(json, 'deleted'),
    pusher: (pusher && optionalString(pusher, 'name', 'pusher.name')) ?? (sender && optionalString(sender, 'login', 'sender.login')),
  });
}
