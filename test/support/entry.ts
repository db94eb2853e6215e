// Resolves a TypeScript entry point of the project for spawning, whether the tests run from
// source (tsx) or compiled (dist/test). Returns the argv prefix to run it with `node`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** `entry` is relative to the project root and names the source file, e.g. "src/cli/main.ts". */
export function nodeArgvFor(entry: string): string[] {
  const compiledRoot = path.resolve(here, '..', '..'); // dist/ when compiled, project root under tsx
  const js = path.join(compiledRoot, entry.replace(/\.ts$/, '.js'));
  if (here.split(path.sep).includes('dist') && existsSync(js)) return [js];
  const ts = path.join(compiledRoot, entry);
  return ['--import', 'tsx', ts];
}

export const projectRoot = here.split(path.sep).includes('dist')
  ? path.resolve(here, '..', '..', '..')
  : path.resolve(here, '..', '..');
