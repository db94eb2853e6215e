// `slipway service install`: the control plane as a systemd service (it starts and watches the
// edge). As root a system unit in /etc/systemd/system, else a user unit in
// $XDG_CONFIG_HOME/systemd/user; then `systemctl [--user] daemon-reload` and `enable --now`.
import { constants } from 'node:fs';
import { access, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError, PreconditionError } from '../../core/errors.js';
import { run } from '../../platform/exec.js';
import type { CliContext } from '../context.js';
import { systemdUnit } from '../systemd-unit.js';

const UNIT = 'slipway.service';
/** Secrets do not belong in a unit file, which any local user may read. */
const SECRET_SETTINGS = new Set(['SLIPWAY_MASTER_KEY', 'SLIPWAY_TOKEN', 'SLIPWAY_ACME_EAB_HMAC_KEY', 'SLIPWAY_DNS_RFC2136_KEY_SECRET']);

interface InstallOptions {
  print?: boolean;
  unitDir?: string;
  start: boolean;
  force?: boolean;
  env: string[];
}

export function registerService(program: Command, ctx: CliContext): void {
  const service = program.command('service').description('run the control plane as a systemd service');
  service
    .command('install')
    .description('write a systemd unit for `slipway server` and enable and start it (a system unit as root, else a user unit)')
    .option('--env <NAME=VALUE>', 'a SLIPWAY_* setting for the service (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--print', 'print the unit and do nothing else')
    .option('--unit-dir <dir>', 'write the unit there and do not call systemctl (packagers, tests)')
    .option('--no-start', 'write the unit and reload systemd, but do not enable or start it')
    .option('--force', 'replace an existing, different unit')
    .action(async (opts: InstallOptions) => {
      const settings = await ctx.settings();
      const { settingNames, userConfigHome } = await import('../../platform/env.js');
      const env = parseEnv(opts.env, new Set(settingNames()));
      const system = process.getuid?.() === 0;
      const dataDir = env['SLIPWAY_DATA_DIR'] ?? settings.dataDir;
      delete env['SLIPWAY_DATA_DIR'];
      const cli = await runningCli();
      const unit = systemdUnit({ node: process.execPath, cli, dataDir, env, system });
      if (opts.print) return ctx.out(unit.trimEnd());

      const dir = opts.unitDir ? path.resolve(opts.unitDir) : system ? '/etc/systemd/system' : path.join(userConfigHome(), 'systemd', 'user');
      const file = path.join(dir, UNIT);
      const existing = await readFile(file, 'utf8').catch(() => null);
      if (existing !== null && existing !== unit && !opts.force) {
        throw new PreconditionError(`${file} exists and differs from the unit Slipway would write; compare with \`slipway service install --print\`, then run again with --force to replace it`, { file });
      }
      await mkdir(dir, { recursive: true, mode: 0o755 });
      if (existing !== unit) await writeFile(file, unit, { mode: 0o644 });
      ctx.err(`${existing === unit ? 'unchanged' : 'wrote'} ${file} (data dir ${dataDir}; runs ${process.execPath} ${cli} server)`);
      if (opts.unitDir) return;

      const user = system ? [] : ['--user'];
      if (!(await systemctlExists())) {
        ctx.err(`systemctl is not here: enable the unit with your init system, or run \`slipway server\` yourself`);
        return;
      }
      await systemctl([...user, 'daemon-reload']);
      if (opts.start) {
        await systemctl([...user, 'enable', '--now', 'slipway']);
        ctx.err(`enabled and started slipway${system ? '' : ' (a user service: for it to run while you are logged out, `loginctl enable-linger`)'}`);
      }
      ctx.out(`logs: journalctl ${system ? '' : '--user '}-u slipway -f`);
      ctx.out(`stop everything: slipway down, then systemctl ${system ? '' : '--user '}disable --now slipway`);
    });
}

/** `--env NAME=VALUE` values: known settings only, no secrets, no line breaks; a data dir made absolute. */
function parseEnv(pairs: string[], known: Set<string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    const value = pair.slice(eq + 1);
    if (!name) throw new InvalidInputError(`--env ${JSON.stringify(pair)}: expected NAME=VALUE, e.g. --env SLIPWAY_EDGE_PORT=80`);
    if (!known.has(name)) throw new InvalidInputError(`--env ${name}: not a Slipway setting (see \`slipway server --help\`)`);
    if (SECRET_SETTINGS.has(name)) {
      throw new InvalidInputError(`--env ${name}: a secret does not go into a unit file that any local user may read; leave it out (the master key is kept in the data dir) or add it through a root-only EnvironmentFile= of your own`);
    }
    if (/[\r\n\0]/.test(value)) throw new InvalidInputError(`--env ${name}: the value has a line break or NUL; give it on one line`);
    env[name] = name === 'SLIPWAY_DATA_DIR' ? path.resolve(value) : value;
  }
  return env;
}

/** The absolute path of the program this CLI runs from (the bundle when installed). */
async function runningCli(): Promise<string> {
  const entry = process.argv[1];
  if (!entry) throw new PreconditionError('cannot tell which file this CLI runs from (process.argv[1] is empty); run it as `node /path/to/slipway.mjs service install`');
  const file = await realpath(entry);
  if (file.endsWith('.ts')) throw new PreconditionError(`the CLI runs from its TypeScript source (${file}); build it (npm run build) and run dist/bundle/slipway.mjs service install`);
  return file;
}

async function systemctlExists(): Promise<boolean> {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    if (await access(path.join(dir, 'systemctl'), constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}

async function systemctl(args: string[]): Promise<void> {
  const r = await run(['systemctl', ...args], { name: `systemctl ${args.join(' ')}` });
  if (r.code !== 0) {
    throw new PreconditionError(`systemctl ${args.join(' ')} exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' ') || 'no message'} (the unit is written; fix that and run it yourself)`);
  }
}
