// `slipway up`: Slipway's main job on one machine with its embedded defaults. Starts the control
// plane and the edge, makes a git repository of the shipped example app (first run only),
// creates the app, deploys it to staging when staging does not already run its newest commit,
// prints where it answers, and keeps serving until SIGINT/SIGTERM. Running it again is idempotent.
import { cp, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { Sensitive } from '../../core/sensitive.js';
import { runChecked } from '../../platform/exec.js';
import { baseChildEnv } from '../../platform/env.js';
import { ApiClient } from '../api-client.js';
import type { CliContext } from '../context.js';
import { untilSignalOr } from '../signals.js';
import { watchDeployment } from '../watch-deployment.js';

const APP = 'hello';
const ENV = 'staging';
const HOST = 'staging.hello.localhost';

async function exampleDir(): Promise<string> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'examples', APP);
    if (await stat(path.join(candidate, 'slipway.yml')).catch(() => null)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`the example app was not found next to the slipway package (examples/${APP})`);
}

/** A git repository of the example app in the data dir, committed once. */
async function exampleRepo(dataDir: string): Promise<string> {
  const repo = path.join(dataDir, 'examples', APP);
  if (await stat(path.join(repo, '.git')).catch(() => null)) return repo;
  await mkdir(repo, { recursive: true });
  await cp(await exampleDir(), repo, { recursive: true });
  const env = {
    ...baseChildEnv(),
    GIT_AUTHOR_NAME: 'Slipway',
    GIT_AUTHOR_EMAIL: 'slipway@localhost',
    GIT_COMMITTER_NAME: 'Slipway',
    GIT_COMMITTER_EMAIL: 'slipway@localhost',
  };
  await runChecked(['git', 'init', '--quiet', '--initial-branch=main', repo], { env });
  await runChecked(['git', '-C', repo, 'add', '-A'], { env });
  await runChecked(['git', '-C', repo, 'commit', '--quiet', '-m', 'The hello example app'], { env });
  return repo;
}

export function registerUp(program: Command, ctx: CliContext): void {
  program
    .command('up')
    .description('start Slipway on its embedded defaults and deploy the example app to staging')
    .action(async () => {
      const settings = await ctx.settings();
      const { startServer } = await import('../../server.js');
      const server = await startServer(settings);
      try {
        ctx.err(`slipway: control plane on ${server.url}, edge on ${server.edgeUrl ?? '(off)'}, data in ${settings.dataDir}`);
        const token = settings.token ?? (await readFile(path.join(settings.dataDir, 'admin.token'), 'utf8')).trim();
        const client = new ApiClient(server.url, new Sensitive(token));
        const repo = await exampleRepo(settings.dataDir);
        const { apps } = await client.listApps();
        if (!apps.some((a) => a.name === APP)) {
          await client.createApp({ name: APP, repo });
          ctx.err(`slipway: created app ${APP} from ${repo}`);
        }
        const head = (await runChecked(['git', '-C', repo, 'rev-parse', 'HEAD'], { env: baseChildEnv() })).stdout.trim();
        const { environments } = await client.status(APP);
        const live = environments.find((e) => e.environment === ENV)?.live;
        if (live?.commitSha === head) {
          ctx.err(`slipway: ${APP}/${ENV} already runs ${head.slice(0, 7)} (release ${live.release}); nothing to deploy`);
        } else {
          const { deployment } = await client.deploy(APP, ENV);
          const code = await watchDeployment(ctx, client, deployment, { follow: true, json: false });
          if (code !== 0) {
            ctx.exitCode = code;
            return;
          }
        }
        const edge = server.edgeUrl ? new URL(server.edgeUrl) : null;
        if (edge) {
          ctx.out(`${APP}/${ENV} answers at http://${HOST}:${edge.port}/`);
          ctx.out(`  curl -H 'Host: ${HOST}' ${server.edgeUrl}/`);
        }
        ctx.out(`admin token: ${path.join(settings.dataDir, 'admin.token')}; try: slipway status (on the PATH after npm install -g .)`);
        ctx.err('slipway: serving; Ctrl-C stops the control plane only (the edge and the app keep serving); `slipway down` stops everything');
        const why = await untilSignalOr(server.shutdownRequested);
        ctx.err(why === 'shutdown' ? 'slipway: the app and the edge are stopped (slipway down); stopping the control plane' : `slipway: ${why}, stopping the control plane; the edge and the app keep serving (\`slipway down\` stops them)`);
      } finally {
        await server.close();
      }
    });
}
