// A user whose own data dir has no server finds the one that runs as root (/var/lib/slipway),
// and, when its files are not theirs to read, is told plainly what to do.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { discoverConnection } from '../../src/cli/connection.js';
import { projectRoot } from '../support/entry.js';

describe('finding a server that runs as root', () => {
  let root: string;
  let rootData: string;
  let own: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'slipway-rootsrv-'));
    await chmod(root, 0o711);
    rootData = path.join(root, 'var-lib-slipway');
    own = path.join(root, 'home', 'state', 'slipway');
    await mkdir(rootData, { mode: 0o711 });
    await writeFile(path.join(rootData, 'server.json'), JSON.stringify({ url: 'http://127.0.0.1:7070', pid: process.pid }), { mode: 0o600 });
    await writeFile(path.join(rootData, 'admin.token'), 'root-token\n', { mode: 0o600 });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it("uses the root server's files when the user's own data dir has no server", async () => {
    const c = await discoverConnection({ url: undefined, token: undefined, dataDir: own }, { uid: 1000, rootDataDir: rootData });
    assert.equal(c.url, 'http://127.0.0.1:7070');
    assert.equal(c.token.reveal(), 'root-token');
  });

  it("prefers the user's own server, and root never looks elsewhere", async () => {
    const mine = path.join(root, 'mine');
    await mkdir(mine, { recursive: true });
    await writeFile(path.join(mine, 'server.json'), JSON.stringify({ url: 'http://127.0.0.1:7171', pid: process.pid }));
    await writeFile(path.join(mine, 'admin.token'), 'my-token');
    const c = await discoverConnection({ url: undefined, token: undefined, dataDir: mine }, { uid: 1000, rootDataDir: rootData });
    assert.equal(c.url, 'http://127.0.0.1:7171');
    await assert.rejects(discoverConnection({ url: undefined, token: undefined, dataDir: own }, { uid: 0, rootDataDir: rootData }), (err: Error) => {
      assert.match(err.message, new RegExp(`looked for ${path.join(own, 'server.json').replace(/[/.]/g, '\\$&')}`));
      return true;
    });
  });

  it('says to run as root (or set the variables) when the files are not readable, naming the file', { skip: process.getuid?.() !== 0 && 'needs root to run a child as nobody' }, async () => {
    // The real EACCES: a child process as nobody (65534), which cannot read the 0600 files.
    const module = pathToFileURL(path.join(projectRoot, 'dist', 'src', 'cli', 'connection.js')).href;
    const script = `import(${JSON.stringify(module)}).then((m) => m.discoverConnection({ dataDir: ${JSON.stringify(own)} }, { rootDataDir: ${JSON.stringify(rootData)} })).then(() => console.log('found'), (e) => console.log(e.message))`;
    const out = await asNobody(script);
    assert.match(out, /a Slipway server runs as root \(data dir .*var-lib-slipway\)/);
    assert.match(out, /server\.json is not readable by this user; run the CLI as root, or set SLIPWAY_URL and SLIPWAY_TOKEN/);
    // With server.json readable but the token not: only SLIPWAY_TOKEN is missing.
    await chmod(path.join(rootData, 'server.json'), 0o644);
    const out2 = await asNobody(script);
    assert.match(out2, /admin\.token is not readable by this user; run the CLI as root, or set SLIPWAY_TOKEN/);
  });
});

function asNobody(script: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (text += s));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
}
