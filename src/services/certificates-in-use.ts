// The certificates that live routes use: for each environment's live release, the route of its
// spec (when it has tls) names a certificate id by its hosts. The renewer renews only these, and a
// certificate no live route uses is left to expire and then removed. Specs are parsed once per
// live release (kept by release id), so an unchanged environment costs nothing on the next pass.
// While a live route has on-demand TLS, every on-demand certificate counts as used (which host
// still points at it only its owner knows; the ask endpoint decides again for a new host).
import { routeHosts, type AppSpec } from '../core/app-spec.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { CertificateRecords } from '../core/ports/store/certificates.js';
import type { Releases } from '../core/ports/store/releases.js';
import type { StatusReads } from '../core/ports/store/status-reads.js';
import { certificateId } from './certificate-id.js';

export type InUseStore = Pick<AppsAndEnvironments, 'listEnvironments'> & Pick<StatusReads, 'liveReleases'> & Pick<Releases, 'getRelease'> & Pick<CertificateRecords, 'listStoredCertificates'>;

interface RouteUse {
  /** The certificate id of the route's hosts, null: none. */
  id: string | null;
  onDemand: boolean;
}

export class CertificatesInUse {
  /** Release id -> what its route uses. */
  #byRelease = new Map<string, RouteUse>();

  constructor(
    private readonly store: InUseStore,
    private readonly parse: (text: string, where: string) => Promise<AppSpec>,
  ) {}

  async ids(): Promise<Set<string>> {
    const [envs, live] = await Promise.all([this.store.listEnvironments(), this.store.liveReleases()]);
    const next = new Map<string, RouteUse>();
    for (const env of envs) {
      const summary = live.get(env.id);
      if (!summary) continue;
      next.set(summary.id, this.#byRelease.get(summary.id) ?? (await this.#useOf(summary.id, env.name)));
    }
    this.#byRelease = next;
    const uses = [...next.values()];
    const ids = new Set(uses.map((u) => u.id).filter((id): id is string => id !== null));
    if (uses.some((u) => u.onDemand)) {
      for (const c of await this.store.listStoredCertificates()) if (c.origin === 'on-demand') ids.add(c.id);
    }
    return ids;
  }

  async #useOf(releaseId: string, envName: string): Promise<RouteUse> {
    const release = await this.store.getRelease(releaseId);
    const text = release?.spec['text'];
    if (typeof text !== 'string') return { id: null, onDemand: false };
    // A spec that does not parse now (a parser timeout) rejects the whole pass: not knowing what
    // is in use, the caller renews everything that is due.
    const route = (await this.parse(text, 'slipway.yml')).environments[envName]?.route;
    if (!route || route.tls === 'off') return { id: null, onDemand: false };
    return { id: certificateId(routeHosts(route)), onDemand: route.on_demand_tls !== undefined };
  }
}
