// `${NAME}` references inside the argv of commands in slipway.yml, expanded by Slipway itself
// (never by a shell), so `["gunicorn", "--bind", "127.0.0.1:${PORT}", "app.wsgi"]` works as written.
// `$$` is a literal `$`; a `$` followed by anything else stays as it is ("$HOME" is not expanded).
// Only names Slipway can vouch for are expanded: the spec's variables and the built-in ones below.
// Secrets never are: a command line is visible to every user of the host (ps), so a program reads
// its secrets from its environment.

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names given to every command (build, test, release and app processes). */
export const COMMAND_BUILTINS = ['SLIPWAY_APP', 'SLIPWAY_ENV', 'SLIPWAY_RELEASE'] as const;
/** Names given only to the processes of a release (per instance). */
export const PROCESS_BUILTINS = ['SLIPWAY_PROCESS', 'SLIPWAY_INSTANCE'] as const;
/** Given only to `http: true` processes. */
export const HTTP_BUILTIN = 'PORT';

export type ArgvPart = { text: string } | { ref: string };

export class ArgvSyntaxError extends Error {}

/** Splits one argument into literal text and references; throws ArgvSyntaxError on `${` without a valid name and `}`. */
export function parseArgument(arg: string): ArgvPart[] {
  const parts: ArgvPart[] = [];
  let text = '';
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i];
    if (c !== '$') {
      text += c;
      continue;
    }
    const next = arg[i + 1];
    if (next === '$') {
      text += '$';
      i += 1;
    } else if (next === '{') {
      const end = arg.indexOf('}', i + 2);
      if (end < 0) throw new ArgvSyntaxError(`"${arg}" has "\${" without a closing "}" (write "$$" for a literal "$")`);
      const name = arg.slice(i + 2, end);
      if (!NAME.test(name)) throw new ArgvSyntaxError(`"\${${name}}" is not a variable name (letters, digits and "_", not starting with a digit)`);
      if (text) parts.push({ text });
      text = '';
      parts.push({ ref: name });
      i = end;
    } else {
      text += c;
    }
  }
  if (text || parts.length === 0) parts.push({ text });
  return parts;
}

/** The names an argv refers to, in order of first use. */
export function referencedNames(argv: readonly string[]): string[] {
  const names = new Set<string>();
  for (const arg of argv) for (const p of parseArgument(arg)) if ('ref' in p) names.add(p.ref);
  return [...names];
}

/**
 * The argv with every reference replaced by its value. `values` holds only expandable names; a
 * reference to any other name throws (validation refuses such a spec before it gets here).
 */
export function expandArgv(argv: readonly string[], values: Readonly<Record<string, string>>): string[] {
  return argv.map((arg) => {
    if (!arg.includes('$')) return arg;
    let out = '';
    for (const p of parseArgument(arg)) {
      if ('text' in p) out += p.text;
      else {
        const v = values[p.ref];
        if (v === undefined) throw new ArgvSyntaxError(`\${${p.ref}} is not a variable this command is given`);
        out += v;
      }
    }
    return out;
  });
}
