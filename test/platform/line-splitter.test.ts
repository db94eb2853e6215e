import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from '../../src/platform/line-splitter.js';

function split(chunks: string[], maxLine?: number): string[] {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), maxLine);
  for (const c of chunks) s.push(c);
  s.end();
  return lines;
}

test('lines end at \\n, \\r\\n and a lone \\r, across chunk boundaries', () => {
  assert.deepEqual(split(['a\nb\r\nc\rd']), ['a', 'b', 'c', 'd']);
  assert.deepEqual(split(['a\r', '\nb', '\n']), ['a', 'b']);
  assert.deepEqual(split(['a\n\nb\n']), ['a', '', 'b']);
  assert.deepEqual(split(['par', 'tial']), ['partial']);
});

test('a line longer than the limit is cut', () => {
  assert.deepEqual(split(['abcdefg', 'h\n'], 3), ['abc', 'def', 'gh']);
});
