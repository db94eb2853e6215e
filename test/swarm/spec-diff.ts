// Compares two specs read back from GET /services in the fields that both set.

export interface SpecDiff {
  /** Paths where both sides set a value and the values differ. */
  different: string[];
  onlyLeft: string[];
  onlyRight: string[];
}

export function diffBothSet(left: unknown, right: unknown, path = '', out: SpecDiff = { different: [], onlyLeft: [], onlyRight: [] }): SpecDiff {
  if (Array.isArray(left) && Array.isArray(right)) {
    if (left.length !== right.length) out.different.push(`${path} (length ${left.length} vs ${right.length})`);
    left.forEach((v, i) => i < right.length && diffBothSet(v, right[i], `${path}[${i}]`, out));
    return out;
  }
  if (isObj(left) && isObj(right)) {
    for (const k of new Set([...Object.keys(left), ...Object.keys(right)])) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in right)) out.onlyLeft.push(p);
      else if (!(k in left)) out.onlyRight.push(p);
      else diffBothSet(left[k], right[k], p, out);
    }
    return out;
  }
  if (JSON.stringify(left) !== JSON.stringify(right)) out.different.push(`${path}: ${JSON.stringify(left)} vs ${JSON.stringify(right)}`);
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
