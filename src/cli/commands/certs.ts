// `slipway certs list`, `slipway certs show HOST|ID`, `slipway certs renew HOST|ID`: the TLS
// certificates the edge serves, their validity and renewal state. Never a key.
import type { Command } from 'commander';
import type { CertificateView } from '../../core/wire/index.js';
import type { CliContext } from '../context.js';
import { table, when } from '../format.js';
import { jsonOption } from '../options.js';

export function registerCerts(program: Command, ctx: CliContext): void {
  const certs = program.command('certs').description('TLS certificates: list, show, renew');
  certs
    .command('list')
    .description('every certificate: hosts, expiry, renewal state')
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const res = await (await ctx.client()).listCertificates();
      if (opts.json) return ctx.json(res);
      if (res.certificates.length === 0) return ctx.out('no certificates (routes with tls: auto or an own certificate get one at their next deploy)');
      ctx.out(
        table(
          ['ID', 'HOSTS', 'SOURCE', 'EXPIRES', 'STATE', 'RENEWAL'],
          res.certificates.map((c) => [c.id, c.hosts.join(', '), c.origin === 'on-demand' ? `${c.source} (on-demand)` : c.source, `${c.notAfter.slice(0, 10)} (${days(c.expiresInDays)})`, c.condition === 'valid' ? 'valid' : c.condition.toUpperCase(), renewal(c, ctx.now())]),
        ),
      );
    });
  certs
    .command('show')
    .description('one certificate, by id or by a host it covers')
    .argument('<ref>', 'certificate id or host')
    .addOption(jsonOption())
    .action(async (ref: string, opts: { json?: boolean }) => {
      const res = await (await ctx.client()).getCertificate(ref);
      if (opts.json) return ctx.json(res);
      ctx.out(details(res.certificate, ctx.now()));
    });
  certs
    .command('renew')
    .description('renew a certificate from the ACME CA now, due or not')
    .argument('<ref>', 'certificate id or host')
    .addOption(jsonOption())
    .action(async (ref: string, opts: { json?: boolean }) => {
      const res = await (await ctx.client()).renewCertificate(ref);
      if (opts.json) return ctx.json(res);
      ctx.out(`certificate ${res.certificate.id} renewed: valid until ${res.certificate.notAfter}, next renewal from ${res.certificate.renewAfter ?? '-'}`);
    });
}

function days(n: number): string {
  return n < 0 ? `expired ${-n} day(s) ago` : `in ${n} day(s)`;
}

function renewal(c: CertificateView, now: Date): string {
  if (c.inUse === false) return 'unused: not renewed';
  if (c.source === 'secret') return 'own certificate: update its secrets';
  if (c.lastError !== null) return `FAILED ${c.failures}x, retry ${when(c.renewAfter, now)}`;
  return c.renewAfter ? `from ${c.renewAfter.slice(0, 16).replace('T', ' ')}` : '-';
}

export function details(c: CertificateView, now: Date): string {
  const lines = [
    `certificate ${c.id}`,
    `  hosts:        ${c.hosts.join(', ')}`,
    `  source:       ${c.source === 'acme' ? `ACME (${c.directoryUrl ?? '?'})` : 'own, from secrets'}${c.origin === 'on-demand' ? ', on demand (first TLS handshake)' : ''}`,
    `  valid:        ${c.notBefore} to ${c.notAfter} (${days(c.expiresInDays)})`,
    `  state:        ${c.condition}${c.inUse === false ? ' (no live route uses it: not renewed, removed once expired)' : ''}`,
    `  fingerprint:  ${c.fingerprint ?? '-'} (SHA-256)`,
  ];
  if (c.source === 'acme') lines.push(`  renewal:      ${c.renewAfter ?? '-'}${c.lastAttemptAt ? `; last attempt ${when(c.lastAttemptAt, now)}` : ''}`);
  if (c.lastError !== null) lines.push(`  LAST RENEWAL FAILED (${c.failures} time(s) in a row): ${c.lastError}`);
  return lines.join('\n');
}

/** The `slipway status` lines: certificates expiring within 14 days, expired, or failing to renew. */
export function certificateAlerts(certs: readonly CertificateView[]): string[] {
  return certs
    .filter((c) => c.condition !== 'valid' && c.inUse !== false)
    .map((c) => {
      const hosts = c.hosts.join(', ');
      if (c.condition === 'expired') return `certificate ${c.id} (${hosts}): EXPIRED at ${c.notAfter}${c.lastError ? `; last renewal failed: ${c.lastError}` : ''}`;
      if (c.condition === 'failing') return `certificate ${c.id} (${hosts}): RENEWAL FAILING (${c.failures}x): ${c.lastError ?? ''}; expires ${days(c.expiresInDays)}`;
      return `certificate ${c.id} (${hosts}): expires ${days(c.expiresInDays)} (${c.notAfter})`;
    });
}
