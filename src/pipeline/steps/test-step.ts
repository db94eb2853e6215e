// The test gate of an environment with `require_tests: true`: the spec's `test` commands run
// before anything is built or started; a failing command stops the deploy.
import { commandEnv, secretRedactor } from '../../drivers/process/child-env.js';
import { runCommand } from '../../drivers/process/run-command.js';
import type { Step } from '../step.js';

export function testGate(): Step<'specText' | 'sourceDir', 'tested'> {
  return {
    name: 'test',
    async run(ctx) {
      const { dctx } = ctx.target.driverCall(ctx.state, ctx);
      if (!dctx.envSpec.require_tests) {
        ctx.log.info(`${ctx.environment.name} does not require tests (require_tests: false)`);
        return { tested: false };
      }
      if (dctx.spec.test.length === 0) {
        ctx.log.info(`${ctx.environment.name} has require_tests: true but slipway.yml lists no test commands; nothing to run`);
        return { tested: true };
      }
      const env = commandEnv(dctx, { CI: 'true' });
      const redactor = secretRedactor(dctx);
      for (const [i, argv] of dctx.spec.test.entries()) {
        await runCommand({ label: `test command ${i + 1}`, argv, cwd: ctx.state.sourceDir, env, log: ctx.log, signal: ctx.signal, redactor });
      }
      ctx.log.info('tests passed');
      return { tested: true };
    },
  };
}
