// `slipway down`: stops what Slipway runs on this machine for the data dir: the control plane,
// the edge and the process driver's apps (release supervisors and their instances). A running
// server is asked to do it (POST /api/system/shutdown) and watched until every pid it named is
// gone; without one, the edge and the supervisors recorded in the data dir are stopped directly.
// Swarm services are never touched. Nothing running: says so, exit 0.
import type { Command } from 'commander';
import type { ShutdownView } from '../../core/wire/system.js';
import { sleep } from '../../platform/clock.js';
import { pidAlive } from '../../platform/process-alive.js';
import { ApiClient } from '../api-client.js';
import { discoverConnection } from '../connection.js';
import type { CliContext } from '../context.js';
import { positiveInt } from '../options.js';
import { ServerUnreachableError } from '../server-unreachable.js';

const SWARM_NOTE = 'Swarm services are not touched by `slipway down` (remove a stack with `docker stack rm`)';

export function registerDown(program: Command, ctx: CliContext): void {
  program
    .command('down')
    .description("stop the control plane, the edge and the process driver's apps on this machine (Swarm services are left alone)")
    .option('--timeout <seconds>', 'how long to wait for everything to stop', positiveInt, 60)
    .action(async (opts: { timeout: number }) => {
      const settings = await ctx.settings();
      // This machine's server only: the data dir's server.json, never SLIPWAY_URL.
      const view = await askServer({ ...settings, url: undefined });
      if (view) {
        ctx.err(`slipway down: the control plane (pid ${view.serverPid}) is stopping ${describe(view)}`);
        for (const line of view.untouched) ctx.err(`slipway down: left running: ${line}`);
        ctx.err(`slipway down: ${SWARM_NOTE}`);
        const waiting = [
          { what: `the control plane (pid ${view.serverPid})`, pid: view.serverPid },
          ...(view.edgePid !== null ? [{ what: `the edge (pid ${view.edgePid})`, pid: view.edgePid }] : []),
          ...view.supervisors.map((s) => ({ what: `${s.release} (supervisor pid ${s.pid})`, pid: s.pid })),
        ];
        const left = await waitGone(waiting, opts.timeout * 1000, (names) => ctx.err(`slipway down: waiting for ${names.join(', ')}`));
        if (left.length > 0) {
          ctx.err(`error: still running after ${opts.timeout} s: ${left.join(', ')}; see ${settings.dataDir} (edge/edge.log, apps/*/*/run/*/supervisor.log) and run \`slipway down\` again`);
          ctx.exitCode = 1;
          return;
        }
        ctx.out(`stopped: the control plane, ${view.edgePid !== null ? 'the edge, ' : ''}${view.supervisors.length} app release(s)`);
        return;
      }
      // No control plane answers: stop what it left running, found by the data dir's pid files.
      const { findLocalRuntime, stopEdge, stopSupervisors } = await import('../../local-runtime.js');
      const runtime = await findLocalRuntime(settings.dataDir);
      if (runtime.edgePid === null && runtime.supervisors.length === 0) {
        ctx.out(`nothing is running (data dir ${settings.dataDir})`);
        return;
      }
      ctx.err(`slipway down: no control plane runs; stopping ${describe({ edgePid: runtime.edgePid, supervisors: runtime.supervisors })}`);
      ctx.err(`slipway down: ${SWARM_NOTE}`);
      const stopped = await stopSupervisors(runtime.supervisors);
      for (const release of stopped) ctx.err(`slipway down: stopped ${release}`);
      if (runtime.edgePid !== null) {
        await stopEdge(runtime.edgePid);
        ctx.err(`slipway down: stopped the edge (pid ${runtime.edgePid})`);
      }
      ctx.out(`stopped: ${runtime.edgePid !== null ? 'the edge, ' : ''}${stopped.length} app release(s)`);
    });
}

/** The shutdown the data dir's running server accepted, or null when no server answers there. */
async function askServer(settings: Parameters<typeof discoverConnection>[0]): Promise<ShutdownView | null> {
  try {
    const connection = await discoverConnection(settings);
    return (await new ApiClient(connection.url, connection.token).shutdown()).shutdown;
  } catch (err) {
    // A root server whose files this user cannot read is running: not a case for stopping by pid files.
    if (err instanceof ServerUnreachableError && err.details['denied'] !== true) return null;
    throw err;
  }
}

function describe(v: Pick<ShutdownView, 'edgePid' | 'supervisors'>): string {
  const parts = [...(v.edgePid !== null ? [`the edge (pid ${v.edgePid})`] : []), `${v.supervisors.length} app release(s)${v.supervisors.length ? ` (${v.supervisors.map((s) => s.release).join(', ')})` : ''}`];
  return parts.join(' and ');
}

/** Waits until every pid is gone; returns what still runs at the deadline. Progress every 2 s. */
async function waitGone(items: Array<{ what: string; pid: number }>, timeoutMs: number, progress: (names: string[]) => void): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let nextReport = Date.now() + 2000;
  for (;;) {
    const alive: string[] = [];
    for (const i of items) if (await pidAlive(i.pid)) alive.push(i.what);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    if (Date.now() >= nextReport) {
      progress(alive);
      nextReport = Date.now() + 2000;
    }
    await sleep(200);
  }
}
