// Secrets: sealed before they reach the store, listed by name only, and every value known to
// the redactor that cleans server and deployment logs.
import { NotFoundError } from '../core/errors.js';
import type { SecretRef } from '../core/model.js';
import type { SecretCipher } from '../core/ports/secret-cipher.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { EncryptedSecrets } from '../core/ports/store/secrets.js';
import type { Redactor } from '../core/redactor.js';
import { Sensitive } from '../core/sensitive.js';
import type { Actor } from './actor.js';
import type { AppService } from './app-service.js';
import type { AuditTrail } from './audit-trail.js';
import { checkSecretName } from './names.js';

export interface SecretView extends SecretRef {
  app: string;
  environment: string | null;
}

export class SecretService {
  constructor(
    private readonly store: EncryptedSecrets & AppsAndEnvironments,
    private readonly cipher: SecretCipher,
    private readonly redactor: Redactor,
    private readonly apps: AppService,
    private readonly audit: AuditTrail,
  ) {}

  /** Teaches the redactor every stored value; called once at start. */
  async loadRedactions(): Promise<void> {
    for (const s of await this.store.allSecrets()) this.redactor.add(this.cipher.open(s.ciphertext).reveal());
  }

  async set(actor: Actor, input: { app: string; env?: string | null; name: string; value: Sensitive }): Promise<SecretView> {
    const target = `${input.app}${input.env ? `/${input.env}` : ''}:${input.name}`;
    return this.audit.record(actor, 'secret.set', target, {}, async () => {
      checkSecretName(input.name);
      const app = await this.apps.require(input.app);
      const env = input.env ? await this.apps.environment(app, input.env) : null;
      this.redactor.add(input.value.reveal());
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
      if (!(await this.store.deleteSecret(app.id, env?.id ?? null, input.name))) throw new NotFoundError('secret', input.name);
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
