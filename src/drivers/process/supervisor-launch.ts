// Spawns a release's supervisor: detached (own session and process group, so a SIGKILL of the
// control plane does not reach it), stdio to `run/<id>/supervisor.log`, spec (with secrets) on
// stdin. Works from compiled JS and from TypeScript under tsx.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PreconditionError } from '../../core/errors.js';
import { baseChildEnv } from '../../platform/env.js';
import { sleep } from '../../platform/clock.js';
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
  const out = openSync(logFile, 'a', 0o600);
  const child = (() => {
    try {
      return spawn(process.execPath, [...supervisorNodeArgs(), runDir], {
        cwd: runDir,
        env: baseChildEnv(),
        stdio: ['pipe', out, out],
        detached: true,
      });
    } finally {
      closeSync(out);
    }
  })();
  let exited: string | null = null;
  child.once('error', (err) => (exited = `could not start: ${err.message}`));
  child.once('exit', (code, signal) => (exited = signal ? `was killed by ${signal}` : `exited with code ${code}`));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(JSON.stringify(spec));
  child.unref();
  const pid = child.pid;
  const deadline = Date.now() + timeoutMs;
  while (pid !== undefined && exited === null && Date.now() < deadline) {
    const state = await readState(runDir);
    if (state?.supervisorPid === pid && state.instances.every((i) => i.startedAt !== null || i.lastExit !== null)) return pid;
    await sleep(25);
  }
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
  if (pid !== undefined && exited === null) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  throw new PreconditionError(
    `the supervisor of release ${spec.releaseId} ${exited ?? `did not report within ${timeoutMs}ms`}${tail ? `; ${SUPERVISOR_LOG}:\n${tail}` : ''}`,
  );
}
