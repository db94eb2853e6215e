// Where the process driver keeps things under its data dir. Every name is checked before it
// becomes a path component, so an app, environment or release id can never escape the tree.
import path from 'node:path';
import { InvalidInputError } from '../../core/errors.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function assertSafeName(kind: string, value: string): string {
  if (!SAFE_NAME.test(value) || value.includes('..')) {
    throw new InvalidInputError(
      `${kind} ${JSON.stringify(value)} cannot be used as a directory name: use letters, digits, ".", "_" and "-" (starting with a letter or digit)`,
      { kind, value },
    );
  }
  return value;
}

export class ProcessLayout {
  readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = path.resolve(dataDir);
  }

  get appsDir(): string {
    return path.join(this.dataDir, 'apps');
  }

  get artifactsDir(): string {
    return path.join(this.dataDir, 'artifacts');
  }

  get buildsDir(): string {
    return path.join(this.dataDir, 'builds');
  }

  /** Records of the process groups of running build, test and release commands (command-groups.ts). */
  get commandsDir(): string {
    return path.join(this.dataDir, 'commands');
  }

  /** `<data>/artifacts/<hex>.tar.gz` for "sha256:<hex>". */
  artifactPath(artifact: string): string {
    const m = /^sha256:([0-9a-f]{64})$/.exec(artifact);
    if (!m) {
      throw new InvalidInputError(`artifact ${JSON.stringify(artifact)} is not a process-driver artifact (expected "sha256:<64 hex>")`);
    }
    return path.join(this.artifactsDir, `${m[1]}.tar.gz`);
  }

  envDir(app: string, env: string): string {
    return path.join(this.appsDir, assertSafeName('app name', app), assertSafeName('environment name', env));
  }

  releasesDir(app: string, env: string): string {
    return path.join(this.envDir(app, env), 'releases');
  }

  releaseDir(app: string, env: string, releaseId: string): string {
    return path.join(this.releasesDir(app, env), assertSafeName('release id', releaseId));
  }

  sharedDir(app: string, env: string): string {
    return path.join(this.envDir(app, env), 'shared');
  }

  currentLink(app: string, env: string): string {
    return path.join(this.envDir(app, env), 'current');
  }

  runRoot(app: string, env: string): string {
    return path.join(this.envDir(app, env), 'run');
  }

  runDir(app: string, env: string, releaseId: string): string {
    return path.join(this.runRoot(app, env), assertSafeName('release id', releaseId));
  }

  /** releaseId -> artifact of every release staged in the environment (for safe artifact pruning). */
  artifactIndex(app: string, env: string): string {
    return path.join(this.envDir(app, env), 'artifacts.json');
  }
}
