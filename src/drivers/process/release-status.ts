// Status of a release's instances from its supervisor's state file, checked against reality:
// is the pid alive, does the port answer the health check.
import type { InstanceStatus, RuntimeStatus } from '../../core/ports/runtime-driver.js';
import { probeHealth } from './health-probe.js';
import { pidAlive } from './proc-identity.js';
import { liveSupervisor, readState } from './supervisor-control.js';

const STATUS_PROBE_TIMEOUT_MS = 1000;

export async function releaseStatus(runDir: string, releaseId: string): Promise<RuntimeStatus> {
  const state = await readState(runDir);
  if (!state) return { releaseId, healthy: false, instances: [] };
  const supervisor = await liveSupervisor(runDir);
  const instances = await Promise.all(
    state.instances.map(async (inst): Promise<InstanceStatus> => {
      const base: InstanceStatus = { process: inst.process, instance: String(inst.index), state: 'stopped', restarts: inst.restarts };
      if (inst.port !== null) base.port = inst.port;
      if (inst.pid !== null) base.pid = inst.pid;
      const alive = inst.pid !== null && (await pidAlive(inst.pid));
      if (!alive) {
        const e = inst.lastExit;
        if (supervisor !== null && inst.state === 'backoff') base.state = 'starting';
        else base.state = state.stopped ? 'stopped' : 'failed';
        if (e) base.error = e.error ?? (e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`);
        return base;
      }
      if (inst.port === null || inst.healthPath === null) return { ...base, state: 'running' };
      const probe = await probeHealth(inst.port, inst.healthPath, STATUS_PROBE_TIMEOUT_MS);
      return probe.ok
        ? { ...base, state: 'healthy' }
        : { ...base, state: 'unhealthy', error: `GET ${inst.healthPath}: ${probe.detail}` };
    }),
  );
  const healthy =
    supervisor !== null && instances.length > 0 && instances.every((i) => i.state === 'healthy' || i.state === 'running');
  return { releaseId, healthy, instances };
}
