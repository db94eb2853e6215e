// The edge's folders and which may import which (ARCHITECTURE.md, "The tree"). Reads the import
// statements of src/edge/**/*.ts and names every import that breaks a rule.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../support/entry.js';

type Folder = 'http1' | 'http2' | 'proxy' | 'static' | 'routing' | 'admin' | 'tls';

interface Rule {
  /** Folders of the edge whose modules may be imported (values and types). */
  imports: readonly Folder[];
  /** Folders of the edge from which only types may be imported (`import type`). */
  typesFrom: readonly Folder[];
}

const RULES: Record<Folder, Rule> = {
  // The HTTP/1.1 protocol (heads, bodies, chunked coding, the client-side server): nothing else of the edge.
  http1: { imports: [], typesFrom: [] },
  // HTTP/2 on TLS sockets (node:http2): maps streams onto http1's request model and client side; the exchange comes from main.ts.
  http2: { imports: ['http1'], typesFrom: [] },
  // Exchanges and the upstream client: speak HTTP/1.1; routes are seen through proxy/served-route.ts.
  proxy: { imports: ['http1', 'static'], typesFrom: [] },
  // The static file server (paths inside mounts, validators, streaming a file): answers on http1's client side.
  static: { imports: ['http1'], typesFrom: [] },
  // Routes, health, drain, pause, discovery, snapshot: the proxy's types only (targets are made by main.ts).
  routing: { imports: [], typesFrom: ['proxy'] },
  // Certificates, SNI, ACME challenge answers, the HTTPS listener: hands secured sockets to whatever main.ts gives it.
  tls: { imports: [], typesFrom: [] },
  // The admin API, its socket and the control plane's client: drive routing and tls.
  admin: { imports: ['routing', 'tls'], typesFrom: [] },
};

/** Outside the edge, its modules import only these (adapters never import each other). */
const OUTSIDE_ALLOWED = ['src/core/', 'src/platform/'];

const EDGE = 'src/edge/';

interface ImportStatement {
  file: string;
  line: number;
  specifier: string;
  typeOnly: boolean;
}

/** Static imports and re-exports (`import … from`, `export … from`, `import '…'`) and dynamic `import('…')`. */
export function importsOf(file: string, source: string): ImportStatement[] {
  const found: ImportStatement[] = [];
  const lineAt = (index: number) => source.slice(0, index).split('\n').length;
  const statement = /^[ \t]*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(statement)) {
    const clause = m[3] ?? '';
    const names = /^\{([\s\S]*)\}$/.exec(clause.trim())?.[1];
    const allTyped = names !== undefined && names.split(',').filter((n) => n.trim()).every((n) => /^\s*type\s/.test(n));
    found.push({ file, line: lineAt(m.index), specifier: m[4] ?? '', typeOnly: m[2] !== undefined || allTyped });
  }
  for (const m of source.matchAll(/^[ \t]*import\s*['"]([^'"]+)['"]/gm)) {
    found.push({ file, line: lineAt(m.index), specifier: m[1] ?? '', typeOnly: false });
  }
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push({ file, line: lineAt(m.index), specifier: m[1] ?? '', typeOnly: false });
  }
  return found;
}

/** The folder of the edge a project path is in: a Folder, 'root' (src/edge/*.ts), or null outside the edge. */
function folderOf(projectPath: string): Folder | 'root' | null {
  if (!projectPath.startsWith(EDGE)) return null;
  const rest = projectPath.slice(EDGE.length).split('/');
  if (rest.length === 1) return 'root';
  const top = rest[0] as Folder;
  return top in RULES ? top : null;
}

/** What is wrong with one import, or null. `file` and the result are project paths ("src/edge/…"). */
export function violation(imp: ImportStatement): string | null {
  if (!imp.specifier.startsWith('.')) return null; // node: modules and packages
  const from = folderOf(imp.file);
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(imp.file), imp.specifier));
  const where = `${imp.file}:${imp.line} imports '${imp.specifier}'`;
  if (from === null) return `${imp.file} is in no known folder of src/edge/ (add it to RULES in this test and to ARCHITECTURE.md)`;
  if (!target.startsWith(EDGE)) {
    if (OUTSIDE_ALLOWED.some((p) => target.startsWith(p))) return null;
    return `${where}: the edge imports only ${OUTSIDE_ALLOWED.join(' and ')} outside src/edge/`;
  }
  const to = folderOf(target);
  if (from === 'root') return null; // main.ts composes everything
  if (to === 'root') return `${where}: only the composition root imports ${target}; nothing imports it back`;
  if (to === null) return `${where}: ${target} is in no known folder of src/edge/`;
  if (to === from) return null;
  const rule = RULES[from];
  if (rule.imports.includes(to)) return null;
  if (rule.typesFrom.includes(to)) {
    return imp.typeOnly ? null : `${where}: ${from}/ may import only types from ${to}/ (use "import type")`;
  }
  const allowed = [...rule.imports.map((f) => `${f}/`), ...rule.typesFrom.map((f) => `${f}/ (types)`)];
  return `${where}: ${from}/ may not import ${to}/ (it may import ${allowed.length ? allowed.join(', ') : 'nothing else of the edge'})`;
}

function edgeFiles(dir: string): string[] {
  return readdirSync(path.join(projectRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) return edgeFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('edge layers', () => {
  it('every import in src/edge/ follows the folder rules', () => {
    const files = edgeFiles('src/edge');
    assert.ok(files.length > 30, `found only ${files.length} files under src/edge`);
    const problems = files
      .flatMap((f) => importsOf(f, readFileSync(path.join(projectRoot, f), 'utf8')))
      .map(violation)
      .filter((v): v is string => v !== null);
    assert.deepEqual(problems, [], `imports that break the edge's layering:\n${problems.join('\n')}`);
  });

  it('names an offending import (the check itself works)', () => {
    const source = [
      "import { UpstreamTarget } from '../proxy/upstream-target.js';",
      "import type { ServedRoute } from '../proxy/served-route.js';",
      'import {',
      '  type RouteRegistry,',
      "} from '../routing/route-registry.js';",
      "import { z } from 'zod';",
      "const undici = import('../admin/edge-client.js');",
    ].join('\n');
    const routing = importsOf('src/edge/routing/x.ts', source).map(violation);
    assert.match(routing[0] ?? '', /src\/edge\/routing\/x\.ts:1 imports '\.\.\/proxy\/upstream-target\.js': routing\/ may import only types from proxy\//);
    assert.equal(routing[1], null);
    const http1 = importsOf('src/edge/http1/y.ts', source).map(violation);
    assert.match(http1[2] ?? '', /y\.ts:3 imports '\.\.\/routing\/route-registry\.js': http1\/ may not import routing\/ \(it may import nothing else of the edge\)/);
    assert.equal(http1[3], null, 'packages are not the edge');
    assert.match(http1[4] ?? '', /y\.ts:7 imports '\.\.\/admin\/edge-client\.js'/);
    assert.match(violation({ file: 'src/edge/proxy/z.ts', line: 1, specifier: '../main.js', typeOnly: false }) ?? '', /only the composition root/);
    assert.match(violation({ file: 'src/edge/proxy/z.ts', line: 2, specifier: '../../store/db.js', typeOnly: true }) ?? '', /only src\/core\/ and src\/platform\//);
  });
});
