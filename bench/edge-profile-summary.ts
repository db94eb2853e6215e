// Summarises a V8 .cpuprofile: self time per area (the edge's code, Node's http, undici, ...),
// with native frames (no script url) charged to the nearest JavaScript caller's area, and the
// functions with the most self time.

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const AREAS: Array<[string, (url: string) => boolean]> = [
  ['edge (src/edge)', (u) => u.includes('/src/edge/')],
  ['undici', (u) => u.includes('/node_modules/undici/') || u.includes('internal/deps/undici')],
  ['logger (pino, sonic-boom)', (u) => u.includes('/node_modules/pino') || u.includes('/node_modules/sonic-boom')],
  ['node http (_http_*)', (u) => /_http_|internal\/http/.test(u)],
  ['node net/streams', (u) => /node:net|internal\/streams|node:stream|stream_base_commons|internal\/net/.test(u)],
  ['node timers/events/ticks', (u) => /internal\/timers|node:events|task_queues|async_hooks|internal\/process/.test(u)],
  ['other js', () => true],
];

function areaOf(url: string): string {
  for (const [name, test] of AREAS) if (test(url)) return name;
  return 'other js';
}

export function summariseProfile(profile: CpuProfile, top = 40): { areas: Record<string, string>; topSelf: string[] } {
  const byId = new Map<number, CpuProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areaUs = new Map<string, number>();
  const fnUs = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const name = node.callFrame.functionName;
    if (name === '(idle)') continue;
    total += us;
    let area: string;
    if (name === '(garbage collector)') area = 'gc';
    else if (name === '(program)') area = '(program): native, not attributed';
    else {
      let cur: CpuProfileNode | undefined = node;
      while (cur && !cur.callFrame.url) cur = byId.get(parent.get(cur.id) ?? -1);
      area = cur ? areaOf(cur.callFrame.url) : 'native, no js caller';
    }
    areaUs.set(area, (areaUs.get(area) ?? 0) + us);
    const key = `${name || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    fnUs.set(key, (fnUs.get(key) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / Math.max(1, total)).toFixed(1)}%`;
  const areas: Record<string, string> = {};
  for (const [a, us] of [...areaUs].sort((x, y) => y[1] - x[1])) areas[a] = pct(us);
  const topSelf = [...fnUs]
    .sort((x, y) => y[1] - x[1])
    .slice(0, top)
    .map(([k, us]) => `${pct(us)} ${k}`);
  return { areas, topSelf };
}

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 14);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}
