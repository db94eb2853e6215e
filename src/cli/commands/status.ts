// `slipway status [APP]`: what runs where.
import type { Command } from 'commander';
import type { EdgeHealth, EnvironmentStatus } from '../../core/wire/index.js';
import { ApiError } from '../api-error.js';
import type { CliContext } from '../context.js';
import { certificateAlerts } from './certs.js';
import { sha7, table, truncate, when } from '../format.js';
import { jsonOption } from '../options.js';

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('what runs where: live release, commit, who deployed it, last deployment, locks')
    .argument('[app]', 'only this app (also shows its runtime status)')
    .addOption(jsonOption())
    .action(async (app: string | undefined, opts: { json?: boolean }) => {
      const client = await ctx.client();
      const res = await client.status(app);
      // Certificates that need attention (expiring within 14 days, expired, renewal failing);
      // a control plane without certificates (an older one) answers 404.
      const certificates = app ? [] : await client.listCertificates().then((r) => r.certificates.filter((c) => c.condition !== 'valid' && c.inUse !== false), (err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return [];
        throw err;
      });
      if (opts.json) return ctx.json(certificates.length > 0 ? { ...res, certificates } : res);
      if (res.environments.length === 0) {
        ctx.out(app ? `app ${app} has no environments` : 'no apps yet: add one with `slipway apps create NAME --repo PATH_OR_URL`');
        for (const line of certificateAlerts(certificates)) ctx.out(line);
        return;
      }
      ctx.out(statusTable(res.environments, ctx.now()));
      if (res.edge) ctx.out(edgeLine(res.edge, ctx.now()));
      for (const line of certificateAlerts(certificates)) ctx.out(line);
      for (const env of res.environments) {
        if (env.maintenance) ctx.out(`${env.app}/${env.environment}: IN MAINTENANCE (the edge answers 503: ${truncate(env.maintenance.message, 80)}); end it with \`slipway maintenance off ${env.app} ${env.environment}\``);
      }
      for (const env of res.environments) {
        const last = env.lastDeployment;
        if (last?.status === 'compensation_failed') {
          ctx.out(`${env.app}/${env.environment}: ${last.kind} #${last.number} COULD NOT BE UNDONE: ${last.error ?? 'no reason recorded'}`);
        }
      }
      for (const env of res.environments) if (env.runtime) ctx.out(`\n${runtimeSection(env.app, env.environment, env.runtime)}`);
      for (const env of res.environments) {
        for (const b of env.backups ?? []) {
          ctx.out(`${env.app}/${env.environment} database ${b.database}: newest backup ${b.latest.id} (${b.latest.reason}, ${b.latest.status}, ${when(b.latest.takenAt, ctx.now())})`);
          if (b.failedDrill) ctx.out(`  RESTORE DRILL FAILED for backup ${b.failedDrill.backup}: ${b.failedDrill.reasons.join('; ')}`);
        }
      }
    });
}

/** How the edge in front of the apps is: up, or DOWN with why and when it is tried again. */
export function edgeLine(edge: EdgeHealth, now: Date): string {
  const restarts = edge.restarts ? `, restarted ${edge.restarts} time(s)` : '';
  const reconcile = edge.lastReconcile?.failures.length ? `; routes that could not be given again: ${edge.lastReconcile.failures.join('; ')}` : '';
  if (edge.state === 'up') return `edge: up at ${edge.url ?? '?'} (pid ${edge.pid ?? '?'}${restarts})${reconcile}`;
  const next = edge.nextAttemptAt ? `; next restart attempt at ${edge.nextAttemptAt}` : '';
  return `edge: DOWN since ${when(edge.since, now)}, nothing reaches the apps: ${edge.error ?? 'no reason recorded'}${next}${restarts}`;
}

/** The runtime's own view of one environment: every instance, its state, and why it failed. */
export function runtimeSection(app: string, env: string, runtime: NonNullable<EnvironmentStatus['runtime']>): string {
  if ('error' in runtime) return `${app}/${env}: runtime status unavailable: ${runtime.error}`;
  const head = `${app}/${env}: ${runtime.releaseId ? `release ${runtime.releaseId}, ${runtime.healthy ? 'healthy' : 'NOT healthy'}` : 'nothing running'}`;
  const services = runtime.services?.length
    ? `\n${table(
        ['SERVICE', 'REPLICAS', 'UPDATE'],
        runtime.services.map((s) => [s.name, `${s.running}/${s.desired}`, s.updateState ?? '-']),
      )}`
    : '';
  if (runtime.instances.length === 0) return head + services;
  const rows = runtime.instances.map((i) => [
    i.process,
    i.instance,
    i.state,
    i.node ?? '-',
    i.pid === undefined ? '-' : String(i.pid),
    i.port === undefined ? '-' : String(i.port),
    i.restarts === undefined ? '-' : String(i.restarts),
    i.error ?? '',
  ]);
  return `${head}${services}\n${table(['PROCESS', 'INSTANCE', 'STATE', 'NODE', 'PID', 'PORT', 'RESTARTS', 'ERROR'], rows)}`;
}

export function statusTable(rows: EnvironmentStatus[], now: Date): string {
  return table(
    ['APP', 'ENV', 'RELEASE', 'COMMIT', 'DEPLOYED', 'BY', 'LAST DEPLOYMENT', 'LOCK'],
    rows.map((s) => [
      s.app,
      s.environment,
      s.live?.release ?? '-',
      s.live ? `${sha7(s.live.commitSha)} ${truncate(s.live.commitSubject ?? '', 40)}`.trim() : '-',
      when(s.live?.deployedAt, now),
      s.live?.deployedBy ?? '-',
      s.lastDeployment ? `#${s.lastDeployment.number} ${s.lastDeployment.kind} ${s.lastDeployment.status}` : '-',
      s.lock ? `${s.lock.kind === 'manual' ? `${s.lock.owner}: ${truncate(s.lock.reason, 30)}` : 'deploying'}` : '-',
    ]),
  );
}
