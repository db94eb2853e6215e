// A service's `secrets:` / `configs:` entries -> references to the stack's objects, sorted by name.
import type { ComposeService } from './compose-schema.js';
import type { FileTarget } from './swarm-types.js';

type RefEntry = NonNullable<ComposeService['secrets']>[number];

export interface FileRef {
  /** The Swarm object's name. */
  Name: string;
  File: FileTarget;
}

export function convertFileRefs(kind: 'secret' | 'config', entries: RefEntry[], names: Record<string, string>, path: string, issues: string[]): FileRef[] {
  const out: FileRef[] = [];
  entries.forEach((entry, i) => {
    const ref = typeof entry === 'string' ? { source: entry } : entry;
    const name = names[ref.source];
    if (name === undefined) {
      issues.push(`${path}.${i}: undefined ${kind} ${JSON.stringify(ref.source)}: declare it under the top-level ${kind}s:`);
      return;
    }
    // Secrets default to /run/secrets/<source>; configs to /<source> (both given as the bare name).
    out.push({ Name: name, File: { Name: ref.target ?? ref.source, UID: ref.uid ?? '0', GID: ref.gid ?? '0', Mode: ref.mode ?? 0o444 } });
  });
  return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}
