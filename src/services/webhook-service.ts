// Incoming webhooks: authenticate, record, de-duplicate, map the ref against the app's remembered
// triggers (webhook-triggers.ts: a ref that deploys nothing is answered without reading any spec),
// then against the slipway.yml AT THE PUSHED COMMIT (parsed off the event loop by the SpecParser), make sure that
// commit is still the tip of its ref, and queue one deployment per environment. Refused
// deliveries are counted (per app, provider, reason and hour) and, past a rate, answered 429.
import { inThreadSpecParser } from '../core/config-file.js';
import type { SpecParser } from '../core/ports/spec-parser.js';
import { RejectionLimiter } from './rejection-limiter.js';
import type { WebhookTriggers } from './webhook-triggers.js';
import type { DeliveryView, WebhookResult } from '../core/wire/webhooks.js';
import { errorMessage, NotFoundError, SlipwayError } from '../core/errors.js';
import type { SourceProvider } from '../core/ports/source.js';
import { isWebhookProvider, matchEnvironments, verifyAndParse, WEBHOOK_PROVIDERS, type TriggerSpec, type WebhookEvent, type WebhookHeaders, type WebhookProvider } from '../webhooks/index.js';
import type { AppService } from './app-service.js';
import type { DeploymentService } from './deployment-service.js';
import type { StoreDeliveryRecorder } from './store-delivery-recorder.js';
import type { WebhookSecretService } from './webhook-secret-service.js';

/** Where each provider puts its delivery id (only for the record of a rejected delivery: untrusted). */
const DELIVERY_HEADER: Record<WebhookProvider, string> = {
  github: 'x-github-delivery',
  gitlab: 'x-gitlab-event-uuid',
  gitea: 'x-gitea-delivery',
  generic: 'x-slipway-delivery',
};

const SPEC_CACHE_SIZE = 64;

export class WebhookService {
  readonly #specs = new Map<string, string | null>();

  constructor(
    private readonly apps: AppService,
    private readonly deployments: DeploymentService,
    private readonly source: SourceProvider,
    private readonly secrets: WebhookSecretService,
    private readonly recorder: StoreDeliveryRecorder,
    private readonly now: () => Date = () => new Date(),
    private readonly specs: SpecParser = inThreadSpecParser,
    private readonly limiter: RejectionLimiter = new RejectionLimiter(),
    private readonly triggers: WebhookTriggers | null = null,
  ) {}

  async receive(provider: string, appName: string, headers: WebhookHeaders, body: Buffer): Promise<WebhookResult> {
    if (!isWebhookProvider(provider)) {
      throw new NotFoundError(`webhook provider (expected one of ${WEBHOOK_PROVIDERS.join(', ')})`, provider.slice(0, 40));
    }
    const app = await this.apps.require(appName);
    const receivedAt = this.now().toISOString();
    let event: WebhookEvent;
    try {
      event = verifyAndParse(provider, headers, body, await this.secrets.secretsFor(app.id));
    } catch (err) {
      const reason = err instanceof SlipwayError ? err.message : 'the webhook request could not be read';
      const { record, retryAfterSeconds } = this.limiter.take(app.id, provider, this.now());
      if (record === 0) {
        throw new SlipwayError(
          'rate_limited',
          `too many refused ${provider} webhook deliveries for app ${app.name} this minute (${reason}); retry in ${retryAfterSeconds} s. Refusals are counted in \`slipway webhooks deliveries ${app.name}\``,
          { retryAfterSeconds },
        );
      }
      await this.recorder.reject({ appId: app.id, provider, deliveryId: untrustedId(headers, DELIVERY_HEADER[provider]), event: null, ref: null, commitSha: null, reason, receivedAt, count: record });
      throw err;
    }
    const claim = await this.recorder.claim({ appId: app.id, provider, deliveryId: event.deliveryId, event: event.event, ref: event.ref, commitSha: event.commitSha, receivedAt });
    if (claim.duplicate) {
      const first = claim.first;
      return {
        outcome: 'duplicate',
        reason: `delivery ${event.deliveryId} was received before (${first ? `${first.outcome}: ${first.reason}` : 'being handled'}); nothing was done`,
        deliveryId: event.deliveryId,
        deployments: [],
      };
    }
    const settle = async (outcome: 'queued' | 'ignored' | 'ping' | 'stale', reason: string, deployments: WebhookResult['deployments'] = []): Promise<WebhookResult> => {
      await this.recorder.settle(app.id, provider, event.deliveryId, { outcome, reason, deploymentIds: deployments.map((d) => d.id) });
      return { outcome, reason, deliveryId: event.deliveryId, deployments };
    };
    if (event.event === 'ping') return settle('ping', 'ping: the webhook works; nothing to deploy');
    if (event.event === 'other' || event.commitSha === null || event.deleted) {
      return settle('ignored', matchEnvironments({ environments: {} }, event).unmapped.join('; ') || 'nothing to deploy');
    }
    const sha = event.commitSha;
    const known = await this.#knownTriggers(app);
    if (known !== null) {
      const pre = matchEnvironments(known, event);
      if (pre.deploy.length === 0 && pre.manualOnly.length === 0) return settle('ignored', pre.unmapped.join('; '));
    }
    let mapping;
    try {
      const text = await this.#specAt(app.repo, sha);
      if (text === null) return settle('ignored', `commit ${sha.slice(0, 7)} has no slipway.yml: nothing to deploy`);
      const spec = await this.specs.parse(text, `slipway.yml at ${sha.slice(0, 7)}`);
      // The ref deploys environments: its spec is the app's current word on which refs do.
      await this.triggers?.remember(app.id, spec);
      mapping = matchEnvironments(spec, event);
    } catch (err) {
      return settle('ignored', `could not read slipway.yml at ${sha.slice(0, 7)}: ${errorMessage(err)}`);
    }
    if (mapping.deploy.length === 0) return settle('ignored', mapping.unmapped.join('; '));
    const stale = await this.#staleReason(app.repo, event.ref, sha);
    if (stale !== null) return settle('stale', stale);
    const actor = { name: `webhook:${event.pusher ?? provider}` };
    const queued: WebhookResult['deployments'] = [];
    const reasons: string[] = [];
    for (const m of mapping.deploy) {
      try {
        const d = await this.deployments.deploy(actor, { app: app.name, env: m.env, ref: sha, trigger: 'webhook' });
        queued.push({ id: d.id, environment: m.env, number: d.number });
        reasons.push(m.reason);
      } catch (err) {
        reasons.push(`${m.env} not queued: ${errorMessage(err)}`);
      }
    }
    const reason = [...reasons, ...mapping.unmapped].join('; ');
    return settle(queued.length > 0 ? 'queued' : 'ignored', reason, queued);
  }

  /**
   * Why a signed push must not deploy although it maps to environments: its commit is no longer the
   * tip of its ref (a replayed delivery under a new id, or a push already overtaken by a newer one,
   * which deploys instead). Null when the ref (fetched now) still points at `sha`.
   */
  async #staleReason(repo: string, ref: string | null, sha: string): Promise<string | null> {
    if (ref === null) return null;
    let tip: string;
    try {
      tip = (await this.source.resolve(repo, ref)).sha;
    } catch (err) {
      return `stale: ${ref} could not be resolved in the repository any more (${errorMessage(err)}); commit ${sha.slice(0, 7)} was not deployed`;
    }
    if (tip === sha) return null;
    return `stale: commit ${sha.slice(0, 7)} is no longer the tip of ${ref} (now ${tip.slice(0, 7)}); a replayed or overtaken push deploys nothing`;
  }

  /**
   * The refs that deploy the app's environments as last seen; the first time, from the slipway.yml
   * of the repository's default branch. Null (map by the pushed commit's spec alone) when there
   * is no trigger store or the default branch's spec cannot be read.
   */
  async #knownTriggers(app: { id: string; repo: string }): Promise<TriggerSpec | null> {
    if (!this.triggers) return null;
    const known = await this.triggers.get(app.id);
    if (known !== null) return known;
    try {
      const head = await this.source.resolve(app.repo, 'HEAD');
      const text = await this.#specAt(app.repo, head.sha);
      if (text === null) return null;
      const spec = await this.specs.parse(text, `slipway.yml at ${head.sha.slice(0, 7)} (the default branch)`);
      await this.triggers.remember(app.id, spec);
      return spec;
    } catch {
      return null;
    }
  }

  /** slipway.yml at a commit; commits never change, so answers are kept (a small LRU) to spare git processes on replays and bursts. */
  async #specAt(repo: string, sha: string): Promise<string | null> {
    const key = `${repo}\0${sha}`;
    if (this.#specs.has(key)) {
      const hit = this.#specs.get(key) ?? null;
      this.#specs.delete(key);
      this.#specs.set(key, hit);
      return hit;
    }
    const text = await this.source.readFile(repo, sha, 'slipway.yml');
    this.#specs.set(key, text);
    if (this.#specs.size > SPEC_CACHE_SIZE) this.#specs.delete(this.#specs.keys().next().value as string);
    return text;
  }

  async deliveries(appName: string, limit = 50): Promise<DeliveryView[]> {
    const app = await this.apps.require(appName);
    return this.recorder.view(app.id, limit);
  }
}

/** The id a refused request claimed, kept only when it is short printable ASCII. */
function untrustedId(headers: WebhookHeaders, name: string): string | null {
  const v = headers[name];
  return typeof v === 'string' && /^[\x21-\x7e]{1,200}$/.test(v) ? v : null;
}
