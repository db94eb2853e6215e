// Builds correctly signed webhook requests the way each provider sends them (for tests).
import { createHmac, randomUUID } from 'node:crypto';
import type { WebhookProvider } from '../../src/webhooks/index.js';

export interface SignedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

export interface PushSpec {
  ref: string;
  after: string;
  pusher?: string;
  deliveryId?: string;
  /** GitHub/Gitea/generic event header value; GitLab: "Push Hook" or "Tag Push Hook" derived from ref. */
  event?: string;
}

export const hmacHex = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

export function pushBody(provider: WebhookProvider, p: PushSpec): Record<string, unknown> {
  const before = '0'.repeat(40);
  switch (provider) {
    case 'github':
      return { ref: p.ref, before, after: p.after, created: false, deleted: /^0+$/.test(p.after), forced: false, pusher: { name: p.pusher ?? 'octocat', email: 'o@example.test' }, sender: { login: p.pusher ?? 'octocat', id: 1 }, repository: { id: 1, full_name: 'o/r' }, commits: [], head_commit: null };
    case 'gitlab':
      return { object_kind: p.ref.startsWith('refs/tags/') ? 'tag_push' : 'push', ref: p.ref, before, after: p.after, checkout_sha: p.after, user_username: p.pusher ?? 'jdoe', user_name: 'J Doe', project: { id: 1 }, commits: [], total_commits_count: 0 };
    case 'gitea':
      return { ref: p.ref, before, after: p.after, compare_url: '', commits: [], pusher: { login: p.pusher ?? 'gitea-user', username: p.pusher ?? 'gitea-user' }, repository: { id: 1 } };
    case 'generic':
      return p.pusher === undefined ? { ref: p.ref, after: p.after } : { ref: p.ref, after: p.after, pusher: p.pusher };
  }
}

/** A request for `body` as `provider` would sign it with `secret`. */
export function signed(provider: WebhookProvider, secret: string, body: Buffer, event: string, deliveryId: string = randomUUID()): SignedRequest {
  const json = { 'content-type': 'application/json' };
  switch (provider) {
    case 'github':
      return { body, headers: { ...json, 'x-github-event': event, 'x-github-delivery': deliveryId, 'x-hub-signature-256': `sha256=${hmacHex(secret, body)}` } };
    case 'gitlab':
      return { body, headers: { ...json, 'x-gitlab-event': event, 'x-gitlab-event-uuid': deliveryId, 'x-gitlab-token': secret } };
    case 'gitea':
      return { body, headers: { ...json, 'x-gitea-event': event, 'x-gitea-delivery': deliveryId, 'x-gitea-signature': hmacHex(secret, body) } };
    case 'generic':
      return { body, headers: { ...json, 'x-slipway-event': event, 'x-slipway-delivery': deliveryId, 'x-slipway-signature': `sha256=${hmacHex(secret, body)}` } };
  }
}

export function signedPush(provider: WebhookProvider, secret: string, p: PushSpec): SignedRequest {
  const body = Buffer.from(JSON.stringify(pushBody(provider, p)));
  const event = p.event ?? (provider === 'gitlab' ? (p.ref.startsWith('refs/tags/') ? 'Tag Push Hook' : 'Push Hook') : 'push');
  return signed(provider, secret, body, event, p.deliveryId);
}
