// Gitea and Forgejo: X-Gitea-Signature / X-Forgejo-Signature (hex HMAC-SHA256 of the body),
import { SlipwayError } from '../core/errors.js';
// X-Gitea-Event / X-Forgejo-Event, X-Gitea-Delivery / X-Forgejo-Delivery.
import { pushEvent, refLessEvent } from './push-event.js';
import { checkDeliveryId, header, requiredHeader } from './webhook-headers.js';
import { optionalObject, optionalString, parseJsonBody, requiredString } from './webhook-payload.js';
import { verifyHmacHeader, type WebhookSecret } from './webhook-signature.js';
import type { WebhookEvent, WebhookHeaders } from './webhook-event.js';

/** The Gitea header if sent, else the Forgejo one; returns [name, value]. */
function either(headers: WebhookHeaders, suffix: string, code: 'unauthorized' | 'invalid_input'): [string, string | null] {
  const gitea = header(headers, `X-Gitea-${suffix}`, code);
  if (gitea !== null) return [`X-Gitea-${suffix}`, gitea];
  return [`X-Forgejo-${suffix}`, header(headers, `X-Forgejo-${suffix}`, code)];
}

export function parseGitea(headers: WebhookHeaders, body: Buffer, secret: WebhookSecret): WebhookEvent {
  const [sigName, sig] = either(headers, 'Signature', 'unauthorized');
  if (!sig) throw missing('X-Gitea-Signature (or X-Forgejo-Signature)', 'unauthorized', "set the app's webhook secret on the Gitea/Forgejo webhook");
  verifyHmacHeader(sig, '', sigName, body, secret);
  const [idName, id] = either(headers, 'Delivery', 'invalid_input');
  if (!id) throw missing('X-Gitea-Delivery (or X-Forgejo-Delivery)', 'invalid_input', 'Gitea and Forgejo send it with every delivery');
  const deliveryId = checkDeliveryId(id, idName);
  const [, kind] = either(headers, 'Event', 'invalid_input');
  if (!kind) throw missing('X-Gitea-Event (or X-Forgejo-Event)', 'invalid_input', 'Gitea and Forgejo send it with every delivery');
  if (kind !== 'push') return refLessEvent('gitea', 'other', deliveryId);
  const json = parseJsonBody(body, header(headers, 'content-type'));
  const pusher = optionalObject(json, 'pusher');
  return pushEvent({
    provider: 'gitea',
    deliveryId,
    ref: requiredString(json, 'ref'),
    after: requiredString(json, 'after'),
    pusher: pusher && (optionalString(pusher, 'login', 'pusher.login') ?? optionalString(pusher, 'username', 'pusher.username')),
  });
}

function missing(name: string, code: 'unauthorized' | 'invalid_input', why: string) {
  return new SlipwayError(code, `header ${name} is missing: ${why}`);
}
