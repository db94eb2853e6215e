// Public entry points of the webhook adapter.
export { verifyAndParse, isWebhookProvider } from './verify-and-parse.js';
export { matchEnvironments, type EnvironmentMapping, type EnvironmentMatch, type TriggerSpec } from './match-environments.js';
export { tagGlobMatches } from './tag-glob.js';
export { WEBHOOK_PROVIDERS, type WebhookEvent, type WebhookEventKind, type WebhookHeaders, type WebhookProvider } from './webhook-event.js';
export type { DeliveryOutcome, DeliveryRecorder, DeliverySettlement, WebhookDelivery } from './delivery-recorder.js';
export { MemoryDeliveryRecorder } from './memory-delivery-recorder.js';
export type { WebhookSecret } from './webhook-signature.js';
