// `slipway deploy APP ENV [--ref REF | --upload TARBALL] [--no-follow]`
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { jsonOption } from '../options.js';
import { openUpload } from '../upload-body.js';
import { watchDeployment } from '../watch-deployment.js';

interface DeployOptions {
  ref?: string;
  upload?: string;
  follow: boolean;
  json?: boolean;
}

export function registerDeploy(program: Command, ctx: CliContext): void {
  program
    .command('deploy')
    .description('deploy an app to an environment and follow it until it is live or rolled back')
    .argument('<app>', 'app name')
    .argument('<env>', 'environment name, e.g. staging')
    .option('--ref <ref>', "branch, tag or commit to deploy (default: the environment's branch)")
    .addOption(new Option('--upload <tarball>', 'deploy this .tar/.tar.gz of the app instead of a git ref').conflicts('ref'))
    .option('--no-follow', 'return once the deployment is queued')
    .addOption(jsonOption())
    .action(async (app: string, env: string, opts: DeployOptions) => {
      const body = opts.upload ? await openUpload(opts.upload) : undefined;
      const client = await ctx.client();
      const { deployment } = body ? await client.upload(app, env, body) : await client.deploy(app, env, opts.ref ? { ref: opts.ref } : {});
      ctx.exitCode = await watchDeployment(ctx, client, deployment, { follow: opts.follow, json: opts.json === true });
    });
}
