// Loads a compose file: YAML -> interpolation -> keys checked against the Compose specification's
// (unknown) and the Swarm driver's (unsupported) -> the typed subset the converter reads (zod).
// Every problem names the file and the path; nothing is half-loaded.
import { parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { describeIssue, type ConfigIssue } from '../../../core/config-file.js';
import { ConfigError } from '../../../core/errors.js';
import { ALLOWED_KEYS, composeSchema, IGNORED_SERVICE_KEYS, type ComposeFile } from './compose-schema.js';
import { NAME_PATTERN, SPEC_KEYS } from './compose-spec-keys.js';
import { interpolateTree } from './interpolate.js';

export interface LoadedCompose {
  file: ComposeFile;
  /** Keys accepted but without effect on Swarm (e.g. depends_on). */
  warnings: string[];
}

export function loadCompose(text: string, vars: Readonly<Record<string, string>>, fileName = 'docker-compose.yml'): LoadedCompose {
  // YAML 1.1, as docker stack deploy's parser reads it (0400 is octal, merge keys work).
  const doc = parseDocument(text, { version: '1.1', prettyErrors: true, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw composeError(
      fileName,
      doc.errors.map((e) => ({
        path: e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(document)',
        message: e.message.split('\n')[0] ?? 'invalid YAML',
      })),
    );
  }
  // The YAML 1.1 float pattern also matches ".", which Docker's parser reads as the string "." (build: .).
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && Number.isNaN(node.value) && node.source && !/^\.nan$/i.test(node.source)) node.value = node.source;
    },
  });
  const raw: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  const { value, issues: interpolationIssues } = interpolateTree(raw, vars);
  if (interpolationIssues.length > 0) throw composeError(fileName, interpolationIssues);
  // A key that must go anyway is reported once (unknown or unsupported), not also for what is wrong inside it.
  const issues = keyIssues(value);
  if (issues.length > 0) throw composeError(fileName, issues);
  // What the typed subset still rejects is a value of the wrong type, or a deeper key the Swarm driver does not support.
  const parsed = composeSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw composeError(fileName, parsed.error.issues.flatMap(subsetIssue));
  return { file: parsed.data, warnings: ignoredKeys(parsed.data) };
}

function composeError(file: string, issues: ConfigIssue[]): ConfigError {
  return new ConfigError(issues.map((i) => `${file}: ${i.path}: ${i.message}`).join('\n'), { file, issues });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys the specification does not define (unknown) or defines but the Swarm driver does not support. */
function checkKeys(obj: unknown, allowed: readonly string[], known: readonly string[], path: string, what: string, out: ConfigIssue[]): void {
  if (!isRecord(obj)) return;
  for (const key of Object.keys(obj)) {
    if (key.startsWith('x-') || allowed.includes(key)) continue;
    const at = path ? `${path}.${key}` : key;
    if (!known.includes(key)) out.push({ path: at, message: `unknown key ${JSON.stringify(key)}: not in the Compose specification (check the spelling)` });
    else out.push({ path: at, message: `unsupported ${what} key ${JSON.stringify(key)}: valid Compose, but the Swarm driver does not support it (it supports: ${allowed.join(', ')})` });
  }
}

function keyIssues(root: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  checkKeys(root, ALLOWED_KEYS.top, SPEC_KEYS.top, '', 'top-level', out);
  if (!isRecord(root)) return out;
  const sections = [
    ['services', ALLOWED_KEYS.service, SPEC_KEYS.service, 'service'],
    ['networks', ALLOWED_KEYS.network, SPEC_KEYS.network, 'network'],
    ['volumes', ALLOWED_KEYS.volume, SPEC_KEYS.volume, 'volume'],
    ['secrets', ALLOWED_KEYS.fileObject, SPEC_KEYS.secret, 'secret'],
    ['configs', ALLOWED_KEYS.fileObject, SPEC_KEYS.config, 'config'],
  ] as const;
  for (const [section, allowed, known, what] of sections) {
    const entries = root[section];
    if (!isRecord(entries)) continue;
    for (const [name, def] of Object.entries(entries)) {
      if (!NAME_PATTERN.test(name)) {
        out.push({ path: `${section}.${name}`, message: `invalid name ${JSON.stringify(name)}: it must match ${NAME_PATTERN.source} (letters, digits, ".", "_" and "-")` });
        continue;
      }
      checkKeys(def, allowed, known, `${section}.${name}`, what, out);
    }
  }
  return out;
}

/** A zod issue on a file whose top keys are known: unrecognized deeper keys are ones the driver does not support. */
function subsetIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code !== 'unrecognized_keys') return [describeIssue(issue)];
  const at = issue.path.map(String).join('.');
  return issue.keys.map((key) => ({
    path: at ? `${at}.${key}` : key,
    message: `unknown key ${JSON.stringify(key)}: not a key the Swarm driver supports here (check the spelling; Compose keys that Swarm ignores are not supported)`,
  }));
}

function ignoredKeys(file: ComposeFile): string[] {
  const out: string[] = [];
  for (const [name, svc] of Object.entries(file.services)) {
    for (const key of IGNORED_SERVICE_KEYS) {
      if (svc[key] !== undefined) out.push(`services.${name}.${key}: ignored on Swarm (as docker stack deploy ignores it)`);
    }
  }
  return out;
}
