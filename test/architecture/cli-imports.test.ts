// The CLI is a thin client of the HTTP API: it reads the wire types (src/core/wire) and never
// reaches into the server's services, store, drivers or pipeline. This scans every import (static,
// type-only, re-export and dynamic) of src/cli/** and names each one that crosses that line.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../support/entry.js';

const FORBIDDEN = ['src/services', 'src/store', 'src/drivers', 'src/pipeline'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The module specifiers a TypeScript source imports or re-exports (comments left out). */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  return patterns.flatMap((re) => [...code.matchAll(re)].map((m) => m[1] ?? ''));
}

/** "file: specifier (-> folder)" for each import of `file` (relative to the project) that lands in a forbidden folder. */
export function forbiddenImports(file: string, source: string): string[] {
  return importSpecifiers(source)
    .filter((spec) => spec.startsWith('.'))
    .flatMap((spec) => {
      const target = path.relative(projectRoot, path.resolve(projectRoot, path.dirname(file), spec)).split(path.sep).join('/');
      const folder = FORBIDDEN.find((f) => target === f || target.startsWith(`${f}/`));
      return folder ? [`${file}: '${spec}' (reaches ${folder}/)`] : [];
    });
}

describe('CLI imports', () => {
  it('finds imports of every kind, and flags those that reach the server side', () => {
    const source = [
      "import type { AppView } from '../services/app-service.js';",
      "import {\n  SqliteStore,\n} from '../store/sqlite-store.js';",
      "export { x } from '../../drivers/process/x.js';",
      "const { run } = await import('../pipeline/deploy-engine.js');",
      "import '../core/wire/index.js';",
      "// import { no } from '../services/commented-out.js';",
      "import { Command } from 'commander';",
    ].join('\n');
    assert.deepEqual(forbiddenImports('src/cli/commands/example.ts', source), [
      "src/cli/commands/example.ts: '../../drivers/process/x.js' (reaches src/drivers/)",
    ]);
    assert.deepEqual(forbiddenImports('src/cli/example.ts', source), [
      "src/cli/example.ts: '../services/app-service.js' (reaches src/services/)",
      "src/cli/example.ts: '../store/sqlite-store.js' (reaches src/store/)",
      "src/cli/example.ts: '../pipeline/deploy-engine.js' (reaches src/pipeline/)",
    ]);
  });

  it('src/cli/** imports nothing from src/services, src/store, src/drivers or src/pipeline (use src/core/wire)', () => {
    const files = sourceFiles(path.join(projectRoot, 'src', 'cli'));
    assert.ok(files.length > 20, `expected the CLI's sources under ${path.join(projectRoot, 'src', 'cli')}, found ${files.length} files`);
    const offending = files.flatMap((f) => forbiddenImports(path.relative(projectRoot, f).split(path.sep).join('/'), readFileSync(f, 'utf8')));
    assert.deepEqual(offending, [], `the CLI must take its types from src/core/wire, not the server side:\n${offending.join('\n')}`);
  });
});
