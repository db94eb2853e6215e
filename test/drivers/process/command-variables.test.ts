// Commands written as people write them: a gunicorn-style `--bind 127.0.0.1:${PORT}` starts and
// serves, build and release commands get ${SLIPWAY_RELEASE}, and a variable that a secret
// overrides is refused instead of putting the secret on a command line.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ProcessDriver } from '../../../src/drivers/process/process-driver.js';
import { cleanup, httpGet, makeContext, ref, specOf, tempDir, writeApp } from './harness.js';
import { RecordingEdge } from './recording-edge.js';

let dataDir: string;
let source: string;
let driver: ProcessDriver;

before(async () => {
  dataDir = await tempDir('data');
  source = await writeApp({
    'server.js': `
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
const bind = process.argv[process.argv.indexOf('--bind') + 1];
const [host, port] = bind.split(':');
const server = createServer((req, res) => res.end(JSON.stringify({ bind, argv: process.argv.slice(2) })));
server.listen(Number(port), host);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
    'record.js': `import { writeFileSync } from 'node:fs'; writeFileSync(process.argv[2], JSON.stringify(process.argv.slice(3)));`,
    'package.json': '{ "type": "module" }',
  });
  driver = new ProcessDriver({ dataDir, edge: new RecordingEdge() });
});
after(async () => {
  await cleanup(dataDir, source);
});

test('--bind 127.0.0.1:${PORT} as written, and ${SLIPWAY_RELEASE} in build and release commands', async () => {
  const spec = specOf({
    variables: { GREETING: 'hi $$' },
    processes: { web: { command: ['node', 'server.js', '--bind', '127.0.0.1:${PORT}', '--name', '${SLIPWAY_PROCESS}.${SLIPWAY_INSTANCE}', '${GREETING}', '$$PORT'], http: true } },
    build: [['node', 'record.js', 'build.json', '${SLIPWAY_RELEASE}', '${SLIPWAY_APP}/${SLIPWAY_ENV}']],
    release: [['node', 'record.js', path.join(dataDir, 'release.json'), '${SLIPWAY_RELEASE}']],
    environments: { staging: {} },
  });
  const { ctx, lines } = makeContext(spec, { secrets: { API_TOKEN: 'canary-argv-secret' } });
  const built = await driver.build(ctx, { releaseId: 'r1', source: { dir: source, commitSha: null } });
  const r1 = ref('r1', built.artifact);
  await driver.stage(ctx, r1);
  const staged = path.join(dataDir, 'apps/hello/staging/releases/r1');
  assert.deepEqual(JSON.parse(await readFile(path.join(staged, 'build.json'), 'utf8')), ['r1', 'hello/staging']);
  await driver.runRelease(ctx, r1);
  assert.deepEqual(JSON.parse(await readFile(path.join(dataDir, 'release.json'), 'utf8')), ['r1']);
  const state = await driver.start(ctx, r1, null);
  const port = state.processes['web']?.[0]?.port;
  assert.ok(port);
  const res = await httpGet(port, '/');
  assert.equal(res.status, 200);
  // GREETING's value 'hi $$' is never expanded again; the literal $$PORT in the spec is $PORT.
  assert.deepEqual(JSON.parse(res.body), { bind: `127.0.0.1:${port}`, argv: ['--bind', `127.0.0.1:${port}`, '--name', 'web.0', 'hi $$', '$PORT'] });
  assert.ok(!lines.join('\n').includes('canary-argv-secret'));
  await driver.retire(ctx, r1);
});

test('a variable that a secret of the environment overrides is not expanded: the step fails naming it', async () => {
  const spec = specOf({
    variables: { DATABASE_URL: 'postgres://placeholder' },
    processes: { web: { command: ['node', 'server.js', '--bind', '127.0.0.1:${PORT}'], http: true } },
    release: [['node', 'record.js', path.join(dataDir, 'never.json'), '${DATABASE_URL}']],
    environments: { staging: {} },
  });
  const { ctx, lines } = makeContext(spec, { secrets: { DATABASE_URL: 'postgres://canary-db-secret@db/app' } });
  const built = await driver.build(ctx, { releaseId: 'r2', source: { dir: source, commitSha: null } });
  const r2 = ref('r2', built.artifact);
  await driver.stage(ctx, r2);
  await assert.rejects(driver.runRelease(ctx, r2), (err: Error) => {
    assert.match(err.message, /release command 1: \$\{DATABASE_URL\} is not a variable this command is given \(DATABASE_URL is a secret of staging: secrets are never put on a command line/);
    assert.ok(!err.message.includes('canary-db-secret'));
    return true;
  });
  assert.ok(!lines.join('\n').includes('canary-db-secret'));
});
