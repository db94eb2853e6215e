// Batch reads for the status of every environment at once (one query each, however many environments).
import type { Deployment, Release } from '../../model.js';

export interface StatusReads {
  /** The live release of every environment, keyed by environment id (one query: for status; `spec` and `driverState` left empty). */
  liveReleases(): Promise<Map<string, Release>>;
  /** The newest deployment of every environment, keyed by environment id (one query: for status). */
  latestDeploymentsByEnvironment(): Promise<Map<string, Deployment>>;
}
