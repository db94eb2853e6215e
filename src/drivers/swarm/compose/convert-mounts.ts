// Compose service `volumes:` -> Swarm Mounts, in the order written (as docker stack deploy does).
import type { ComposeFile, ComposeService } from './compose-schema.js';
import type { Mount } from './swarm-types.js';
import { parseByteSize } from '../../../core/byte-size.js';
import { stackLabels, type Namespace } from './namespace.js';

type VolumeEntry = NonNullable<ComposeService['volumes']>[number];

interface LongVolume {
  type: 'volume' | 'bind' | 'tmpfs';
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  volume?: { nocopy?: boolean };
  bind?: { propagation?: string };
  tmpfs?: { size?: number | string; mode?: number };
}

function fromShort(text: string): LongVolume | string {
  const parts = text.split(':');
  if (parts.length === 1) return { type: 'volume', target: text };
  if (parts.length > 3) return `${JSON.stringify(text)} is not "SOURCE:TARGET[:ro]"`;
  const [source = '', target = '', mode = ''] = parts;
  const modes = mode.split(',').filter(Boolean);
  const type = source.startsWith('/') || source.startsWith('.') || source.startsWith('~') ? 'bind' : 'volume';
  if (type === 'bind' && !source.startsWith('/')) return `${JSON.stringify(source)}: a bind mount on Swarm needs an absolute path on the node`;
  const v: LongVolume = { type, source, target };
  if (modes.includes('ro')) v.read_only = true;
  if (modes.includes('nocopy')) v.volume = { nocopy: true };
  const propagation = modes.find((m) => /^r?(shared|slave|private)$/.test(m));
  if (propagation) v.bind = { propagation };
  return v;
}

export function convertMounts(entries: VolumeEntry[], file: ComposeFile, ns: Namespace, path: string, issues: string[]): Mount[] {
  const out: Mount[] = [];
  entries.forEach((entry, i) => {
    const v = typeof entry === 'string' ? fromShort(entry) : (entry as LongVolume);
    if (typeof v === 'string') return issues.push(`${path}.${i}: ${v}`);
    const m: Mount = { Type: v.type, Target: v.target };
    if (v.source) m.Source = v.source;
    if (v.read_only) m.ReadOnly = true;
    if (v.consistency) m.Consistency = v.consistency;
    if (v.type === 'bind') {
      if (!v.source) return issues.push(`${path}.${i}: a bind mount needs a source`);
      if (v.bind?.propagation) m.BindOptions = { Propagation: v.bind.propagation };
    } else if (v.type === 'tmpfs') {
      if (v.source) return issues.push(`${path}.${i}: a tmpfs mount has no source`);
      if (v.tmpfs?.size !== undefined) {
        const size = parseByteSize(v.tmpfs.size);
        if (size === undefined) return issues.push(`${path}.${i}.tmpfs.size: expected a size like "64m"`);
        m.TmpfsOptions = { SizeBytes: size };
      }
    } else if (v.source) {
      const stackVolume = file.volumes?.[v.source];
      if (file.volumes === undefined || !(v.source in file.volumes)) return issues.push(`${path}.${i}: undefined volume ${JSON.stringify(v.source)}: declare it under the top-level volumes:`);
      m.Source = stackVolume?.name ?? ns.scope(v.source);
      m.VolumeOptions = {};
      if (v.volume?.nocopy) m.VolumeOptions.NoCopy = true;
      if (!stackVolume?.external) {
        m.VolumeOptions.Labels = stackLabels(ns, stackVolume?.labels);
        if (stackVolume?.driver || stackVolume?.driver_opts) {
          m.VolumeOptions.DriverConfig = { Name: stackVolume.driver ?? '' };
          if (stackVolume.driver_opts) m.VolumeOptions.DriverConfig.Options = stringMap(stackVolume.driver_opts);
        }
      }
    }
    out.push(m);
  });
  return out;
}

export function stringMap(rec: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, String(v)]));
}
