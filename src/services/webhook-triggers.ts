// Which refs can deploy an app's environments (each environment's branch, tag glob and
// auto_deploy), remembered from the last slipway.yml the control plane parsed for a push that
// matched (or, the first time, from the default branch). A push is mapped against these first: a
// ref that deploys nothing is answered without reading, let alone parsing, the slipway.yml of a
// commit anyone with push access to any branch could have written.
import type { AppSpec } from '../core/app-spec.js';
import type { StoredSettings } from '../core/ports/store/settings.js';
import type { TriggerSpec } from '../webhooks/index.js';

const keyFor = (appId: string) => `webhook-triggers:${appId}`;

export class WebhookTriggers {
  constructor(private readonly store: StoredSettings) {}

  async get(appId: string): Promise<TriggerSpec | null> {
    const text = await this.store.getSetting(keyFor(appId));
    if (text === null) return null;
    try {
      return JSON.parse(text) as TriggerSpec;
    } catch {
      return null;
    }
  }

  /** Keeps the triggers of `spec` (a parsed slipway.yml of a deploy branch or tag) for the next push. */
  async remember(appId: string, spec: Pick<AppSpec, 'environments'>): Promise<void> {
    const environments: TriggerSpec['environments'] = {};
    for (const [name, e] of Object.entries(spec.environments)) {
      environments[name] = { auto_deploy: e.auto_deploy, ...(e.branch !== undefined ? { branch: e.branch } : {}), ...(e.tags !== undefined ? { tags: e.tags } : {}) };
    }
    await this.store.putSetting(keyFor(appId), JSON.stringify({ environments }));
  }
}
