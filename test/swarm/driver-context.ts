// A DriverContext for driver tests: a real app spec, an in-memory deployment log.
import { appSpecSchema } from '../../src/core/app-spec.js';
import type { App, Environment } from '../../src/core/model.js';
import type { DeployLog, DriverContext } from '../../src/core/ports/runtime-driver.js';
import { Sensitive } from '../../src/core/sensitive.js';

export interface RecordedLog extends DeployLog {
  lines: { stream: string; text: string }[];
  text(): string;
}

export function recordedLog(echo = false): RecordedLog {
  const lines: { stream: string; text: string }[] = [];
  const push = (stream: string, text: string) => {
    lines.push({ stream, text });
    if (echo) console.log(`# [${stream}] ${text}`);
  };
  return {
    lines,
    info: (t) => push('info', t),
    error: (t) => push('error', t),
    output: (s, t) => push(s, t),
    text: () => lines.map((l) => `[${l.stream}] ${l.text}`).join('\n'),
  };
}

export function driverContext(opts: { app: string; env: string; registry: string; variables?: Record<string, string>; secrets?: Record<string, string>; release?: string[][] }): DriverContext & { log: RecordedLog } {
  const now = new Date().toISOString();
  const app: App = { id: `app-${opts.app}`, name: opts.app, repo: '/dev/null', driver: 'swarm', createdAt: now };
  const environment: Environment = { id: `env-${opts.env}`, appId: app.id, name: opts.env, branch: 'main', createdAt: now };
  const spec = appSpecSchema.parse({ driver: 'swarm', environments: { [opts.env]: {} }, swarm: { registry: opts.registry }, release: opts.release ?? [] });
  return {
    app,
    environment,
    spec,
    envSpec: spec.environments[opts.env]!,
    variables: opts.variables ?? {},
    secrets: Object.fromEntries(Object.entries(opts.secrets ?? {}).map(([k, v]) => [k, new Sensitive(v)])),
    log: recordedLog(process.env['SLIPWAY_TEST_ECHO'] === '1'),
    signal: new AbortController().signal,
  };
}
