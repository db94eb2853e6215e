// Removes every object of a stack (services first, then secrets, configs and networks),
// found by the stack namespace label. Used by tests and to tear an environment down.
import { LABEL_NAMESPACE } from '../compose/namespace.js';
import { EngineApiError } from '../engine/errors.js';
import type { SwarmApi } from '../engine/swarm-api.js';

const tolerateGone = (err: unknown) => {
  if (!(err instanceof EngineApiError && err.status === 404)) throw err;
};

export async function removeStack(api: SwarmApi, stack: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  const label = { label: [`${LABEL_NAMESPACE}=${stack}`] };
  for (const s of await api.listServices(label)) await api.removeService(s.ID).catch(tolerateGone);
  // Secrets, configs and networks stay "in use" until the tasks are gone.
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const services = await api.listServices(label);
    // Removing a secret, config or network fails while a task still uses it: try again.
    let busy = services.length > 0;
    const removals = [
      ...(await api.listSecrets(label)).map((o) => () => api.removeSecret(o.ID)),
      ...(await api.listConfigs(label)).map((o) => () => api.removeConfig(o.ID)),
      // Listed unfiltered: the label filter on networks missed some right after their services went.
      ...(await api.listNetworks()).filter((n) => n.Labels?.[LABEL_NAMESPACE] === stack).map((n) => () => api.removeNetwork(n.Id)),
    ];
    for (const remove of removals) {
      try {
        await remove();
      } catch (err) {
        if (!(err instanceof EngineApiError && err.status === 404)) busy = true;
      }
    }
    if (!busy) return;
    if (Date.now() > deadline) throw new Error(`stack ${stack}: objects still in use after ${opts.timeoutMs ?? 60_000} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
