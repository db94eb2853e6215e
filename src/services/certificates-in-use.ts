// The certificates that live routes use: for each environment's live release, the route of its
// spec (when it has tls) names a certificate id by its hosts. The renewer renews only these, and a
// certificate no live route uses is left to expire and then removed. Specs are parsed once per
// live release (kept by release id), so an unchanged environment costs nothing on the next pass.
import { routeHosts, type AppSpec } from '../core/app-spec.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { Releases } from '../core/ports/store/releases.js';
import type { StatusReads } from '../core/ports/store/status-reads.js';
import { certificateId } from './certificate-id.js';

export type InUseStore = Pick<AppsAndEnvironments, 'listEnvironments'> & Pick<StatusReads, 'liveReleases'> & Pick<Releases, 'getRelease'>;

export class CertificatesInUse {
  /** Release id -> the certificate id its route uses (null: none). */
  #byRelease = new Map<string, string | null>();

  constructor(
    private readonly store: InUseStore,
    private readonly parse: (text: string, where: string) => Promise<AppSpec>,
  ) {}

  async ids(): Promise<Set<string>> {
    const [envs, live] = await Promise.all([this.store.listEnvironments(), this.store.liveReleases()]);
    const next = new Map<string, string | null>();
    for (const env of envs) {
      const summary = live.get(env.id);
      if (!summary) continue;
      let id = this.#byRelease.get(summary.id);
      if (id === undefined) id = await this.#idOf(summary.id, env.name);
      next.set(summary.id, id);
    }
    this.#byRelease = next;
    return new Set([...next.values()].filter((id): id is string => id !== null));
  }

  async #idOf(releaseId: string, envName: string): Promise<string | null> {
    const release = await this.store.getRelease(releaseId);
    const text = release?.spec['text'];
    if (typeof text !== 'string') return null;
    // A spec that does not parse now (a parser timeout) rejects the whole pass: not knowing what
    // is in use, the caller renews everything that is due.
    const route = (await this.parse(text, 'slipway.yml')).environments[envName]?.route;
    if (!route || route.tls === 'off') return null;
    return certificateId(routeHosts(route));
  }
}
