// The attachable overlay network `slipway-edge`: the edge service and every routed app service
// join it, so the edge resolves tasks.<stack>_<service> (DNS round robin) and reaches the tasks.
import { EngineApiError } from '../engine/errors.js';
import type { SwarmApi } from '../engine/swarm-api.js';

export const EDGE_NETWORK = 'slipway-edge';

/** The network's id, created when missing. */
export async function ensureEdgeNetwork(api: SwarmApi, log: (line: string) => void = () => undefined, name = EDGE_NETWORK): Promise<string> {
  const find = async () => (await api.listNetworks({ name: [name] })).find((n) => n.Name === name);
  const found = await find();
  if (found) return found.Id;
  log(`creating network ${name}`);
  try {
    return (await api.createNetwork({ Name: name, Labels: { 'com.slipway.edge': 'true' }, Driver: 'overlay', Attachable: true })).Id;
  } catch (err) {
    // Created at the same time by another deploy.
    const again = err instanceof EngineApiError && err.status === 409 ? await find() : undefined;
    if (!again) throw err;
    return again.Id;
  }
}
