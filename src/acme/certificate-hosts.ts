// What names a certificate order may carry: DNS names of letters, digits and hyphens (labels of
// 1 to 63, at most 253 in all), or a one-level wildcard "*.name"; no IP addresses, no duplicates.

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why these hosts cannot be ordered, or null when they can. */
export function hostsProblem(hosts: string[]): string | null {
  if (hosts.length === 0) return 'give at least one host name';
  if (hosts.length > 100) return `at most 100 names fit one certificate, not ${hosts.length}`;
  const seen = new Set<string>();
  for (const host of hosts) {
    if (seen.has(host)) return `${host} is listed twice`;
    seen.add(host);
    const name = host.startsWith('*.') ? host.slice(2) : host;
    const labels = name.split('.');
    if (name.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels.at(-1) ?? '')) {
      return `${JSON.stringify(host)} is not a DNS name a CA can certify: use names like shop.example.com or *.example.com`;
    }
  }
  return null;
}
