// Parses a YAML config file against a schema; every problem names the file and the path.
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { appSpecSchema, type AppSpec } from './app-spec.js';
import type { SpecParser } from './ports/spec-parser.js';
import { nestingIssue, shapeIssue, sizeIssue, SPEC_LIMITS } from './spec-limits.js';

export interface ConfigIssue {
  path: string;
  message: string;
}

export function parseAppSpec(text: string, file = 'slipway.yml'): AppSpec {
  return parseConfig(appSpecSchema, text, file);
}

/**
 * Parses and validates a YAML config file in time linear in its size, within SPEC_LIMITS
 * (spec-limits.ts); every refusal is a ConfigError naming the file and the path.
 */
export function parseConfig<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  const tooBig = sizeIssue(text) ?? nestingIssue(text);
  if (tooBig) throw configError(file, [tooBig]);
  // Duplicate keys are found by shapeIssue (linear); the library's own check is quadratic.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => ({
      path: e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(document)',
      // The library's pretty message repeats the position we already give as the path.
      message: (e.message.split('\n')[0] ?? 'invalid YAML').replace(/ at line \d+, column \d+:?$/, ''),
    }));
    throw configError(file, issues);
  }
  const badShape = shapeIssue(doc);
  if (badShape) throw configError(file, [badShape]);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: SPEC_LIMITS.maxAliasExpansion }) ?? {};
  } catch (err) {
    // The yaml library throws a ReferenceError for an alias that expands too far (or is undefined).
    const what = err instanceof Error ? err.message : String(err);
    throw configError(file, [{ path: '(document)', message: `aliases cannot be expanded: ${what} (an alias may stand for at most ${SPEC_LIMITS.maxAliasExpansion} nodes)` }]);
  }
  const result = schema.safeParse(data, { reportInput: true });
  if (!result.success) throw configError(file, result.error.issues.map(describeIssue));
  return result.data;
}

function configError(file: string, issues: ConfigIssue[]): ConfigError {
  const lines = issues.map((i) => `${file}: ${i.path}: ${i.message}`);
  return new ConfigError(lines.join('\n'), { file, issues });
}

export function describeIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const path = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  return { path, message: issueMessage(issue) };
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const input = (issue as { input?: unknown }).input;
      if (input === undefined) return `is required (expected ${article(issue.expected)})`;
      if (issue.message && !issue.message.startsWith('Invalid input')) return issue.message;
      return `expected ${article(issue.expected)}, got ${article(kindOf(input))}`;
    }
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (check the spelling; see schema/slipway.schema.json)`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.message.startsWith('Too small') ? `must have at least ${String(issue.minimum)} ${issue.origin === 'array' ? 'item(s)' : ''}`.trim() : issue.message;
    case 'too_big':
      return issue.message.startsWith('Too big') ? `must be at most ${String(issue.maximum)}` : issue.message;
    default:
      return issue.message;
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function article(type: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', null: 'null', undefined: 'nothing' };
  if (names[type]) return names[type];
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Parses on the caller's thread (the CLI, tests, and services built without a worker parser). */
export const inThreadSpecParser: SpecParser = {
  parse: async (text, where) => parseAppSpec(text, where),
};
