// One deployment's context, built once when it starts: its app and environment, the secrets it
// sees (decrypted once, never persisted), the redactor made of them, and the app spec of the
// release it works on, parsed once. Steps ask it for the driver call they need.
import type { AppSpec, EnvironmentSpec } from '../core/app-spec.js';
import { parseAppSpec } from '../core/config-file.js';
import { PreconditionError } from '../core/errors.js';
import type { App, Deployment, Environment } from '../core/model.js';
import type { DeployLog, DriverContext, RuntimeDriver } from '../core/ports/runtime-driver.js';
import { Redactor } from '../core/redactor.js';
import type { Sensitive } from '../core/sensitive.js';
import type { PipelineDeps } from './pipeline-deps.js';

export const SPEC_FILE = 'slipway.yml';

export interface DriverCall {
  driver: RuntimeDriver;
  dctx: DriverContext;
}

export class DeploymentContext {
  readonly redactor: Redactor;
  #parsed: { text: string; spec: AppSpec } | undefined;

  private constructor(
    private readonly deps: Pick<PipelineDeps, 'driver' | 'redact' | 'parseSpec'>,
    readonly deployment: Deployment,
    readonly app: App,
    readonly environment: Environment,
    readonly secrets: Readonly<Record<string, Sensitive>>,
  ) {
    this.redactor = new Redactor(Object.values(secrets).map((s) => s.reveal()));
  }

  static async create(deps: Pick<PipelineDeps, 'driver' | 'secrets' | 'redact' | 'parseSpec'>, deployment: Deployment, app: App, environment: Environment): Promise<DeploymentContext> {
    const secrets = await deps.secrets(app.id, environment.id);
    return new DeploymentContext(deps, deployment, app, environment, secrets);
  }

  /** Hides this deployment's secret values, and every other value the control plane knows. */
  redact(text: string): string {
    const own = this.redactor.redact(text);
    return this.deps.redact ? this.deps.redact(own) : own;
  }

  /**
   * Parses the spec a step has just read, with the pipeline's parser (off the event loop in the
   * control plane), and keeps it for `spec`: the deployment's one parse.
   */
  async loadSpec(specText: string, where = SPEC_FILE): Promise<AppSpec> {
    if (this.#parsed?.text === specText) return this.#parsed.spec;
    const spec = this.deps.parseSpec ? await this.deps.parseSpec(specText, where) : parseAppSpec(specText, where);
    this.#parsed = { text: specText, spec };
    return spec;
  }

  /** The release's app spec; parsed once (a deployment works on one spec; `loadSpec` parsed it, unless the deployment resumed after a crash). */
  spec(specText: string, where = SPEC_FILE): AppSpec {
    if (this.#parsed?.text !== specText) this.#parsed = { text: specText, spec: parseAppSpec(specText, where) };
    return this.#parsed.spec;
  }

  /** The environment's section of the spec, or a clear error when the spec has none. */
  envSpec(spec: AppSpec): EnvironmentSpec {
    const envSpec = spec.environments[this.environment.name];
    if (!envSpec) {
      throw new PreconditionError(
        `${SPEC_FILE} has no environment "${this.environment.name}"; add it under environments: to deploy there`,
      );
    }
    return envSpec;
  }

  /** The driver of the release's spec and what it needs for one call. */
  driverCall(state: { specText: string; releaseId?: string }, step: { log: DeployLog; signal: AbortSignal }): DriverCall {
    const spec = this.spec(state.specText);
    const envSpec = this.envSpec(spec);
    const dctx = driverContext({ app: this.app, environment: this.environment, spec, envSpec, secrets: this.secrets, releaseId: state.releaseId, ...step });
    return { driver: this.deps.driver(spec.driver), dctx };
  }
}

/**
 * What a driver call needs for one release: the spec's plain variables (app, then environment
 * level), Slipway's own names, then the decrypted secrets. Also used outside a deployment (a live
 * release started again at control-plane start, `release-revival.ts`).
 */
export function driverContext(o: {
  app: App;
  environment: Environment;
  spec: AppSpec;
  envSpec: EnvironmentSpec;
  secrets: Readonly<Record<string, Sensitive>>;
  releaseId: string | undefined;
  log: DeployLog;
  signal: AbortSignal;
}): DriverContext {
  const variables: Record<string, string> = {
    ...o.spec.variables,
    ...o.envSpec.variables,
    SLIPWAY_APP: o.app.name,
    SLIPWAY_ENV: o.environment.name,
  };
  if (o.releaseId !== undefined) variables['SLIPWAY_RELEASE'] = o.releaseId;
  for (const [name, value] of Object.entries(o.secrets)) variables[name] = value.reveal();
  return { app: o.app, environment: o.environment, spec: o.spec, envSpec: o.envSpec, variables, secrets: { ...o.secrets }, log: o.log, signal: o.signal };
}
