// Stops what a control plane started under a data dir: release supervisors (they stop their
// processes on SIGTERM) and the edge. Only pids recorded in the data dir's own files.
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { killDetached, type ServerProcess } from './server-process.js';

async function pidFiles(dir: string, name: string, depth = 6): Promise<string[]> {
  if (depth < 0) return [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isFile() && e.name === name) out.push(p);
    else if (e.isDirectory()) out.push(...(await pidFiles(p, name, depth - 1)));
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopPid(pid: number, timeoutMs = 8000): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

export async function stopEverything(dataDir: string): Promise<void> {
  const supervisors = await pidFiles(path.join(dataDir, 'apps'), 'supervisor.pid');
  await Promise.all(
    supervisors.map(async (f) => stopPid(Number((await readFile(f, 'utf8').catch(() => '')).trim()))),
  );
  const edge = await readFile(path.join(dataDir, 'edge', 'edge.json'), 'utf8').catch(() => null);
  if (edge) await stopPid((JSON.parse(edge) as { pid: number }).pid);
  // Whatever did not stop on SIGTERM (orphaned instances, an edge known only by edge.pid).
  await killDetached(dataDir);
}

/** A test's teardown of a control plane it started: the server, what it left running, its data dir. */
export async function stopControlPlane(server: ServerProcess | undefined, dataDir: string | undefined): Promise<void> {
  server?.kill('SIGTERM');
  await server?.exited;
  if (!dataDir) return;
  await stopEverything(dataDir);
  await rm(dataDir, { recursive: true, force: true });
}
