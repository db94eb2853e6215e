// The test gate on Swarm: each `test` command of slipway.yml runs INSIDE THE BUILT IMAGE (by
// digest) as a one-off replicated-job service made from the app's image service, so it gets
// what the app's services get: the stack's secrets and configs mounted, its networks joined,
// its compose environment; plus the app's plain variables and CI=true. Secret values travel only
// as Swarm secrets, never in the service spec (which anyone with Engine access can read).
// A service rather than a plain container: only services mount Swarm secrets and configs and
// join the stack's overlay networks, and the scheduler pulls the image (with registry auth) on
// whichever node runs it, exactly as for the release.
import { argvValues, expandCommand } from '../../core/command-argv.js';
import { ConfigError, StepFailedError } from '../../core/errors.js';
import type { DriverContext } from '../../core/ports/runtime-driver.js';
import { Redactor } from '../../core/redactor.js';
import type { ServiceSpec } from './compose/swarm-types.js';
import type { EngineClient, EngineRequest } from './engine/engine-client.js';
import type { SwarmApi } from './engine/swarm-api.js';
import { isJob, releasePlan } from './release-plan.js';
import type { SwarmReleaseState } from './release-state.js';
import { ensureStackObjects, finalSpec } from './stack/apply-stack.js';
import { asJob, jobSucceeded, runJobToEnd, type JobResult } from './stack/run-job.js';

export interface TestJobOptions {
  timeoutMs: number;
  registryAuth?: EngineRequest['registryAuth'];
  pollMs?: number;
}

/** Runs the spec's test commands one after another; rejects on the first that fails. */
export async function runTestJobs(engine: EngineClient, api: SwarmApi, ctx: DriverContext, state: SwarmReleaseState, releaseId: string, opts: TestJobOptions): Promise<void> {
  if (ctx.spec.test.length === 0) {
    ctx.log.info(`${ctx.environment.name} has require_tests: true but slipway.yml lists no test commands; nothing to run`);
    return;
  }
  const plan = releasePlan(ctx, state);
  const template = imageTemplate(plan.services, state);
  if (!template) {
    throw new ConfigError(`slipway.yml: test: commands run in the app's image, but no service in ${state.composeFile} runs it (services with build: or swarm.image_service)`);
  }
  const ids = await ensureStackObjects(api, plan);
  const base = finalSpec(template, ids.secretIds, ids.configIds);
  const suffix = releaseId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 12);
  const redactor = new Redactor(Object.values(ctx.secrets).map((s) => s.reveal()));
  const values = argvValues(ctx, releaseId);
  for (const [i, written] of ctx.spec.test.entries()) {
    const label = `test command ${i + 1}`;
    const argv = expandCommand(ctx, label, written, values);
    ctx.log.info(`${label}: ${JSON.stringify(argv)} in ${state.image}`);
    const job = asJob(base, `${state.stack}_test-${i + 1}-${suffix}`, argv);
    job.TaskTemplate.ContainerSpec.Env = testEnv(ctx, base.TaskTemplate.ContainerSpec.Env ?? []);
    const result = await runJobToEnd(engine, api, job, { label, log: ctx.log, signal: ctx.signal, ...opts });
    if (!jobSucceeded(result)) throw testFailure(label, argv, result, redactor);
  }
  ctx.log.info('tests passed');
}

/** The first long-running service that runs the app's image, else a job that does. */
function imageTemplate(services: ServiceSpec[], state: SwarmReleaseState): ServiceSpec | undefined {
  const runsImage = (s: ServiceSpec) => state.imageServices.some((n) => s.Name === `${state.stack}_${n}`);
  return services.find((s) => runsImage(s) && !isJob(s)) ?? services.find(runsImage);
}

/** The app's plain variables (secrets left out), the service's own environment, then CI=true. */
export function testEnv(ctx: Pick<DriverContext, 'variables' | 'secrets'>, serviceEnv: string[]): string[] {
  const env = new Map<string, string>();
  for (const [name, value] of Object.entries(ctx.variables)) if (!(name in ctx.secrets)) env.set(name, value);
  for (const entry of serviceEnv) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  env.set('CI', 'true');
  return [...env].map(([k, v]) => `${k}=${v}`);
}

function testFailure(label: string, argv: readonly string[], result: JobResult, redactor: Redactor): StepFailedError {
  const why =
    result.exitCode !== null && result.exitCode !== 0
      ? `exited with code ${result.exitCode}`
      : `did not complete (${result.error ?? result.state}${result.exitCode === null ? '' : `, exit code ${result.exitCode}`})`;
  const last = result.tail.length ? `; last lines of output:\n${redactor.redact(result.tail.join('\n'))}` : '';
  return new StepFailedError(`${label} ${JSON.stringify(argv)} ${why} inside the built image${last}`, {
    exitCode: result.exitCode,
    state: result.state,
    error: result.error,
  });
}
