// Decoding of webhook bodies (only after the signature was verified) and typed reads of their
// fields. Every problem is an InvalidInputError that names the field.
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../core/errors.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const ZERO_SHA = /^0+$/;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

class PollutionKey extends Error {}

/**
 * Parses the body as a JSON object. A form-encoded body (`payload=<json>`, as GitHub can send)
 * is unwrapped first. Invalid UTF-8, invalid JSON, a non-object and `__proto__` keys are refused.
 */
export function parseJsonBody(raw: Buffer, contentType: string | null): JsonObject {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new InvalidInputError('the webhook body is not valid UTF-8');
  }
  if (contentType !== null && /^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw new InvalidInputError('the form-encoded webhook body has no "payload" field; send JSON, or the payload field');
    text = payload;
  }
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__') throw new PollutionKey();
      return v;
    });
  } catch (err) {
    if (err instanceof PollutionKey) throw new InvalidInputError('the webhook body contains a "__proto__" key; it is refused');
    throw new InvalidInputError('the webhook body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError('the webhook body must be a JSON object');
  }
  return value as JsonObject;
}

function own(obj: JsonObject, key: string): Json | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** A string field (or undefined when absent or null); any other type is an error. */
export function optionalString(obj: JsonObject, key: string, where = key): string | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InvalidInputError(`webhook body: ${where} must be a string`);
  if (v.length > 4096) throw new InvalidInputError(`webhook body: ${where} is too long`);
  return v;
}

export function requiredString(obj: JsonObject, key: string, where = key): string {
  const v = optionalString(obj, key, where);
  if (v === undefined) throw new InvalidInputError(`webhook body: ${where} is missing`);
  return v;
}

export function optionalObject(obj: JsonObject, key: string, where = key): JsonObject | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidInputError(`webhook body: ${where} must be an object`);
  return v;
}

export function optionalBoolean(obj: JsonObject, key: string, where = key): boolean | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new InvalidInputError(`webhook body: ${where} must be true or false`);
  return v;
}

export interface ParsedRef {
  ref: string;
  branch: string | null;
  tag: string | null;
}

/** A full ref as pushed: "refs/heads/<branch>", "refs/tags/<tag>" or another refs/ name. */
export function parseFullRef(ref: string, where = 'ref'): ParsedRef {
  if (!/^refs\/[\x21-\x7e]{1,250}$/.test(ref) || ref.includes('..') || ref.endsWith('/')) {
    throw new InvalidInputError(`webhook body: ${where} ${JSON.stringify(ref.slice(0, 100))} is not a full git ref like "refs/heads/main" or "refs/tags/v1.2.0"`);
  }
  if (ref.startsWith('refs/heads/')) return { ref, branch: ref.slice(11), tag: null };
  if (ref.startsWith('refs/tags/')) return { ref, branch: null, tag: ref.slice(10) };
  return { ref, branch: null, tag: null };
}

/** A commit sha after a push: null (and deleted) when all zeros. */
export function parseAfterSha(sha: string, where = 'after'): { commitSha: string | null; deleted: boolean } {
  const s = sha.toLowerCase();
  if (ZERO_SHA.test(s) && (s.length === 40 || s.length === 64)) return { commitSha: null, deleted: true };
  if (!SHA.test(s)) throw new InvalidInputError(`webhook body: ${where} must be a 40- or 64-character hex commit sha`);
  return { commitSha: s, deleted: false };
}

/** Stand-in delivery id for providers that send none: the same body gives the same id. */
export function bodyDeliveryId(raw: Buffer): string {
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}
