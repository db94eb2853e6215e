// Which HTTP Upgrade requests the edge tunnels: WebSocket always; any other protocol (h2c, ...)
// only when the matched route lists it in `upgrades`, since a tunnel carries whatever the client
// then sends past the edge's own HTTP checks. An upgrade the edge does not tunnel is served as a
// plain request: the Upgrade and Connection headers are not forwarded (RFC 9110 7.8 lets a
// server ignore Upgrade).
import type { RequestHead } from '../http1/http1-request-head.js';
import type { ExchangeSettings } from './proxy-exchange.js';
import { normaliseHost } from './request-target.js';

export function tunnelsUpgrade(settings: ExchangeSettings, head: RequestHead): boolean {
  const protocols = upgradeProtocols(head.inbound.upgrade ?? '');
  if (protocols.length === 0) return false;
  if (protocols.length === 1 && protocols[0] === 'websocket') return true;
  const allowed = settings.match(normaliseHost(head.inbound.host), head.target)?.route.upgrades ?? [];
  return protocols.every((p) => p === 'websocket' || allowed.includes(p));
}

/** "WebSocket, h2c/1.0" -> ["websocket", "h2c"]: the protocol names, lower case, without versions. */
export function upgradeProtocols(value: string): string[] {
  const out: string[] = [];
  for (const item of value.split(',')) {
    const name = item.trim().split('/')[0]?.trim().toLowerCase() ?? '';
    if (name !== '') out.push(name);
  }
  return out;
}
