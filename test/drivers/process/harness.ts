// Shared helpers of the process-driver tests: temp dirs, contexts, HTTP gets, cleanup.
import { cp, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appSpecSchema, environmentSchema, type AppSpec, type AppSpecInput } from '../../../src/core/app-spec.js';
import { parseAppSpec } from '../../../src/core/config-file.js';
import type { DriverContext, ReleaseRef } from '../../../src/core/ports/runtime-driver.js';
import { Sensitive } from '../../../src/core/sensitive.js';
import { stopRelease } from '../../../src/drivers/process/supervisor-control.js';
import { projectRoot } from '../../support/entry.js';

export const exampleDir = path.join(projectRoot, 'examples', 'hello');

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `slipway-${prefix}-`));
}

export async function exampleSpec(): Promise<AppSpec> {
  return parseAppSpec(await readFile(path.join(exampleDir, 'slipway.yml'), 'utf8'), 'examples/hello/slipway.yml');
}

export function specOf(input: AppSpecInput): AppSpec {
  return appSpecSchema.parse(input);
}

/** The spec with `keep_warm: false`: retire stops the replaced release (tests of the stop path). */
export function stopOnRetire(spec: AppSpec): AppSpec {
  return { ...spec, keep_warm: false };
}

/** A copy of the example app as a "checked out" source tree (with a fake .git dir to exclude). */
export async function exampleSource(): Promise<string> {
  const dir = await tempDir('src');
  await cp(exampleDir, dir, { recursive: true });
  await mkdir(path.join(dir, '.git'));
  await writeFile(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  return dir;
}

export interface TestContext {
  ctx: DriverContext;
  lines: string[];
}

export function makeContext(
  spec: AppSpec,
  opts: { app?: string; env?: string; variables?: Record<string, string>; secrets?: Record<string, string>; signal?: AbortSignal } = {},
): TestContext {
  const app = opts.app ?? 'hello';
  const env = opts.env ?? 'staging';
  const lines: string[] = [];
  const now = new Date().toISOString();
  const secrets = Object.fromEntries(Object.entries(opts.secrets ?? {}).map(([k, v]) => [k, new Sensitive(v)]));
  const ctx: DriverContext = {
    app: { id: `app_${app}`, name: app, repo: 'file:///dev/null', driver: 'process', createdAt: now },
    environment: { id: `env_${env}`, appId: `app_${app}`, name: env, branch: null, createdAt: now },
    spec,
    envSpec: spec.environments[env] ?? environmentSchema.parse({}),
    variables: opts.variables ?? {},
    secrets,
    log: {
      info: (t) => lines.push(`info ${t}`),
      error: (t) => lines.push(`error ${t}`),
      output: (s, t) => lines.push(`${s} ${t}`),
    },
    signal: opts.signal ?? new AbortController().signal,
  };
  return { ctx, lines };
}

export function ref(releaseId: string, artifact: string): ReleaseRef {
  return { releaseId, artifact, driverState: {} };
}

export function httpGet(port: number, pathname = '/', timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** True when the pid exists and is not a zombie (orphans reparented to a non-reaping init stay zombies). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops every supervisor under a data dir (test cleanup), then removes the dirs. */
export async function cleanup(dataDir: string, ...dirs: string[]): Promise<void> {
  const apps = path.join(dataDir, 'apps');
  for (const app of await readdir(apps).catch(() => [])) {
    for (const env of await readdir(path.join(apps, app)).catch(() => [])) {
      for (const id of await readdir(path.join(apps, app, env, 'run')).catch(() => [])) {
        await stopRelease(path.join(apps, app, env, 'run', id)).catch(() => undefined);
      }
    }
  }
  for (const d of [dataDir, ...dirs]) await rm(d, { recursive: true, force: true });
}

/** A source tree made of the given files (relative path -> content). */
export async function writeApp(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('app');
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

/** Pids of live processes whose working directory is `dir` (or below it). */
export async function processesIn(dir: string): Promise<number[]> {
  const real = await realpath(dir).catch(() => dir);
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cwd = await readlink(`/proc/${name}/cwd`).catch(() => null);
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const zombie = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
    if (cwd && !zombie && (cwd === real || cwd.startsWith(real + path.sep))) out.push(Number(name));
  }
  return out;
}

/** A web app: `/healthz` answers `healthStatus`; `extra` is appended to server.js. */
export function webApp(opts: { healthStatus?: number; extra?: string } = {}): Record<string, string> {
  return {
    'server.js': `
import { createServer } from 'node:http';
const server = createServer((req, res) => {
  if (req.url === '/healthz') return res.writeHead(${opts.healthStatus ?? 200}).end('health');
  res.end(JSON.stringify({ pid: process.pid, release: process.env.SLIPWAY_RELEASE }));
});
server.listen(Number(process.env.PORT), '127.0.0.1');
${opts.extra ?? "process.on('SIGTERM', () => server.close(() => process.exit(0)));"}
`,
    'package.json': '{ "type": "module" }',
  };
}
