// Runs the real `slipway` CLI as a child process and collects what it printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baseChildEnv } from '../../src/platform/env.js';
import { nodeArgvFor, projectRoot } from '../support/entry.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  env?: Record<string, string>;
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
  /** Called once the child is spawned (to look at it while it runs). */
  onSpawn?: (child: ChildProcess) => void;
}

/** A data directory of its own, so that nothing from the developer's machine is discovered. */
export function tempDir(prefix = 'slipway-cli-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function runCli(args: string[], opts: CliRun = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [...cliArgv(), ...args], {
    cwd: opts.cwd ?? projectRoot,
    env: { ...baseChildEnv(), SLIPWAY_DATA_DIR: path.join(os.tmpdir(), 'slipway-cli-no-such-dir'), ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  opts.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.on('error', () => {}); // the CLI may exit before reading its input
  child.stdin.end(opts.input ?? '');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`slipway ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `--import tsx` resolves from the working directory; make it absolute so any cwd works. */
function cliArgv(): string[] {
  return nodeArgvFor('src/cli/main.ts').map((a) => (a === 'tsx' ? import.meta.resolve('tsx') : a));
}

/** The environment that points the CLI at a (fake) server. */
export function serverEnv(server: { url: string; token: string }): Record<string, string> {
  return { SLIPWAY_URL: server.url, SLIPWAY_TOKEN: server.token };
}
