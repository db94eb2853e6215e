// How big a `slipway.yml` may be, and the checks that keep parsing one linear in its size.
// Real specs are a few KiB with well under a hundred keys; the limits are two orders of magnitude
// above that, and low enough that the worst document allowed parses in milliseconds:
// - 256 KiB of text: read from git or an upload, held in memory, parsed on every deploy;
// - 10,000 nodes (keys, values, list items) and nesting 32 deep: bounds the work of every walk,
//   zod's included, and the recursion of the YAML composer;
// - 100 aliases, each expanding to at most 100 nodes (the yaml library's maxAliasCount): a
//   "billion laughs" document is refused instead of expanded;
// - duplicate keys are found with one Set per mapping (the yaml library's own uniqueKeys check
//   compares every key with every other: quadratic, minutes for a 200,000-key mapping).
import { isAlias, isMap, isPair, isScalar, isSeq, type Document } from 'yaml';
import type { ConfigIssue } from './config-file.js';

export const SPEC_LIMITS = {
  maxBytes: 256 * 1024,
  maxNodes: 10_000,
  maxDepth: 32,
  maxAliases: 100,
  /** Nodes one alias may expand to (the yaml library's maxAliasCount). */
  maxAliasExpansion: 100,
} as const;

/** Refuses a document over the byte limit before anything of it is parsed. */
export function sizeIssue(text: string): ConfigIssue | null {
  // Cheap upper bound first: a string of n UTF-16 units is at most 3n UTF-8 bytes.
  if (text.length * 3 <= SPEC_LIMITS.maxBytes) return null;
  // Every UTF-16 unit is at least one UTF-8 byte: a longer string is over the limit for sure.
  const bytes = text.length > SPEC_LIMITS.maxBytes ? text.length : utf8Length(text);
  if (bytes <= SPEC_LIMITS.maxBytes) return null;
  return { path: '(document)', message: `is ${kib(bytes)} KiB; the limit is ${kib(SPEC_LIMITS.maxBytes)} KiB (a slipway.yml is usually a few KiB: move data out of it)` };
}

/**
 * Nesting the YAML composer would recurse into, found in the raw text before it runs (a 200 KiB
 * `[[[[...` or `- - - - ...` takes it seconds and ends in a stack overflow): flow brackets, counted
 * without regard to quoting (a quoted string would need 33 unclosed brackets to be refused), and
 * compact nested sequences ("- - - x") on one line.
 */
export function nestingIssue(text: string): ConfigIssue | null {
  let flow = 0;
  let line = 1;
  let atLineStart = true;
  let dashes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      atLineStart = true;
      dashes = 0;
      continue;
    }
    if (c === 0x5b || c === 0x7b) flow++;
    else if ((c === 0x5d || c === 0x7d) && flow > 0) flow--;
    if (flow > SPEC_LIMITS.maxDepth) return { path: `line ${line}`, message: `has [ ] or { } nested more than ${SPEC_LIMITS.maxDepth} deep` };
    if (atLineStart) {
      if (c === 0x20) continue;
      if (c === 0x2d && (text.charCodeAt(i + 1) === 0x20 || text.charCodeAt(i + 1) === 0x0a)) {
        if (++dashes > SPEC_LIMITS.maxDepth) return { path: `line ${line}`, message: `has lists ("- - -") nested more than ${SPEC_LIMITS.maxDepth} deep` };
        continue;
      }
      atLineStart = false;
    }
  }
  return null;
}

/**
 * One pass over the parsed document with an explicit stack (no recursion): node count, depth,
 * alias count and duplicate keys. Returns the first problem found, or null.
 */
export function shapeIssue(doc: Document.Parsed): ConfigIssue | null {
  let nodes = 0;
  let aliases = 0;
  const stack: { node: unknown; path: string; depth: number }[] = [{ node: doc.contents, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (node === null || node === undefined) continue;
    if (++nodes > SPEC_LIMITS.maxNodes) {
      return { path: '(document)', message: `has more than ${SPEC_LIMITS.maxNodes} keys, values and list items; a slipway.yml needs far fewer` };
    }
    if (depth > SPEC_LIMITS.maxDepth) return { path: path || '(top level)', message: `is nested more than ${SPEC_LIMITS.maxDepth} levels deep` };
    if (isAlias(node)) {
      if (++aliases > SPEC_LIMITS.maxAliases) return { path: path || '(top level)', message: `is one alias (*name) too many: at most ${SPEC_LIMITS.maxAliases} aliases are allowed` };
      continue;
    }
    if (isScalar(node)) continue;
    if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: join(path, String(i)), depth: depth + 1 }));
      continue;
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key;
        if (!isScalar(key)) return { path: path || '(top level)', message: 'has a key that is not plain text (a list, mapping or alias as a key)' };
        const name = String(key.value);
        if (seen.has(name)) return { path: join(path, name), message: 'is given twice in the same mapping; keep one' };
        seen.add(name);
        nodes++;
        stack.push({ node: pair.value, path: join(path, name), depth: depth + 1 });
      }
      continue;
    }
    return { path: path || '(top level)', message: 'holds a YAML node of an unsupported kind' };
  }
  return null;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1);
}
