// What the pipeline needs to back up an environment's databases before its release phase.
import type { AppSpec } from '../core/app-spec.js';
import type { App, Backup, Environment } from '../core/model.js';

export interface MigrationBackups {
  /**
   * One backup of every database of the environment, each uploaded and read back, restore-drilled
   * (unless the database opts out), recorded and linked to `releaseId`. Rejects when any backup fails (the release phase must not run then).
   */
  beforeMigration(input: { app: App; environment: Environment; spec: AppSpec; releaseId: string; log: (line: string) => void; signal?: AbortSignal }): Promise<Backup[]>;
}
