// `slipway apps create|list|show`
import type { Command } from 'commander';
import type { AppView } from '../../core/wire/index.js';
import type { CliContext } from '../context.js';
import { table, when } from '../format.js';
import { jsonOption } from '../options.js';
import { repoForServer } from '../local-repo-path.js';

export function registerApps(program: Command, ctx: CliContext): void {
  const apps = program.command('apps').description('register and list apps');
  apps
    .command('create')
    .description("register an app from its repository's slipway.yml")
    .argument('<name>', 'app name: lowercase letters, digits and "-"')
    .requiredOption('--repo <path-or-url>', 'git repository of the app: a URL, or a local path (made absolute from the current directory)')
    .option('--ref <ref>', 'where to read slipway.yml from (default: HEAD)')
    .addOption(jsonOption())
    .action(async (name: string, opts: { repo: string; ref?: string; json?: boolean }) => {
      const res = await (await ctx.client()).createApp({ name, repo: repoForServer(opts.repo, process.cwd()), ...(opts.ref ? { ref: opts.ref } : {}) });
      if (opts.json) return ctx.json(res);
      ctx.out(`created app ${res.app.name} (${res.app.driver}) with environments: ${envNames(res.app) || 'none'}`);
    });
  apps
    .command('list')
    .description('list apps and their environments')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const res = await (await ctx.client()).listApps();
      if (opts.json) return ctx.json(res);
      if (res.apps.length === 0) return ctx.out('no apps yet: add one with `slipway apps create NAME --repo PATH_OR_URL`');
      ctx.out(table(['APP', 'DRIVER', 'ENVIRONMENTS', 'REPO'], res.apps.map((a) => [a.name, a.driver, envNames(a) || '-', a.repo])));
    });
  apps
    .command('show')
    .description('show one app')
    .argument('<name>', 'app name')
    .addOption(jsonOption())
    .action(async (name: string, opts: { json?: boolean }) => {
      const res = await (await ctx.client()).getApp(name);
      if (opts.json) return ctx.json(res);
      const a = res.app;
      ctx.out(`app:     ${a.name}\ndriver:  ${a.driver}\nrepo:    ${a.repo}\ncreated: ${when(a.createdAt, ctx.now())}`);
      ctx.out(table(['ENVIRONMENT', 'BRANCH'], a.environments.map((e) => [e.name, e.branch ?? '-'])));
    });
}

function envNames(a: AppView): string {
  return a.environments.map((e) => e.name).join(', ');
}
