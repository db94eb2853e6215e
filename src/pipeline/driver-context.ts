// Builds what a driver needs for one step from the plan state: the release's spec, its
// environment's settings, variables and decrypted secrets (never persisted).
import { parseAppSpec } from '../core/config-file.js';
import { PreconditionError } from '../core/errors.js';
import type { AppSpec } from '../core/app-spec.js';
import type { DriverContext, ReleaseRef, RuntimeDriver } from '../core/ports/runtime-driver.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { StepContext } from './step.js';

export interface DriverCall {
  driver: RuntimeDriver;
  dctx: DriverContext;
}

export function specOf(ctx: StepContext): AppSpec {
  const text = ctx.state['specText'];
  if (typeof text !== 'string') throw new PreconditionError('the plan has no app spec yet (resolve-source did not run)');
  return parseAppSpec(text, `slipway.yml`);
}

export async function driverCall(deps: PipelineDeps, ctx: StepContext): Promise<DriverCall> {
  const spec = specOf(ctx);
  const envSpec = spec.environments[ctx.environment.name];
  if (!envSpec) {
    throw new PreconditionError(
      `slipway.yml has no environment "${ctx.environment.name}"; add it under environments: to deploy there`,
    );
  }
  const secrets = await deps.secrets(ctx.app.id, ctx.environment.id);
  const variables: Record<string, string> = {
    ...spec.variables,
    ...envSpec.variables,
    SLIPWAY_APP: ctx.app.name,
    SLIPWAY_ENV: ctx.environment.name,
  };
  const releaseId = ctx.state['releaseId'];
  if (typeof releaseId === 'string') variables['SLIPWAY_RELEASE'] = releaseId;
  for (const [name, value] of Object.entries(secrets)) variables[name] = value.reveal();
  const dctx: DriverContext = {
    app: ctx.app,
    environment: ctx.environment,
    spec,
    envSpec,
    variables,
    secrets,
    log: ctx.log,
    signal: ctx.signal,
  };
  return { driver: deps.driver(spec.driver), dctx };
}

/** The release a step works on, read fresh from the store (driver state grows as steps run). */
export async function releaseRef(deps: PipelineDeps, releaseId: unknown): Promise<ReleaseRef | null> {
  if (typeof releaseId !== 'string') return null;
  const r = await deps.store.getRelease(releaseId);
  if (!r) return null;
  return { releaseId: r.id, artifact: r.artifact ?? '', driverState: r.driverState };
}

export async function requireRelease(deps: PipelineDeps, releaseId: unknown): Promise<ReleaseRef> {
  const ref = await releaseRef(deps, releaseId);
  if (!ref) throw new PreconditionError(`release ${String(releaseId)} is not recorded`);
  return ref;
}
