#!/usr/bin/env node
// The `slipway` binary: wires the real process to the command tree. The only process.exit.
import { readFileSync } from 'node:fs';
import { CliContext } from './context.js';
import { endingWithJson } from './exit-status.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  const ctx = new CliContext({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, loadSettings);
  const program = buildProgram(ctx, packageVersion());
  try {
    // The settings list of `server --help` needs zod (env.ts), which other commands never load.
    if (asksServerHelp(argv)) ctx.serverSettingsHelp = (await import('../platform/settings-doc.js')).settingsHelp();
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (err) {
    const ending = endingWithJson(err);
    if (ending.json && wantsJson(argv)) ctx.json(ending.json);
    else if (ending.message) ctx.err(ending.message);
    return ending.code;
  }
}

function asksServerHelp(argv: string[]): boolean {
  const args = argv.slice(2);
  return args[0] === 'server' && (args.includes('--help') || args.includes('-h'));
}

/** `--json` among the options (before a `--`): errors are then JSON on stdout too. */
function wantsJson(argv: string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}

// env.ts validates with zod; loaded only by commands that need settings, to keep start-up short.
async function loadSettings() {
  const { readSettings } = await import('../platform/env.js');
  return readSettings();
}

function packageVersion(): string {
  // src/cli/main.ts, dist/src/cli/main.js and the bundle (dist/bundle/builds/<id>/slipway.mjs)
  // all find package.json by walking up.
  for (let up = 2; up <= 5; up++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../'.repeat(up) + 'package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'slipway' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writableNeedDrain) resolve();
    else stream.once('drain', () => resolve());
  });
}

const code = await main(process.argv);
await Promise.all([drain(process.stdout), drain(process.stderr)]);
process.exit(code);
