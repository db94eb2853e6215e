// Per-app webhook secrets: generated here, sealed in the settings table, shown once when created
// or rotated, never listed. After a rotation the previous secret stays valid for a grace period so
// that the provider can be updated without losing deliveries.
import { randomBytes } from 'node:crypto';
import type { WebhookSecretInfo } from '../core/wire/webhooks.js';
import { ConflictError, InvalidInputError } from '../core/errors.js';
import type { App } from '../core/model.js';
import type { SecretCipher } from '../core/ports/secret-cipher.js';
import type { StoredSettings } from '../core/ports/store/settings.js';
import { Sensitive } from '../core/sensitive.js';
import type { Actor } from './actor.js';
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';

export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

interface StoredSecrets {
  current: string;
  previous: string | null;
  previousUntil: string | null;
  rotatedAt: string;
}

const keyFor = (appId: string) => `webhook-secret:${appId}`;

export class WebhookSecretService {
  constructor(
    private readonly store: StoredSettings,
    private readonly cipher: SecretCipher,
    private readonly apps: AppService,
    private readonly audit: AuditTrail,
    private readonly now: () => Date = () => new Date(),
    private readonly graceMs = ROTATION_GRACE_MS,
  ) {}

  /**
   * Creates the app's secret, or (with `rotate`) replaces it; returns the new value, the only time
   * it is shown. The replaced secret stays valid for the grace period, or (with `revokeOld`, e.g.
   * after a leak) not at all, together with any earlier one still in its grace period.
   */
  async rotate(actor: Actor, input: { app: string; rotate?: boolean; revokeOld?: boolean }): Promise<WebhookSecretInfo & { secret: Sensitive }> {
    const revokeOld = input.revokeOld === true;
    return this.audit.record(actor, input.rotate ? 'webhook.secret.rotate' : 'webhook.secret.create', input.app, { revokeOld }, async () => {
      if (revokeOld && !input.rotate) throw new InvalidInputError('revokeOld goes with rotate: a new secret replaces the old one at once (`slipway webhooks secret APP --rotate --revoke-old`)', { field: 'revokeOld' });
      const app = await this.apps.require(input.app);
      const stored = await this.#read(app.id);
      if (stored && !input.rotate) {
        throw new ConflictError(`app ${app.name} already has a webhook secret (shown once when it was made); rotate it with \`slipway webhooks secret ${app.name} --rotate\``);
      }
      const secret = new Sensitive(randomBytes(32).toString('base64url'));
      const now = this.now();
      const next: StoredSecrets = {
        current: this.cipher.seal(secret),
        previous: stored && !revokeOld ? stored.current : null,
        previousUntil: stored && !revokeOld ? new Date(now.getTime() + this.graceMs).toISOString() : null,
        rotatedAt: now.toISOString(),
      };
      await this.store.putSetting(keyFor(app.id), JSON.stringify(next));
      return { ...this.#info(app, next), secret };
    });
  }

  async info(appName: string): Promise<WebhookSecretInfo> {
    const app = await this.apps.require(appName);
    return this.#info(app, await this.#read(app.id));
  }

  /** The secrets a delivery may be signed with now: the current one, and the previous one during its grace period. */
  async secretsFor(appId: string): Promise<Sensitive[]> {
    const stored = await this.#read(appId);
    if (!stored) return [];
    const out = [this.cipher.open(stored.current)];
    if (stored.previous && stored.previousUntil && this.now().getTime() < Date.parse(stored.previousUntil)) out.push(this.cipher.open(stored.previous));
    return out;
  }

  #info(app: App, s: StoredSecrets | null): WebhookSecretInfo {
    const stillValid = s?.previousUntil && this.now().getTime() < Date.parse(s.previousUntil) ? s.previousUntil : null;
    return { app: app.name, set: s !== null, rotatedAt: s?.rotatedAt ?? null, previousValidUntil: stillValid };
  }

  async #read(appId: string): Promise<StoredSecrets | null> {
    const text = await this.store.getSetting(keyFor(appId));
    if (text === null) return null;
    const s = JSON.parse(text) as StoredSecrets;
    // Drop an expired previous secret for good.
    if (s.previous && s.previousUntil && this.now().getTime() >= Date.parse(s.previousUntil)) {
      const cleaned: StoredSecrets = { ...s, previous: null, previousUntil: null };
      await this.store.putSetting(keyFor(appId), JSON.stringify(cleaned));
      return cleaned;
    }
    return s;
  }
}
