// Tag patterns of slipway.yml (`tags: "v*"`): "*" matches any run of characters (including "/"),
// "?" exactly one; everything else is literal.

export function tagGlobMatches(pattern: string, tag: string): boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(tag);
}
