// Entry point of a release supervisor: `node supervisor-main.js <runDir>`, spec JSON on stdin.
// Spawned detached (own session) by the driver so that it outlives the control plane.
import { Supervisor } from './supervisor.js';
import type { SupervisorSpec } from './supervisor-protocol.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const runDir = process.argv[2];
  if (!runDir) {
    process.stderr.write('usage: supervisor-main <runDir> (spec JSON on stdin)\n');
    process.exitCode = 2;
    return;
  }
  const spec = JSON.parse(await readStdin()) as SupervisorSpec;
  const supervisor = new Supervisor(runDir, spec);
  process.on('SIGTERM', () => void supervisor.stop());
  process.on('SIGINT', () => void supervisor.stop());
  process.on('SIGHUP', () => undefined);
  await supervisor.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`supervisor failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
