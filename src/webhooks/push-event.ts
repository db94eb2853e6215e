// Builds the WebhookEvent of a push from the fields every provider sends in some form.
import { parseAfterSha, parseFullRef } from './webhook-payload.js';
import type { WebhookEvent, WebhookProvider } from './webhook-event.js';

export interface PushFields {
  provider: WebhookProvider;
  deliveryId: string;
  ref: string;
  after: string;
  /** The provider's own "deleted" flag, when it sends one. */
  deleted?: boolean | undefined;
  pusher?: string | undefined;
}

export function pushEvent(f: PushFields): WebhookEvent {
  const ref = parseFullRef(f.ref);
  const after = parseAfterSha(f.after);
  const deleted = after.deleted || f.deleted === true;
  return {
    provider: f.provider,
    event: ref.tag !== null ? 'tag' : ref.branch !== null ? 'push' : 'other',
    deliveryId: f.deliveryId,
    ref: ref.ref,
    branch: ref.branch,
    tag: ref.tag,
    commitSha: deleted ? null : after.commitSha,
    deleted,
    pusher: f.pusher && f.pusher.length <= 200 ? f.pusher : null,
  };
}

/** Events without a ref (ping, or kinds Slipway does not act on). */
export function refLessEvent(provider: WebhookProvider, event: 'ping' | 'other', deliveryId: string): WebhookEvent {
  return { provider, event, deliveryId, ref: null, branch: null, tag: null, commitSha: null, deleted: false, pusher: null };
}
