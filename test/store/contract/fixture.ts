// Shared helpers of the store contract suites. Each suite is typed against the port it tests
// (plus the ports its fixtures need: environments to hang rows on, a deployment for a release).
import type { App, Deployment, Environment, Release } from '../../../src/core/model.js';
import type { Store } from '../../../src/core/ports/store.js';
import type { AppsAndEnvironments } from '../../../src/core/ports/store/apps-and-environments.js';
import type { Deployments, NewDeployment } from '../../../src/core/ports/store/deployments.js';
import type { Releases } from '../../../src/core/ports/store/releases.js';
import type { Clock } from '../../../src/platform/clock.js';
import { TestClock } from '../../support/test-clock.js';

/**
 * Opens a fresh, empty store on each call; `clock` (the system clock when absent) is its
 * source of "now" for timestamps and lock leases.
 */
export type OpenStore<S> = (clock?: Clock) => Promise<S & Pick<Store, 'close'>>;

/** Wraps a test body: a fresh store, closed afterwards whatever happens. */
export function withStore<S>(open: OpenStore<S>, body: (store: S) => Promise<void>): () => Promise<void> {
  return () => closing(open(), body);
}

/**
 * Like withStore, on a store whose time stands still until the test moves its clock
 * (leases expire by `clock.advance`, not by waiting).
 */
export function withTestClock<S>(open: OpenStore<S>, body: (store: S, clock: TestClock) => Promise<void>): () => Promise<void> {
  return () => {
    const clock = new TestClock();
    return closing(open(clock), (store) => body(store, clock));
  };
}

async function closing<S>(opening: Promise<S & Pick<Store, 'close'>>, body: (store: S) => Promise<void>): Promise<void> {
  const store = await opening;
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

export interface Fixture {
  app: App;
  staging: Environment;
  production: Environment;
}

let appCounter = 0;

export async function makeApp(store: AppsAndEnvironments, name = `app-${++appCounter}`): Promise<Fixture> {
  const app = await store.createApp({ name, repo: `/srv/git/${name}.git`, driver: 'process' }, [
    { name: 'staging', branch: 'main' },
    { name: 'production', branch: 'release' },
  ]);
  const staging = await store.getEnvironment(app.id, 'staging');
  const production = await store.getEnvironment(app.id, 'production');
  if (!staging || !production) throw new Error('createApp did not create the environments');
  return { app, staging, production };
}

export async function enqueue(
  store: Deployments,
  env: Environment,
  extra: Partial<NewDeployment> = {},
): Promise<{ deployment: Deployment; superseded: Deployment[] }> {
  return store.enqueueDeployment({
    appId: env.appId,
    environmentId: env.id,
    kind: 'deploy',
    trigger: 'manual',
    ref: 'main',
    requestedBy: 'alice',
    ...extra,
  });
}

let releaseCounter = 0;

export async function makeRelease(store: Releases & Deployments, env: Environment, extra: Partial<Release> = {}): Promise<Release> {
  const { deployment } = await enqueue(store, env);
  return store.createRelease({
    id: `rel_contract_${++releaseCounter}_${Date.now()}`,
    appId: env.appId,
    environmentId: env.id,
    deploymentId: deployment.id,
    commitSha: 'abc1234',
    commitSubject: 'Fix the thing',
    artifact: 'sha256:0000',
    status: 'pending',
    driverState: { port: 4001 },
    spec: { name: 'web' },
    notes: ['migrates the users table'],
    trigger: 'manual',
    deployedBy: 'alice',
    ...extra,
  });
}

export function isIsoTime(s: string | null): boolean {
  return s !== null && !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s;
}
