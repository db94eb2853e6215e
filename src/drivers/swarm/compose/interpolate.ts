// Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
// `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}` and `$$` for a literal `$`.
// Applied to every string value (not to keys) of the parsed YAML, as `docker stack deploy` does.
import { castInterpolated } from './interpolation-casts.js';

export interface InterpolationIssue {
  path: string;
  message: string;
}

export class InterpolationError extends Error {
  override readonly name = 'InterpolationError';
  constructor(readonly issue: InterpolationIssue) {
    super(`${issue.path}: ${issue.message}`);
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Interpolates one string; `path` names it in errors. */
export function interpolateString(text: string, vars: Readonly<Record<string, string>>, path: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch !== '$') {
      out += ch;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = findClosingBrace(text, i + 2);
      if (end === -1) throw new InterpolationError({ path, message: `unterminated "\${" in ${JSON.stringify(text)}: close it with "}" or write "$$" for a literal "$"` });
      out += expandBraced(text.slice(i + 2, end), vars, path);
      i = end + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (name) {
      out += vars[name] ?? '';
      i += 1 + name.length;
      continue;
    }
    throw new InterpolationError({ path, message: `invalid "$" in ${JSON.stringify(text)}: write "$$" for a literal "$"` });
  }
  return out;
}

function findClosingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '{' && text[j - 1] === '$') depth += 1;
    else if (text[j] === '}') {
      depth -= 1;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function expandBraced(body: string, vars: Readonly<Record<string, string>>, path: string): string {
  const name = NAME.exec(body)?.[0];
  if (!name) throw new InterpolationError({ path, message: `invalid variable name in "\${${body}}"` });
  const rest = body.slice(name.length);
  const value = vars[name];
  if (rest === '') return value ?? '';
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) throw new InterpolationError({ path, message: `invalid interpolation "\${${body}}": expected \${${name}}, \${${name}:-default} or \${${name}:?error}` });
  // The operand may itself contain variables (`${A:-${B}}`).
  const operand = () => interpolateString(rest.slice(op.length), vars, path);
  const unsetOrEmpty = value === undefined || value === '';
  switch (op) {
    case ':-':
      return unsetOrEmpty ? operand() : (value as string);
    case '-':
      return value === undefined ? operand() : value;
    case ':?':
      if (unsetOrEmpty) throw new InterpolationError({ path, message: `required variable ${name} is missing or empty: ${operand() || 'set it'}` });
      return value as string;
    case '?':
      if (value === undefined) throw new InterpolationError({ path, message: `required variable ${name} is missing: ${operand() || 'set it'}` });
      return value;
    case ':+':
      return unsetOrEmpty ? '' : operand();
    default: // '+'
      return value === undefined ? '' : operand();
  }
}

/**
 * Interpolates every string in a parsed YAML tree; returns a new tree and all issues found.
 * Interpolated strings at the paths docker casts (replicas, ports, booleans...) become numbers/booleans.
 */
export function interpolateTree(
  node: unknown,
  vars: Readonly<Record<string, string>>,
  path: string[] = [],
  issues: InterpolationIssue[] = [],
): { value: unknown; issues: InterpolationIssue[] } {
  const walk = (n: unknown, p: string[]): unknown => {
    if (typeof n === 'string') {
      try {
        const out = interpolateString(n, vars, p.join('.') || '(top level)');
        if (out === n) return n;
        const cast = castInterpolated(p, out);
        if ('value' in cast) return cast.value;
        issues.push({ path: p.join('.'), message: cast.error });
        return out;
      } catch (err) {
        if (err instanceof InterpolationError) issues.push(err.issue);
        else throw err;
        return n;
      }
    }
    if (Array.isArray(n)) return n.map((v, i) => walk(v, [...p, String(i)]));
    if (n && typeof n === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(n)) out[k] = k.startsWith('x-') && p.length === 0 ? v : walk(v, [...p, k]);
      return out;
    }
    return n;
  };
  return { value: walk(node, path), issues };
}
