// A channel that tells people (issue 15): webhook, Slack-shaped, Discord-shaped, email, and the
// forges' commit/deployment statuses all implement this, each with a contract test
// (test/notifications/notifier.contract.ts). The outbox calls `send` in the background and retries
// with backoff on a retryable failure; a notifier never retries by itself.
import type { SlipwayEvent } from '../events.js';
import type { Sensitive } from '../sensitive.js';

export interface SendOptions {
  signal: AbortSignal;
  /** Email addresses resolved by routing ("the commit's author"); channels without people ignore them. */
  recipients: readonly string[];
}

export interface Notifier {
  send(event: SlipwayEvent, opts: SendOptions): Promise<void>;
}

/** A failed send: `retryable` false for a refusal that will not change (400, 401, 404, bad address). */
export class NotifierError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'NotifierError';
  }
}

/**
 * How a channel type makes its notifier from the channel's stored settings: `settings` is the
 * non-secret part (validated by the type's own zod schema), `secret` the encrypted-at-rest part
 * (a URL with its token in it, a password, an API token), decrypted only to send.
 */
export interface ChannelType<S = unknown> {
  readonly name: string;
  parseSettings(input: unknown): S;
  create(settings: S, secret: Sensitive | null): Notifier;
}
