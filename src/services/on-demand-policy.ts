// Whether a host may get a certificate on demand (a route's on_demand_tls): listed in `allow`
// (exactly, or under a one-level wildcard "*.customers.example"), else the `ask` endpoint answers
// `GET <ask>?domain=HOST` with a 2xx within 5 s. Anything else (another status, a timeout, no
// answer) refuses: an ask endpoint that is down never lets a host through.
import type { OnDemandTlsSpec } from '../core/app-spec.js';
import { errorMessage } from '../core/errors.js';

export const ASK_TIMEOUT_MS = 5_000;

export type OnDemandDecision = { allowed: true; by: 'allow' | 'ask' } | { allowed: false; reason: string };

export type AskFetch = (url: string, init: { signal: AbortSignal; redirect: 'manual' }) => Promise<{ status: number; body: { cancel(): Promise<void> } | null }>;

export function allowListed(host: string, allow: readonly string[]): boolean {
  if (allow.includes(host)) return true;
  const dot = host.indexOf('.');
  return dot > 0 && allow.includes(`*${host.slice(dot)}`);
}

export async function decideOnDemand(
  host: string,
  policy: Pick<OnDemandTlsSpec, 'ask' | 'allow'>,
  opts: { fetch?: AskFetch; timeoutMs?: number } = {},
): Promise<OnDemandDecision> {
  if (policy.allow && allowListed(host, policy.allow)) return { allowed: true, by: 'allow' };
  if (policy.ask === undefined) return { allowed: false, reason: 'not in on_demand_tls.allow' };
  const url = new URL(policy.ask);
  url.searchParams.set('domain', host);
  const timeoutMs = opts.timeoutMs ?? ASK_TIMEOUT_MS;
  try {
    // Redirects are not followed: the endpoint answers itself, or the host is refused.
    const res = await (opts.fetch ?? (fetch as unknown as AskFetch))(url.href, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { allowed: true, by: 'ask' };
    return { allowed: false, reason: `the ask endpoint answered ${res.status}` };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return { allowed: false, reason: timedOut ? `the ask endpoint did not answer within ${timeoutMs} ms` : `the ask endpoint could not be reached: ${errorMessage(err)}` };
  }
}
