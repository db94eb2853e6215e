// Waits until a TXT value is answered by every authoritative server of its zone (or by the servers
// given), polling with a deadline. Servers are asked directly (node:dns Resolver.setServers), not
// through a caching resolver, so a negative answer cached before the record existed does not hide it.
import { Resolver } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { PreconditionError } from '../core/errors.js';

export interface TxtWaitOptions {
  /** "host:port" (or "host") of the servers to ask; default: the zone's NS, found through the system resolver. */
  servers?: string[] | undefined;
  timeoutMs: number;
  intervalMs?: number;
}

export async function waitForTxt(fqdn: string, value: string, opts: TxtWaitOptions): Promise<void> {
  const servers = opts.servers && opts.servers.length > 0 ? opts.servers : await authoritativeServers(fqdn);
  const deadline = Date.now() + opts.timeoutMs;
  const pending = new Set(servers);
  let last = '';
  while (pending.size > 0) {
    for (const server of [...pending]) {
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([server]);
      try {
        const records = await resolver.resolveTxt(fqdn);
        if (records.some((chunks) => chunks.join('') === value)) pending.delete(server);
        else last = `${server} answers other TXT values`;
      } catch (err) {
        last = `${server}: ${(err as { code?: string }).code ?? String(err)}`;
      }
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      throw new PreconditionError(
        `the TXT record ${fqdn} was not visible at ${[...pending].join(', ')} within ${Math.round(opts.timeoutMs / 1000)} s (${last}): check that the DNS provider updates the zone these servers serve`,
      );
    }
    await sleep(opts.intervalMs ?? 500);
  }
}

/** The addresses of the NS of the closest enclosing zone of `fqdn`, on port 53. */
async function authoritativeServers(fqdn: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  const labels = fqdn.replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const zone = labels.slice(i).join('.');
    const ns = await resolver.resolveNs(zone).catch(() => [] as string[]);
    if (ns.length === 0) continue;
    const addresses = (await Promise.all(ns.map((n) => resolver.resolve4(n).catch(() => [] as string[])))).flat();
    if (addresses.length > 0) return [...new Set(addresses)];
  }
  throw new PreconditionError(`no authoritative name server found for ${fqdn}: give the servers to check (checkServers)`);
}
