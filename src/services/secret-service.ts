// Secrets: sealed before they reach the store, listed by name only, and every value known to
// the redactor that cleans server and deployment logs.
import { NotFoundError } from '../core/errors.js';
import type { SecretView } from '../core/wire/secrets.js';
import type { SecretCipher } from '../core/ports/secret-cipher.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { EncryptedSecret, EncryptedSecrets } from '../core/ports/store/secrets.js';
import type { StoredSettings } from '../core/ports/store/settings.js';
import type { Redactor } from '../core/redactor.js';
import { Sensitive } from '../core/sensitive.js';
import type { Actor } from './actor.js';
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';
import { checkSecretName } from './names.js';

/** Replaced and unset values, sealed, newest last: the redactor keeps hiding them. */
const RETIRED_KEY = 'secrets.retired';
const MAX_RETIRED = 1000;

export class SecretService {
  constructor(
    private readonly store: EncryptedSecrets & AppsAndEnvironments & StoredSettings,
    private readonly cipher: SecretCipher,
    private readonly redactor: Redactor,
    private readonly apps: AppService,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * Teaches the redactor every stored value, and every value replaced or unset before (a release
   * still running may print those); called once at start.
   */
  async loadRedactions(): Promise<void> {
    for (const s of await this.store.allSecrets()) this.redactor.add(this.cipher.open(s.ciphertext).reveal());
    for (const ciphertext of await this.#retired()) this.redactor.add(this.cipher.open(ciphertext).reveal());
  }

  async #retired(): Promise<string[]> {
    const raw = await this.store.getSetting(RETIRED_KEY);
    const list: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string') : [];
  }

  /** Keeps a replaced or unset value (sealed) so that the redactor still knows it after a restart. */
  async #retire(old: EncryptedSecret | undefined): Promise<void> {
    if (!old) return;
    const list = [...(await this.#retired()), old.ciphertext].slice(-MAX_RETIRED);
    await this.store.putSetting(RETIRED_KEY, JSON.stringify(list));
  }

  async #current(appId: string, environmentId: string | null, name: string): Promise<EncryptedSecret | undefined> {
    return (await this.store.allSecrets()).find((s) => s.ref.appId === appId && s.ref.environmentId === environmentId && s.ref.name === name);
  }

  async set(actor: Actor, input: { app: string; env?: string | null; name: string; value: Sensitive }): Promise<SecretView> {
    const target = `${input.app}${input.env ? `/${input.env}` : ''}:${input.name}`;
    return this.audit.record(actor, 'secret.set', target, {}, async () => {
      checkSecretName(input.name);
      const app = await this.apps.require(input.app);
      const env = input.env ? await this.apps.environment(app, input.env) : null;
      this.redactor.add(input.value.reveal());
      const previous = await this.#current(app.id, env?.id ?? null, input.name);
      if (previous && this.cipher.open(previous.ciphertext).reveal() !== input.value.reveal()) await this.#retire(previous);
      const now = new Date().toISOString();
      await this.store.putSecret({
        ref: { appId: app.id, environmentId: env?.id ?? null, name: input.name, createdAt: now, updatedAt: now },
        ciphertext: this.cipher.seal(input.value),
      });
      const stored = (await this.store.listSecrets(app.id, env?.id ?? null)).find((s) => s.name === input.name);
      return { appId: app.id, environmentId: env?.id ?? null, name: input.name, createdAt: stored?.createdAt ?? now, updatedAt: stored?.updatedAt ?? now, app: app.name, environment: env?.name ?? null };
    });
  }

  async unset(actor: Actor, input: { app: string; env?: string | null; name: string }): Promise<void> {
    const target = `${input.app}${input.env ? `/${input.env}` : ''}:${input.name}`;
    await this.audit.record(actor, 'secret.unset', target, {}, async () => {
      const app = await this.apps.require(input.app);
      const env = input.env ? await this.apps.environment(app, input.env) : null;
      const previous = await this.#current(app.id, env?.id ?? null, input.name);
      if (!(await this.store.deleteSecret(app.id, env?.id ?? null, input.name))) throw new NotFoundError('secret', input.name);
      await this.#retire(previous);
    });
  }

  /** Names and dates only: values never leave through this service. */
  async list(input: { app: string; env?: string | null }): Promise<SecretView[]> {
    const app = await this.apps.require(input.app);
    const env = input.env ? await this.apps.environment(app, input.env) : undefined;
    const envs = new Map((await this.store.listEnvironments(app.id)).map((e) => [e.id, e.name]));
    const refs = await this.store.listSecrets(app.id, env ? env.id : undefined);
    return refs.map((r) => ({ ...r, app: app.name, environment: r.environmentId ? envs.get(r.environmentId) ?? null : null }));
  }

  /** Decrypted values for a deployment; the caller must keep them wrapped. */
  async resolve(appId: string, environmentId: string): Promise<Record<string, Sensitive>> {
    const out: Record<string, Sensitive> = {};
    for (const s of await this.store.secretsFor(appId, environmentId)) out[s.ref.name] = this.cipher.open(s.ciphertext);
    return out;
  }
}

export { Sensitive };
