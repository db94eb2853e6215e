// The id of a certificate, derived from the hosts it covers: the same hosts (in any order) give
// the same id, so a renewal replaces the certificate on the edge under the id it had. One host:
// the host itself ("shop.example"; a wildcard "*.x" is "wildcard.x"); several: the first in sort
// order and a short hash of them all. Ids match the edge's [a-z0-9._-]{1,200}.
import { createHash } from 'node:crypto';

export function certificateId(hosts: readonly string[]): string {
  const sorted = [...new Set(hosts.map((h) => h.toLowerCase()))].sort();
  const first = (sorted[0] ?? 'none').replace(/^\*\./, 'wildcard.').slice(0, 180);
  if (sorted.length <= 1) return first;
  const hash = createHash('sha256').update(sorted.join('\n')).digest('hex').slice(0, 10);
  return `${first}-${hash}`;
}
