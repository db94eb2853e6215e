// The build: copy the checked-out source (without .git) into a fresh build dir, run the spec's
// build commands there, pack the result into a content-addressed artifact, remove the build dir.
// The source and the build's output are held to the upload's link policy (tree-check.ts).
import { randomBytes } from 'node:crypto';
import { cp, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import type { BuildResult, DriverContext, SourceTree } from '../../core/ports/runtime-driver.js';
import { commandEnv, secretRedactor } from './child-env.js';
import { argvValues, expandCommand } from '../../core/command-argv.js';
import type { CommandGroups } from './command-groups.js';
import type { AppUsers } from './app-users.js';
import type { ProcessLayout } from './layout.js';
import { packArtifact } from './pack-artifact.js';
import { runCommand } from './run-command.js';
import { checkTree } from './tree-check.js';

export async function buildRelease(
  layout: ProcessLayout,
  ctx: DriverContext,
  req: { releaseId: string; source: SourceTree },
  groups: CommandGroups,
  appUsers: AppUsers | null = null,
): Promise<BuildResult> {
  const source = path.resolve(req.source.dir);
  const info = await stat(source).catch(() => null);
  if (!info?.isDirectory()) {
    throw new InvalidInputError(`source directory ${source} does not exist; check out the commit before building`);
  }
  const buildDir = path.join(layout.buildsDir, `${req.releaseId}-${randomBytes(4).toString('hex')}`);
  await mkdir(layout.buildsDir, { recursive: true });
  try {
    await cp(source, buildDir, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => path.basename(src) !== '.git',
    });
    ctx.log.info(`copied ${source} into the build directory`);
    const sourceName = req.source.commitSha ? `the source at ${req.source.commitSha.slice(0, 7)}` : 'the source';
    await checkTree(buildDir, sourceName, 'nothing was built (links must stay inside the repository)');
    const runAs = appUsers ? await appUsers.giveDir(ctx.app.name, buildDir) : null;
    const env = commandEnv(ctx, {
      SLIPWAY_RELEASE: req.releaseId,
      ...(req.source.commitSha ? { SLIPWAY_COMMIT: req.source.commitSha } : {}),
      ...runAs?.env,
    });
    const redactor = secretRedactor(ctx);
    const values = argvValues(ctx, req.releaseId);
    for (const [i, argv] of ctx.spec.build.entries()) {
      const label = `build command ${i + 1}`;
      await runCommand({ label, argv: expandCommand(ctx, label, argv, values), cwd: buildDir, env, log: ctx.log, signal: ctx.signal, redactor, groups, ...(runAs ? { user: runAs.user } : {}) });
    }
    await checkTree(buildDir, 'the build output', 'nothing was packed (links the build leaves must stay inside the release)');
    const artifact = await packArtifact(buildDir, layout.artifactsDir);
    ctx.log.info(`release artifact ${artifact}`);
    return { artifact };
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}
