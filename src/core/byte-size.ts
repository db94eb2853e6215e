// Sizes as people and Compose write them ("512M", "1.5g", "64mb", "1GiB", 1048576) in bytes, binary
// units (the go-units RAMInBytes rules that `docker stack deploy` applies to memory limits).

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(value.trim()) ?? /^(\d+(?:\.\d+)?)\s*(b)$/i.exec(value.trim());
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.floor(Number(m[1]) * unit);
}
