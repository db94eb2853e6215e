// Stack naming and labels exactly as `docker stack deploy` gives them.

export const LABEL_NAMESPACE = 'com.docker.stack.namespace';
export const LABEL_IMAGE = 'com.docker.stack.image';

export interface Namespace {
  name: string;
  scope(name: string): string;
}

export function namespace(stack: string): Namespace {
  return { name: stack, scope: (n) => `${stack}_${n}` };
}

type ListOrDict = string[] | Record<string, string | number | boolean | null>;

/** `["A=1", "B"]` or `{A: 1, B: null}` -> a string map ("B" -> ""). */
export function toStringMap(value: ListOrDict | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  if (Array.isArray(value)) {
    for (const item of value) {
      const eq = item.indexOf('=');
      if (eq === -1) out[item] = '';
      else out[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return out;
  }
  for (const [k, v] of Object.entries(value)) out[k] = v === null ? '' : String(v);
  return out;
}

export function stackLabels(ns: Namespace, labels: ListOrDict | undefined): Record<string, string> {
  return sortKeys({ ...toStringMap(labels), [LABEL_NAMESPACE]: ns.name });
}

export function sortKeys<T>(rec: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
