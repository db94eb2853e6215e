// The on_demand_tls of a live route, by the edge's route id ("<app>/<env>"): from the spec of the
// environment's live release, as deployed (a spec edited since does not count until deployed).
import type { AppSpec, OnDemandTlsSpec } from '../core/app-spec.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { Releases } from '../core/ports/store/releases.js';
import type { StatusReads } from '../core/ports/store/status-reads.js';

export type OnDemandRoutesStore = Pick<AppsAndEnvironments, 'getApp' | 'getEnvironment'> & Pick<StatusReads, 'liveReleases'> & Pick<Releases, 'getRelease'>;

export async function onDemandPolicyFor(
  store: OnDemandRoutesStore,
  parse: (text: string, where: string) => Promise<AppSpec>,
  routeId: string,
): Promise<OnDemandTlsSpec | null> {
  const [appName, envName, ...rest] = routeId.split('/');
  if (!appName || !envName || rest.length > 0) return null;
  const app = await store.getApp(appName);
  const env = app ? await store.getEnvironment(app.id, envName) : null;
  if (!env) return null;
  const live = (await store.liveReleases()).get(env.id);
  const release = live ? await store.getRelease(live.id) : null;
  const text = release?.spec['text'];
  if (typeof text !== 'string') return null;
  return (await parse(text, 'slipway.yml')).environments[envName]?.route?.on_demand_tls ?? null;
}
