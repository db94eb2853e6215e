// The steps of a deployment's plan as they run: recorded before and after each one.
import type { StepRun, StepStatus } from '../../model.js';

export interface StepRuns {
  startStep(deploymentId: string, seq: number, name: string): Promise<StepRun>;
  finishStep(id: number, status: StepStatus, output?: Record<string, unknown>, error?: string | null): Promise<void>;
  listSteps(deploymentId: string): Promise<StepRun[]>;
}
