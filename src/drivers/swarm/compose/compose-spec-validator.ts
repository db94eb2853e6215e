// Validation against the Compose specification's JSON Schema (compose-spec.json, vendored
// from compose-spec/compose-spec; see compose-spec.LICENSE.md). Compiled once, on first use.
import { Ajv, type ValidateFunction } from 'ajv';
import type { ConfigIssue } from '../../../core/config-file.js';
import spec from './compose-spec.json' with { type: 'json' };
import { specIssues } from './spec-issues.js';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  // The file declares "$schema": "https://json-schema.org/draft-07/schema"; Ajv's default
  // (draft-07) meta-schema is registered as http://json-schema.org/draft-07/schema#, so the
  // declaration is dropped rather than resolved. strict: false because the specification uses
  // union types with type-specific keywords (["object", "null"] with properties). validateSchema:
  // false skips checking the vendored file against the draft-07 meta-schema on every start (about
  // 10-15% of the compile time); test/swarm/compose-spec.test.ts checks it once instead.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateSchema: false });
  compiled = ajv.compile(composeSpecSchema());
  return compiled;
}

/** The vendored schema without its "$schema" declaration (which Ajv cannot resolve by that URL). */
export function composeSpecSchema(): Record<string, unknown> {
  const { $schema: _draft, ...schema } = spec as Record<string, unknown>;
  return schema;
}

/** Issues (path + message) for everything in `value` that the Compose specification rejects. */
export function validateComposeSpec(value: unknown): ConfigIssue[] {
  const validate = validator();
  if (validate(value)) return [];
  return specIssues(validate.errors ?? []);
}

interface ObjectSchema {
  properties?: Record<string, unknown>;
}

const definitions = (spec as { definitions: Record<string, ObjectSchema> }).definitions;
const keysOf = (s: ObjectSchema | undefined): readonly string[] => Object.keys(s?.properties ?? {});

/** The keys the specification defines for each section, for telling "unknown" from "unsupported". */
export const SPEC_KEYS = {
  top: keysOf(spec as ObjectSchema),
  service: keysOf(definitions['service']),
  network: keysOf(definitions['network']),
  volume: keysOf(definitions['volume']),
  secret: keysOf(definitions['secret']),
  config: keysOf(definitions['config']),
} as const;
