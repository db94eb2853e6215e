// The test web app (test/fixtures/apps/web) in a real git repository, with helpers to commit
// new versions of it: a version number, a failing health check, a failing migration.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createTestRepo, type TestRepo } from './git-repo.js';
import { projectRoot } from './entry.js';

export interface FixtureApp {
  repo: TestRepo;
  /** Commits and pushes version `n` to main; returns the sha. */
  release(n: number, opts?: { unhealthy?: boolean; failMigration?: boolean }): Promise<string>;
}

/** `editSpec` rewrites the fixture's slipway.yml text (e.g. another route host, keep_warm: false). */
export async function createFixtureApp(opts: { editSpec?: (text: string) => string } = {}): Promise<FixtureApp> {
  const dir = path.join(projectRoot, 'test', 'fixtures', 'apps', 'web');
  const files: Record<string, string> = {};
  for (const name of await readdir(dir)) files[name] = await readFile(path.join(dir, name), 'utf8');
  if (opts.editSpec && files['slipway.yml'] !== undefined) files['slipway.yml'] = opts.editSpec(files['slipway.yml']);
  const repo = await createTestRepo();
  const present = new Set<string>();
  const toggle = (name: string, on: boolean | undefined): Record<string, string | null> => {
    if (on) {
      present.add(name);
      return { [name]: 'yes\n' };
    }
    if (!present.delete(name)) return {};
    return { [name]: null };
  };
  return {
    repo,
    async release(n, opts = {}) {
      const sha = await repo.commit(
        {
          ...files,
          VERSION: `${n}\n`,
          ...toggle('UNHEALTHY', opts.unhealthy),
          ...toggle('FAIL_MIGRATION', opts.failMigration),
        },
        `Version ${n}${opts.unhealthy ? ' (unhealthy)' : ''}${opts.failMigration ? ' (bad migration)' : ''}`,
      );
      await repo.push('main');
      return sha;
    },
  };
}
