// The attachable overlay network `slipway-edge`: the edge service and every routed app service
// join it, so the edge resolves tasks.<stack>_<service> (DNS round robin) and reaches the tasks.
import type { SwarmApi } from '../engine/swarm-api.js';

export const EDGE_NETWORK = 'slipway-edge';

/** The network's id, created when missing. */
export async function ensureEdgeNetwork(api: SwarmApi, log: (line: string) => void = () => undefined): Promise<string> {
  const found = (await api.listNetworks({ name: [EDGE_NETWORK] })).find((n) => n.Name === EDGE_NETWORK);
  if (found) return found.Id;
  log(`creating network ${EDGE_NETWORK}`);
  const { Id } = await api.createNetwork({ Name: EDGE_NETWORK, Labels: { 'com.slipway.edge': 'true' }, Driver: 'overlay', Attachable: true });
  return Id;
}
