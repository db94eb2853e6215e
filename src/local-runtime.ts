// What a control plane leaves running on this machine for a data dir, outliving it: the edge
// (`<data>/edge/edge.pid`) and the release supervisors (`<data>/apps/*/*/run/*/supervisor.pid`),
// and how to stop them (`slipway down`, with or without a server). A pid is signalled only when
// /proc says it is really ours: a supervisor of that very run dir, an edge of that very data dir.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { subdirs } from './drivers/process/artifact-index.js';
import { ProcessLayout } from './drivers/process/layout.js';
import { cmdline, environValue, pidAlive } from './drivers/process/proc-identity.js';
import { liveSupervisor, stopRelease, waitForExit } from './drivers/process/supervisor-control.js';
import { edgePaths } from './edge/admin/edge-paths.js';

export interface RunningSupervisor {
  /** "<app>/<env>/<releaseId>" */
  release: string;
  pid: number;
  runDir: string;
}

export interface LocalRuntime {
  edgePid: number | null;
  supervisors: RunningSupervisor[];
}

/** The verified pids of the edge and the supervisors of `dataDir` that run now. */
export async function findLocalRuntime(dataDir: string): Promise<LocalRuntime> {
  const layout = new ProcessLayout(dataDir);
  const supervisors: RunningSupervisor[] = [];
  for (const app of await subdirs(layout.appsDir)) {
    for (const env of await subdirs(path.join(layout.appsDir, app))) {
      for (const id of await subdirs(layout.runRoot(app, env))) {
        const runDir = layout.runDir(app, env, id);
        const pid = await liveSupervisor(runDir);
        if (pid !== null) supervisors.push({ release: `${app}/${env}/${id}`, pid, runDir });
      }
    }
  }
  return { edgePid: await liveEdge(dataDir), supervisors };
}

/** The pid in edge.pid when it is an edge process started for this data dir. */
export async function liveEdge(dataDir: string): Promise<number | null> {
  const text = await readFile(edgePaths(dataDir).pidFile, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 1 || !(await pidAlive(pid))) return null;
  const args = await cmdline(pid);
  const isEdge = args.some((a) => /(^|\/)edge(\/main\.(js|ts)|\.mjs)$/.test(a));
  const ownDir = await environValue(pid, 'SLIPWAY_DATA_DIR');
  return isEdge && ownDir !== null && path.resolve(ownDir) === path.resolve(dataDir) ? pid : null;
}

/** Stops every supervisor (each stops its instances with their grace); resolves with what was stopped. */
export async function stopSupervisors(supervisors: readonly RunningSupervisor[]): Promise<string[]> {
  const stopped = await Promise.all(supervisors.map(async (s) => ((await stopRelease(s.runDir)).supervisor ? s.release : null)));
  return stopped.filter((s): s is string => s !== null);
}

/** SIGTERM to the edge (it drains), SIGKILL if it has not exited after `graceMs`. */
export async function stopEdge(pid: number, graceMs = 10_000): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  };
  send('SIGTERM');
  if (!(await waitForExit(pid, graceMs))) {
    send('SIGKILL');
    await waitForExit(pid, 2000);
  }
}
