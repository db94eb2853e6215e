// At control-plane start: every live release that ran on this machine and no longer runs
// (`slipway down`, a reboot) is started again by its driver, with its recorded spec and the
// environment's secrets, and routed. Environments with a deployment under way are left to it.
import { errorMessage } from '../core/errors.js';
import { parseAppSpec } from '../core/config-file.js';
import type { DriverKind } from '../core/model.js';
import type { RuntimeDriver } from '../core/ports/runtime-driver.js';
import type { Sensitive } from '../core/sensitive.js';
import type { ReconcilerStore } from './route-reconciler.js';
import { driverContext } from '../pipeline/deployment-context.js';

export interface RevivalLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ReleaseRevivalOptions {
  store: ReconcilerStore;
  driver: (kind: DriverKind) => RuntimeDriver;
  secrets: (appId: string, environmentId: string) => Promise<Record<string, Sensitive>>;
  redact: (text: string) => string;
  logger: RevivalLog;
}

export interface RevivalReport {
  revived: string[];
  failures: string[];
}

export async function reviveLiveReleases(o: ReleaseRevivalOptions): Promise<RevivalReport> {
  const [apps, envs, live, locks] = await Promise.all([o.store.listApps(), o.store.listEnvironments(), o.store.liveReleases(), o.store.listLocks()]);
  const appById = new Map(apps.map((a) => [a.id, a]));
  const deploying = new Set(locks.filter((l) => l.kind === 'deployment').map((l) => l.environmentId));
  const report: RevivalReport = { revived: [], failures: [] };
  for (const environment of envs) {
    const app = appById.get(environment.appId);
    const summary = live.get(environment.id);
    if (!app || !summary || deploying.has(environment.id)) continue;
    const name = `${app.name}/${environment.name}`;
    try {
      const driver = o.driver(app.driver);
      const release = await o.store.getRelease(summary.id);
      const text = release?.spec['text'];
      if (!driver.revive || !release || typeof text !== 'string') continue;
      const spec = parseAppSpec(text, `slipway.yml of release ${release.id}`);
      const envSpec = spec.environments[environment.name];
      if (!envSpec) continue;
      const log = {
        info: (line: string) => o.logger.info({ release: release.id, app: name }, o.redact(line)),
        error: (line: string) => o.logger.error({ release: release.id, app: name }, o.redact(line)),
        output: (_stream: 'stdout' | 'stderr', line: string) => o.logger.info({ release: release.id, app: name }, o.redact(line)),
      };
      const ctx = driverContext({ app, environment, spec, envSpec, secrets: await o.secrets(app.id, environment.id), releaseId: release.id, log, signal: new AbortController().signal });
      if (await driver.revive(ctx, { releaseId: release.id, artifact: release.artifact ?? '', driverState: release.driverState })) {
        report.revived.push(`${name} -> ${release.id}`);
      }
    } catch (err) {
      report.failures.push(`${name}: ${o.redact(errorMessage(err))}`);
    }
  }
  return report;
}

/** Revival in the background (each release waits for its health checks), its outcome logged. */
export function reviveInBackground(o: ReleaseRevivalOptions): void {
  void reviveLiveReleases(o).then(
    (report) => {
      if (report.revived.length) o.logger.warn({ revived: report.revived }, 'live releases that were not running started again');
      if (report.failures.length) o.logger.error({ failures: report.failures }, 'live releases could not be started again');
    },
    (err: unknown) => o.logger.error({ err: errorMessage(err) }, 'starting live releases again failed'),
  );
}
