// The generic form, for CI systems and scripts: X-Slipway-Signature "sha256=<hex>" (HMAC-SHA256
// of the body), optional X-Slipway-Delivery and X-Slipway-Event (push, default, or ping), and a
// JSON body { "ref": "refs/heads/main", "after": "<commit sha>", "pusher"?: "name" }.
import { pushEvent, refLessEvent } from './push-event.js';
import { checkDeliveryId, header, requiredHeader } from './webhook-headers.js';
import { bodyDeliveryId, optionalString, parseJsonBody, requiredString } from './webhook-payload.js';
import { verifyHmacHeader, type WebhookSecret } from './webhook-signature.js';
import { InvalidInputError } from '../core/errors.js';
import type { WebhookEvent, WebhookHeaders } from './webhook-event.js';

export function parseGeneric(headers: WebhookHeaders, body: Buffer, secret: WebhookSecret): WebhookEvent {
  const sig = requiredHeader(headers, 'X-Slipway-Signature', 'unauthorized', 'sign the body: "sha256=" + hex HMAC-SHA256(secret, body)');
  verifyHmacHeader(sig, 'sha256=', 'X-Slipway-Signature', body, secret);
  const id = header(headers, 'X-Slipway-Delivery');
  const deliveryId = id ? checkDeliveryId(id, 'X-Slipway-Delivery') : bodyDeliveryId(body);
  const kind = header(headers, 'X-Slipway-Event') || 'push';
  if (kind === 'ping') return refLessEvent('generic', 'ping', deliveryId);
  if (kind !== 'push') throw new InvalidInputError('header X-Slipway-Event must be "push" (the default) or "ping"');
  const json = parseJsonBody(body, header(headers, 'content-type'));
  return pushEvent({
    provider: 'generic',
    deliveryId,
    ref: requiredString(json, 'ref'),
    after: requiredString(json, 'after'),
    pusher: optionalString(json, 'pusher'),
  });
}
