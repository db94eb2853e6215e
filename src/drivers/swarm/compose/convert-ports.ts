// Compose `ports:` (short "8080:80/tcp" and long syntax) -> Swarm PortConfigs, sorted.
import type { ComposeService } from './compose-schema.js';
import type { PortConfig } from './swarm-types.js';

type PortEntry = NonNullable<ComposeService['ports']>[number];

function range(text: string): number[] | null {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return null;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (to < from || from < 1 || to > 65535) return null;
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export function convertPorts(entries: PortEntry[], path: string, issues: string[]): PortConfig[] {
  const out: PortConfig[] = [];
  entries.forEach((entry, i) => {
    const where = `${path}.${i}`;
    if (typeof entry === 'object') {
      const published = entry.published === undefined ? undefined : Number(entry.published);
      if (published !== undefined && !Number.isInteger(published)) return issues.push(`${where}.published: expected a port number`);
      const port: PortConfig = { Protocol: entry.protocol ?? 'tcp', TargetPort: entry.target, PublishMode: entry.mode ?? 'ingress' };
      if (published !== undefined) port.PublishedPort = published;
      out.push(port);
      return;
    }
    const text = String(entry);
    const [spec = '', protoText = 'tcp'] = text.split('/');
    if (protoText !== 'tcp' && protoText !== 'udp' && protoText !== 'sctp') return issues.push(`${where}: unknown protocol ${JSON.stringify(protoText)} in ${JSON.stringify(text)}`);
    const parts = spec.split(':');
    if (parts.length > 2) return issues.push(`${where}: ${JSON.stringify(text)} binds a host IP, which Swarm cannot do; use "PUBLISHED:TARGET" or the long syntax with mode: host`);
    const targets = range(parts[parts.length - 1] ?? '');
    const published = parts.length === 2 ? range(parts[0] ?? '') : null;
    if (!targets || (parts.length === 2 && (!published || published.length !== targets.length))) {
      return issues.push(`${where}: ${JSON.stringify(text)} is not a port mapping like "8080:80" or "8000-8001:80-81"`);
    }
    targets.forEach((t, k) => {
      const port: PortConfig = { Protocol: protoText, TargetPort: t, PublishMode: 'ingress' };
      const p = published?.[k];
      if (p !== undefined) port.PublishedPort = p;
      out.push(port);
    });
  });
  return out.sort(
    (a, b) =>
      (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0) ||
      a.TargetPort - b.TargetPort ||
      a.Protocol.localeCompare(b.Protocol) ||
      a.PublishMode.localeCompare(b.PublishMode),
  );
}
