// What the steps of a plan hand to each other. Each key is written by one kind of step and read
// by later ones; a step names the keys it reads and writes (see step.ts), and a plan is checked
// at compile time so that no step reads a key that no earlier step writes.
// Persisted as JSON with each step run, so that a restarted engine can pick up from it.

export interface DeployState {
  /** The release this deployment creates or brings back. */
  releaseId: string;
  /** The release that was live when the deployment started (null: none). */
  previousReleaseId: string | null;
  commitSha: string | null;
  commitSubject: string | null;
  /** The release's slipway.yml, as text (parsed once per deployment by the DeploymentContext). */
  specText: string;
  /** `Deployment:` notes of the commits this deployment brings. */
  notes: string[];
  /** What a promotion takes over from the source release: artifact and the build's driver state. */
  inherited: { artifact: string; driverState: Record<string, unknown> } | null;
  /** The checked-out source tree (or extracted upload) in the deployment's scratch dir. */
  sourceDir: string;
  /** Content address of the built artifact. */
  artifact: string;
  /** Whether the environment's test gate ran (require_tests: true). */
  tested: boolean;
  /** The release a promotion copies. */
  sourceReleaseId: string;
  preMigrationBackups: string[];
  rollbackBackups: string[];
  pruned: string[];
}

export type StateKey = keyof DeployState;
