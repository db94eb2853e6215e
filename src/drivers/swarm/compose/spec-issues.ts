// Turns Ajv errors from the Compose specification's JSON Schema into path-qualified issues
// ("services.web.ports.0.host: unknown key ..."), one clear message per problem.
//
// Ajv reports every failed alternative of a oneOf/anyOf: for `ports: [true]` it says "must be
// number", "must be string", "must be object" and "must match exactly one schema in oneOf".
// We collapse that: when some alternative matched the value's type and failed deeper (or on a
// non-type rule), only that alternative's errors are kept; when none matched the type, one
// "expected a number, a string or an object, got a boolean" is reported at the path.
import type { ErrorObject } from 'ajv';
import type { ConfigIssue } from '../../../core/config-file.js';

/** Ajv errors (compiled with allErrors and verbose) -> issues, de-duplicated, in Ajv's order. */
export function specIssues(errors: readonly ErrorObject[]): ConfigIssue[] {
  const kept = collapseAlternatives(errors);
  const out: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const item of kept) {
    const issue = 'issue' in item ? item.issue : describe(item.error);
    const key = `${issue.path}\n${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}

type Kept = { error: ErrorObject } | { issue: ConfigIssue };

const isAlternative = (e: ErrorObject) => e.keyword === 'oneOf' || e.keyword === 'anyOf';
const within = (path: string, root: string) => path === root || path.startsWith(`${root}/`);

function collapseAlternatives(errors: readonly ErrorObject[]): Kept[] {
  const dropped = new Set<ErrorObject>();
  const replaced = new Map<ErrorObject, ConfigIssue>();
  // Outermost first, so that an inner alternative is judged after its outer one kept it.
  const alternatives = errors.filter(isAlternative).sort((a, b) => depth(a.instancePath) - depth(b.instancePath));
  for (const alt of alternatives) {
    if (dropped.has(alt)) continue;
    const inner = errors.filter((e) => e !== alt && !dropped.has(e) && !replaced.has(e) && within(e.instancePath, alt.instancePath));
    const typeMisses = inner.filter((e) => e.instancePath === alt.instancePath && e.keyword === 'type');
    const meaningful = inner.filter((e) => !typeMisses.includes(e) && !(isAlternative(e) && e.instancePath === alt.instancePath));
    if (meaningful.length > 0) {
      // Some alternative fits the value's type: its own errors say what is wrong.
      dropped.add(alt);
      for (const e of typeMisses) dropped.add(e);
      continue;
    }
    if (alt.keyword === 'oneOf' && typeMisses.length === 0 && alt.params['passingSchemas']) {
      replaced.set(alt, { path: dotted(alt.instancePath), message: 'matches more than one of the allowed forms; make it unambiguous' });
      continue;
    }
    for (const e of inner) dropped.add(e);
    const expected = unique(typeMisses.flatMap((e) => typeList(e.params['type'])));
    replaced.set(alt, { path: dotted(alt.instancePath), message: `expected ${joinOr(expected.map(article))}, got ${article(kindOf(alt.data))}` });
  }
  const out: Kept[] = [];
  for (const e of errors) {
    const issue = replaced.get(e);
    if (issue) out.push({ issue });
    else if (!dropped.has(e)) out.push({ error: e });
  }
  return out;
}

function describe(e: ErrorObject): ConfigIssue {
  const path = dotted(e.instancePath);
  const p = e.params;
  switch (e.keyword) {
    case 'type':
      return { path, message: `expected ${joinOr(typeList(p['type']).map(article))}, got ${article(kindOf(e.data))}` };
    case 'additionalProperties':
      return unknownKey(e, String(p['additionalProperty']));
    case 'required':
      return { path: join(path, String(p['missingProperty'])), message: 'is required' };
    case 'enum':
      return { path, message: `expected one of ${(Array.isArray(p['allowedValues']) ? p['allowedValues'] : []).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(e.data)}` };
    case 'pattern':
      return { path, message: `${JSON.stringify(e.data)} does not match the pattern ${String(p['pattern'])}` };
    case 'uniqueItems':
      return { path, message: `has duplicate entries (items ${String(p['j'])} and ${String(p['i'])} are identical)` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `${e.message ?? 'is out of range'}, got ${JSON.stringify(e.data)}` };
    default:
      return { path, message: e.message ?? `fails the Compose specification rule "${e.keyword}"` };
  }
}

function unknownKey(e: ErrorObject, key: string): ConfigIssue {
  const path = join(dotted(e.instancePath), key);
  const parent = e.parentSchema ?? {};
  const patterns = Object.keys((parent['patternProperties'] as Record<string, unknown> | undefined) ?? {});
  const namePatterns = patterns.filter((pat) => pat !== '^x-');
  if (namePatterns.length > 0 && parent['properties'] === undefined) {
    return { path, message: `invalid name ${JSON.stringify(key)}: it must match ${namePatterns.join(' or ')} (letters, digits, ".", "_" and "-")` };
  }
  if (key.startsWith('x-')) {
    return { path, message: `extension key ${JSON.stringify(key)} is not allowed here: the Compose specification allows x-* keys only in objects that declare them (top level, services, deploy and most of their sub-objects)` };
  }
  return { path, message: `unknown key ${JSON.stringify(key)}: not in the Compose specification (check the spelling)` };
}

/** "/services/web/ports/0" -> "services.web.ports.0"; the document itself is "(top level)". */
export function dotted(pointer: string): string {
  if (pointer === '') return '(top level)';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function join(path: string, key: string): string {
  return path === '(top level)' ? key : `${path}.${key}`;
}

function depth(pointer: string): number {
  return pointer === '' ? 0 : pointer.split('/').length;
}

function typeList(t: unknown): string[] {
  if (Array.isArray(t)) return t.map(String);
  return String(t).split(',');
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function article(kind: string): string {
  if (kind === 'null') return 'null';
  if (kind === 'array') return 'a list';
  if (kind === 'object') return 'a mapping';
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

function joinOr(xs: string[]): string {
  if (xs.length <= 1) return xs[0] ?? 'another type';
  return `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1] ?? ''}`;
}
