// Where raisers of events (the deploy engine's listener, backups, uptime checks, the edge keeper,
// the certificate renewer) hand them over. `emit` never throws and never waits on a channel:
// the implementation stores the event (the outbox) and delivers it in the background, so a dead
// channel never slows a deploy.
import type { SlipwayEvent } from '../events.js';

export interface EventSink {
  emit(event: SlipwayEvent): void;
}

/** For tests and for wiring before notifications are configured. */
export const discardEvents: EventSink = { emit: () => undefined };
