// Shared helpers of the store contract suite.
import type { App, Deployment, Environment, Release } from '../../../src/core/model.js';
import type { NewDeployment, Store } from '../../../src/core/ports/store.js';

export type OpenStore = () => Promise<Store>;

/** Wraps a test body: a fresh store, closed afterwards whatever happens. */
export function withStore(open: OpenStore, body: (store: Store) => Promise<void>): () => Promise<void> {
  return async () => {
    const store = await open();
    try {
      await body(store);
    } finally {
      await store.close();
    }
  };
}

export interface Fixture {
  app: App;
  staging: Environment;
  production: Environment;
}

let appCounter = 0;

export async function makeApp(store: Store, name = `app-${++appCounter}`): Promise<Fixture> {
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
  store: Store,
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

export async function makeRelease(store: Store, env: Environment, extra: Partial<Release> = {}): Promise<Release> {
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
