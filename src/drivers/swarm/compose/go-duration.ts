// Durations as Compose writes them (Go syntax: "1m30s", "500ms", "2h", "1.5s") in nanoseconds.

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const WHOLE = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/** Nanoseconds, or undefined when `text` is not a Go duration. "0" is zero. */
export function parseGoDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  if (!WHOLE.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(PART)) total += Number(m[1]) * (UNIT_NS[m[2] ?? ''] ?? NaN);
  return Number.isFinite(total) ? Math.round(total) : undefined;
}
