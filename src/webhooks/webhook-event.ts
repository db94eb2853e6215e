// What a verified webhook delivery means to Slipway, whichever forge sent it.

export const WEBHOOK_PROVIDERS = ['github', 'gitlab', 'gitea', 'generic'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export type WebhookEventKind = 'push' | 'tag' | 'ping' | 'other';

export interface WebhookEvent {
  provider: WebhookProvider;
  /** push = a branch moved, tag = a tag was pushed, ping = a test delivery, other = anything else. */
  event: WebhookEventKind;
  /** The provider's delivery id (or `sha256:<body hash>` when the provider sends none); replays repeat it. */
  deliveryId: string;
  /** The full ref ("refs/heads/main", "refs/tags/v1.2.0"); null for ping and other events. */
  ref: string | null;
  branch: string | null;
  tag: string | null;
  /** The commit the ref now points at; null when the ref was deleted or the event has none. */
  commitSha: string | null;
  /** The push deleted the ref. */
  deleted: boolean;
  /** Who pushed, as the provider names them. */
  pusher: string | null;
}

/** Request headers as node gives them (lower- or mixed-case names). */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;
