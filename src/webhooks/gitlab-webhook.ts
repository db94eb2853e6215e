// GitLab: X-Gitlab-Token (the secret itself), X-Gitlab-Event "Push Hook" / "Tag Push Hook",
// X-Gitlab-Event-UUID (or a hash of the body when absent).
import { pushEvent, refLessEvent } from './push-event.js';
import { checkDeliveryId, header, requiredHeader } from './webhook-headers.js';
import { bodyDeliveryId, optionalString, parseJsonBody, requiredString } from './webhook-payload.js';
import { verifySharedToken, type WebhookSecret } from './webhook-signature.js';
import type { WebhookEvent, WebhookHeaders } from './webhook-event.js';

export function parseGitlab(headers: WebhookHeaders, body: Buffer, secret: WebhookSecret): WebhookEvent {
  const token = requiredHeader(headers, 'X-Gitlab-Token', 'unauthorized', "set the app's webhook secret as the GitLab webhook's secret token");
  verifySharedToken(token, 'X-Gitlab-Token', secret);
  const uuid = header(headers, 'X-Gitlab-Event-UUID');
  const deliveryId = uuid ? checkDeliveryId(uuid, 'X-Gitlab-Event-UUID') : bodyDeliveryId(body);
  const kind = requiredHeader(headers, 'X-Gitlab-Event', 'invalid_input', 'GitLab sends it with every delivery');
  if (kind !== 'Push Hook' && kind !== 'Tag Push Hook') return refLessEvent('gitlab', 'other', deliveryId);
  const json = parseJsonBody(body, header(headers, 'content-type'));
  return pushEvent({
    provider: 'gitlab',
    deliveryId,
    ref: requiredString(json, 'ref'),
    after: requiredString(json, 'after'),
    pusher: optionalString(json, 'user_username') ?? optionalString(json, 'user_name'),
  });
}
