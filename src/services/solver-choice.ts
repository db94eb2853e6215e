// Which challenge solvers an order gets: the types the settings allow (SLIPWAY_ACME_CHALLENGES, in
// order of preference) among the solvers this control plane has. A wildcard name can only be
// validated by dns-01 (RFC 8555 7.1.3), so an order with one gets dns-01 alone; `dns` says whether
// a DNS provider is there at all (CertificateService refuses wildcards without it, naming the settings).
import type { ChallengeSolver, ChallengeType } from '../core/ports/certificate-issuer.js';
import type { SolverFactory } from './certificate-service.js';

export function solverChoice(allowed: readonly ChallengeType[], available: readonly ChallengeSolver[]): SolverFactory {
  const byType = new Map(available.map((s) => [s.type, s]));
  const ordered = allowed.flatMap((t) => byType.get(t) ?? []);
  const dnsSolver = allowed.includes('dns-01') ? byType.get('dns-01') : undefined;
  return {
    dns: dnsSolver !== undefined,
    solvers(hosts) {
      if (hosts.some((h) => h.startsWith('*.'))) return dnsSolver ? [dnsSolver] : [];
      return ordered;
    },
  };
}
