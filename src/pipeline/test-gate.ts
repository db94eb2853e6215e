// The test gate of an environment with `require_tests: true`: the spec's `test` commands run in
// the checked-out source (output streamed to the deploy log); a failure stops the deploy before build.
import { commandEnv, secretRedactor } from '../drivers/process/child-env.js';
import { runCommand } from '../drivers/process/run-command.js';
import { driverCall } from './driver-context.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { StepContext } from './step.js';

export async function runTestGate(deps: PipelineDeps, ctx: StepContext, sourceDir: string): Promise<boolean> {
  const { dctx } = await driverCall(deps, ctx);
  if (!dctx.envSpec.require_tests) return false;
  if (dctx.spec.test.length === 0) {
    ctx.log.info(`${ctx.environment.name} has require_tests: true but slipway.yml lists no test commands; nothing to run`);
    return true;
  }
  const env = commandEnv(dctx, { CI: 'true' });
  const redactor = secretRedactor(dctx);
  for (const [i, argv] of dctx.spec.test.entries()) {
    await runCommand({ label: `test command ${i + 1}`, argv, cwd: sourceDir, env, log: ctx.log, signal: ctx.signal, redactor });
  }
  ctx.log.info('tests passed');
  return true;
}
