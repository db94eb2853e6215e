// The control plane on this machine as a whole: `slipway down`.
import { z } from 'zod';

/** `POST /api/system/shutdown`: `everything` must be said, so that no one stops the apps by accident. */
export const shutdownBody = z.strictObject({
  everything: z
    .boolean()
    .refine((v) => v, { message: 'must be true: the control plane, the edge and every app of the process driver stop' })
    .describe('true: stop the control plane, the edge and the process driver\'s apps'),
});
export type ShutdownRequest = z.input<typeof shutdownBody>;

/** What is being stopped (pids to wait for) and what is left alone. */
export interface ShutdownView {
  serverPid: number;
  edgePid: number | null;
  supervisors: Array<{ release: string; pid: number }>;
  /** What `down` does not stop, in words (Swarm services, an edge run by someone else). */
  untouched: string[];
}
