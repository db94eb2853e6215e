// What Slipway tells people about (issue 15): one shape for every event, whatever raised it, so
// that routing, de-duplication, the outbox and every notifier handle them alike. Pure data.

export type EventSeverity = 'info' | 'warning' | 'critical';

export const EVENT_KINDS = [
  'deployment.queued',
  'deployment.started',
  'deployment.succeeded',
  'deployment.failed',
  'deployment.cancelled',
  'deployment.rolled_back',
  'deployment.compensation_failed',
  'tests.failed',
  'promotion.succeeded',
  'backup.failed',
  'drill.failed',
  'drill.passed_again',
  'uptime.down',
  'uptime.up',
  'process.crash_looping',
  'process.recovered',
  'swarm.task_rejected',
  'certificate.expiring',
  'certificate.renewal_failed',
  'edge.down',
  'edge.up',
  'notification.test',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface EventCommit {
  sha: string;
  subject: string | null;
  author: string | null;
  /** Used for "the commit's author" as a recipient; never sent to webhooks that did not ask. */
  authorEmail: string | null;
}

export interface SlipwayEvent {
  kind: EventKind;
  severity: EventSeverity;
  /** ISO time it happened. */
  at: string;
  app: string | null;
  environment: string | null;
  /** Release id (or null when none is concerned). */
  release: string | null;
  commit: EventCommit | null;
  /** Deployment id and its number within the app ("#12"), when a deployment is concerned. */
  deployment: { id: string; number: number } | null;
  /** One line for a human: what happened. Already redacted. */
  title: string;
  /** Why (the error, the failing step, the check's answer). Already redacted. */
  reason: string | null;
  /** Where to look: an API path or dashboard URL. */
  link: string | null;
  /** The environment's public URL (first route host), for forge deployment statuses. */
  environmentUrl: string | null;
  /**
   * What makes two events "the same thing still happening" for de-duplication and flap
   * suppression, e.g. `uptime:<app>/<env>/<check>`; up/down pairs share it.
   */
  key: string;
}
