// Runs one build or release command from argv (through platform/exec.ts): output streamed line by
// line, redacted, to the deploy log; the whole process group stopped when the deploy is
// cancelled, and whatever the command left in it killed when it exits (failed or not); the group
// recorded while it runs (command-groups.ts), so a control plane killed meanwhile kills it at its
// next start; on failure a StepFailedError with the exit code and the last lines of stderr.
import { CommandFailedError, StepFailedError } from '../../core/errors.js';
import type { Redactor } from '../../core/redactor.js';
import type { DeployLog } from '../../core/ports/runtime-driver.js';
import { describeArgv, spawnProcess } from '../../platform/exec.js';
import type { CommandGroups } from './command-groups.js';

export { describeArgv };

export interface CommandOptions {
  /** What the command is, for messages: "build command 1". */
  label: string;
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  log: DeployLog;
  signal: AbortSignal;
  redactor: Redactor;
  /** Where the running command's process group is recorded. */
  groups: CommandGroups;
  /** Run as this user (the app's, when the control plane runs as root). */
  user?: { uid: number; gid: number };
}

export async function runCommand(opts: CommandOptions): Promise<void> {
  const name = `${opts.label} ${describeArgv(opts.argv)}`;
  if (!opts.argv[0]) throw new StepFailedError(`${opts.label} is empty`);
  if (opts.signal.aborted) throw new StepFailedError(`${name} was cancelled`, { cancelled: true });
  opts.log.info(`${opts.label}: ${describeArgv(opts.argv)}`);
  const command = spawnProcess(opts.argv, {
    cwd: opts.cwd,
    env: opts.env,
    signal: opts.signal,
    ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
    redact: (text) => opts.redactor.redact(text),
    onLine: (line, stream) => opts.log.output(stream, line),
    name,
    reapGroup: true,
  });
  let forget: (() => Promise<void>) | undefined;
  if (command.pid !== undefined) {
    try {
      forget = await opts.groups.track(command.pid, name);
    } catch (err) {
      // Unrecorded, a crash could leave it running for good: it does not run at all.
      command.kill(0);
      await command.exit;
      throw err;
    }
  }
  try {
    await command.succeeded();
  } catch (err) {
    if (err instanceof CommandFailedError) throw new StepFailedError(err.message, err.details);
    throw err;
  } finally {
    await forget?.();
  }
}
