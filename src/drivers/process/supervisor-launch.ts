// Starts a release's supervisor through platform/detached-launch.ts: detached (own session and
// process group, so a SIGKILL of the control plane does not reach it), stdio to
// `run/<id>/supervisor.log`, spec (with secrets) on stdin. Works from compiled JS and from
// TypeScript under tsx.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PreconditionError, errorMessage } from '../../core/errors.js';
import { launchDetached } from '../../platform/detached-launch.js';
import { baseChildEnv } from '../../platform/env.js';
import { sleep } from '../../platform/clock.js';
import { signalGroup } from '../../platform/process-group.js';
import { readState } from './supervisor-control.js';
import { SUPERVISOR_ENTRY_BASENAME, SUPERVISOR_LOG, type SupervisorSpec } from './supervisor-protocol.js';

/** `node` arguments that run the supervisor entry, e.g. ["--import", "file:///…/tsx/…", "/…/supervisor-main.ts"]. */
export function supervisorNodeArgs(): string[] {
  const here = fileURLToPath(import.meta.url);
  const dir = path.dirname(here);
  if (here.endsWith('.ts')) {
    return ['--import', import.meta.resolve('tsx'), path.join(dir, `${SUPERVISOR_ENTRY_BASENAME}.ts`)];
  }
  return [path.join(dir, `${SUPERVISOR_ENTRY_BASENAME}.js`)];
}

/** Starts the supervisor and resolves with its pid once it has written its first state. */
export async function launchSupervisor(runDir: string, spec: SupervisorSpec, timeoutMs = 20_000): Promise<number> {
  await mkdir(path.join(runDir, 'logs'), { recursive: true, mode: 0o700 });
  const logFile = path.join(runDir, SUPERVISOR_LOG);
  const name = `the supervisor of release ${spec.releaseId}`;
  const supervisor = await launchDetached([process.execPath, ...supervisorNodeArgs(), runDir], {
    name,
    cwd: runDir,
    env: baseChildEnv(),
    logFile,
    input: JSON.stringify(spec), // the spec holds secrets: stdin, never argv or env
  }).catch((err: unknown) => {
    throw new PreconditionError(errorMessage(err));
  });
  const pid = supervisor.pid;
  const deadline = Date.now() + timeoutMs;
  while (supervisor.ended() === null && Date.now() < deadline) {
    const state = await readState(runDir);
    if (state?.supervisorPid === pid && state.instances.every((i) => i.startedAt !== null || i.lastExit !== null)) return pid;
    await sleep(25);
  }
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
  const ended = supervisor.ended();
  if (ended === null) signalGroup(pid, 'SIGKILL');
  throw new PreconditionError(`${name} ${ended ?? `did not report within ${timeoutMs}ms`}${tail ? `; ${SUPERVISOR_LOG}:\n${tail}` : ''}`);
}
