// DNS-discovered targets without Docker: real HTTP servers on 127.0.0.x at one port, and a fake
// resolver function the test changes (as Swarm's tasks.<service> answer changes in a rollout).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PreconditionError } from '../../src/core/errors.js';
import { addressTargets, expandTargets } from '../../src/edge/routing/dns-discovery.js';
import { startLoad } from '../support/load-generator.js';
import { waitUntil } from '../support/wait-until.js';
import { route, startTestEdge, waitForHealth, type TestEdge } from './edge-harness.js';

interface Task {
  ip: string;
  name: string;
  healthy: boolean;
  served: number;
  close(): Promise<void>;
  /** Closes the listener and every connection at once (a killed process). */
  kill(): void;
}

async function startTask(ip: string, port: number, name: string): Promise<Task> {
  const sockets = new Set<Socket>();
  const task: Task = {
    ip,
    name,
    healthy: true,
    served: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
    kill: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
  const server = http.createServer((req, res) => {
    if (req.url === '/health') return void res.writeHead(task.healthy ? 200 : 503).end('ok');
    task.served++;
    if (req.url?.startsWith('/slow')) {
      const t = setTimeout(() => res.end(name), 400);
      res.on('close', () => clearTimeout(t));
      return;
    }
    res.end(name);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => resolve());
  });
  return task;
}

/** A port free on 127.0.0.2..9 (taken from the kernel on .2, checked on the others by use). */
async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.2', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  return waitUntil(what, cond, timeoutMs, 25);
}

describe('DNS-discovered targets', () => {
  let edge: TestEdge;
  let port: number;
  const answers = new Map<string, string[]>();
  let resolverFails = false;
  let lookups = 0;
  const tasks: Task[] = [];
  const task = async (ip: string, name: string) => {
    const t = await startTask(ip, port, name);
    tasks.push(t);
    return t;
  };
  const resolve = async (host: string): Promise<string[]> => {
    lookups++;
    if (resolverFails) throw Object.assign(new Error('resolver timed out'), { code: 'ETIMEOUT' });
    return answers.get(host) ?? [];
  };
  const discovered = (id: string, host: string, hc: Partial<{ healthyThreshold: number }> = {}) =>
    route(id, [], {
      hosts: [`${host}.test`],
      targets: [{ url: `http://tasks.${host}:${port}`, discover: 'dns', release: 'r1' }],
      healthCheck: { path: '/health', intervalMs: 50, timeoutMs: 500, healthyThreshold: hc.healthyThreshold ?? 1 },
    });

  before(async () => {
    port = await freePort();
    edge = await startTestEdge({ resolve, discoveryIntervalMs: 50 });
  });
  after(async () => {
    await edge.close();
    for (const t of tasks) t.kill();
  });

  it('expands a discovered target to one target per address (same scheme, port and release)', async () => {
    assert.deepEqual(addressTargets({ url: 'http://tasks.a_web:3000', discover: 'dns', release: 'r9' }, ['10.0.0.3', '10.0.0.4']), [
      { url: 'http://10.0.0.3:3000', release: 'r9' },
      { url: 'http://10.0.0.4:3000', release: 'r9' },
    ]);
    const r = route('x/y', [], { targets: [{ url: 'http://tasks.none:80', discover: 'dns' }] });
    await assert.rejects(expandTargets(r, async () => [], true), (err: unknown) => err instanceof PreconditionError && /resolves to no address/.test(err.message));
    assert.deepEqual(await expandTargets(r, async () => [], false), []);
  });

  it('a put serves every address of the name; the route keeps the declared target', async () => {
    await task('127.0.0.2', 'a1');
    await task('127.0.0.3', 'a2');
    answers.set('tasks.alpha', ['127.0.0.2', '127.0.0.3']);
    await edge.client.putRoute(discovered('app/alpha', 'alpha'));
    const bodies = new Set<string>();
    for (let i = 0; i < 10; i++) bodies.add((await edge.get('/', { host: 'alpha.test' })).body);
    assert.deepEqual([...bodies].sort(), ['a1', 'a2']);
    const state = await edge.client.getRoute('app/alpha');
    assert.deepEqual(state?.targets, [{ url: `http://tasks.alpha:${port}`, discover: 'dns', release: 'r1' }]);
    assert.deepEqual(Object.keys(state?.inFlight ?? {}).sort(), [`http://127.0.0.2:${port}`, `http://127.0.0.3:${port}`]);
  });

  it('a put whose name resolves to nothing is refused and changes nothing', async () => {
    await assert.rejects(edge.client.putRoute(discovered('app/empty', 'empty')), (err: unknown) => err instanceof PreconditionError && /resolves to no address/.test(err.message));
    assert.equal(await edge.client.getRoute('app/empty'), null);
  });

  it('a new address takes traffic only after passing its health check; a vanished one drains its in-flight requests', async () => {
    await task('127.0.0.4', 'b1');
    const b2 = await task('127.0.0.5', 'b2');
    b2.healthy = false;
    answers.set('tasks.beta', ['127.0.0.4']);
    await edge.client.putRoute(discovered('app/beta', 'beta', { healthyThreshold: 2 }));
    answers.set('tasks.beta', ['127.0.0.4', '127.0.0.5']);
    await until('the new address in the pool', async () => `http://127.0.0.5:${port}` in ((await edge.client.getRoute('app/beta'))?.inFlight ?? {}));
    for (let i = 0; i < 20; i++) assert.equal((await edge.get('/', { host: 'beta.test' })).body, 'b1');
    assert.equal(b2.served, 0);
    b2.healthy = true;
    await until('b2 serving', async () => (await edge.get('/', { host: 'beta.test' })).body === 'b2');

    // b1 vanishes from DNS while a slow request runs on it: that request finishes, new ones go to b2.
    const slow: Promise<string[]> = Promise.all([1, 2, 3, 4].map(() => edge.get('/slow', { host: 'beta.test' }).then((r) => `${r.status} ${r.body}`)));
    await waitForHealth(edge.client, 'app/beta', 'the slow requests in flight', (h) => h.targets.reduce((n, t) => n + t.inFlight, 0) === 4);
    answers.set('tasks.beta', ['127.0.0.5']);
    await waitForHealth(edge.client, 'app/beta', 'b1 out of the pool', (h) => !h.targets.some((t) => t.url === `http://127.0.0.4:${port}` && t.role === 'serving'));
    const during = await Promise.all([1, 2, 3, 4, 5, 6].map(() => edge.get('/', { host: 'beta.test' })));
    assert.deepEqual(new Set(during.map((r) => r.body)), new Set(['b2']));
    assert.deepEqual((await slow).sort(), ['200 b1', '200 b1', '200 b2', '200 b2']);
  });

  it('keeps the current targets when the resolver fails or answers nothing', async () => {
    await task('127.0.0.6', 'c1');
    answers.set('tasks.gamma', ['127.0.0.6']);
    await edge.client.putRoute(discovered('app/gamma', 'gamma'));
    resolverFails = true;
    const seen = lookups;
    await until('a few failed look-ups', () => lookups > seen + 3);
    assert.equal((await edge.get('/', { host: 'gamma.test' })).body, 'c1');
    resolverFails = false;
    answers.set('tasks.gamma', []);
    const seen2 = lookups;
    await until('a few empty answers', () => lookups > seen2 + 3);
    assert.equal((await edge.get('/', { host: 'gamma.test' })).body, 'c1');
  });

  it('a refused connection (task killed, still in DNS) is retried on another target: no failed GET', async () => {
    await task('127.0.0.7', 'd1');
    const d2 = await task('127.0.0.8', 'd2');
    answers.set('tasks.delta', ['127.0.0.7', '127.0.0.8']);
    await edge.client.putRoute({ ...discovered('app/delta', 'delta'), healthCheck: { path: '/health', intervalMs: 2000, timeoutMs: 500, healthyThreshold: 1 } });
    d2.kill();
    const results = await Promise.all(Array.from({ length: 20 }, () => edge.get('/', { host: 'delta.test' })));
    assert.deepEqual(new Set(results.map((r) => `${r.status} ${r.body}`)), new Set(['200 d1']));
  });

  it('under load, tasks replaced one by one (start-first: new joins, old leaves DNS, then stops) fail no request', async () => {
    const ips = ['127.0.0.10', '127.0.0.11', '127.0.0.12', '127.0.0.13'];
    const [o1, o2] = [await task(ips[0]!, 'v1'), await task(ips[1]!, 'v1')];
    answers.set('tasks.roll', [ips[0]!, ips[1]!]);
    await edge.client.putRoute(discovered('app/roll', 'roll'));
    const load = startLoad({ url: `${edge.base}/`, headers: { host: 'roll.test' }, concurrency: 8, maxDurationMs: 20_000 });
    const replace = async (old: Task, ip: string) => {
      await task(ip, 'v2');
      answers.set('tasks.roll', [...(answers.get('tasks.roll') ?? []), ip].sort());
      // Swarm: the new task is healthy, then the old one shuts down.
      await waitForHealth(edge.client, 'app/roll', `${ip} in rotation`, (h) => h.targets.some((t) => t.url === `http://${ip}:${port}` && t.state === 'healthy' && t.inRotation));
      answers.set('tasks.roll', (answers.get('tasks.roll') ?? []).filter((a) => a !== old.ip));
      // Swarm removes the task from DNS ~2 s before SIGTERM.
      await waitForHealth(edge.client, 'app/roll', `${old.ip} out of the pool`, (h) => !h.targets.some((t) => t.url === `http://${old.ip}:${port}` && t.role === 'serving'));
      await old.close(); // graceful: in-flight requests finish
    };
    await until('the load running', () => load.completed >= 50);
    await replace(o1, ips[2]!);
    await replace(o2, ips[3]!);
    load.mark();
    const atMark = load.completed;
    await until('the load running after the replacement', () => load.completed >= atMark + 100);
    const report = await load.stop();
    assert.equal(report.failures, 0, JSON.stringify(report.failureSamples));
    assert.ok(report.total > 200, `only ${report.total} requests`);
    assert.deepEqual(Object.keys(report.bodiesAfterMark), ['v2']);
  });

  it('a restarted edge restores the discovered route from its snapshot', async () => {
    await task('127.0.0.14', 'e1');
    answers.set('tasks.eps', ['127.0.0.14']);
    await edge.client.putRoute(discovered('app/eps', 'eps'));
    const dataDir = edge.dataDir;
    await edge.close({ keepDir: true });
    edge = await startTestEdge({ dataDir, resolve, discoveryIntervalMs: 50 });
    assert.equal((await edge.get('/', { host: 'eps.test' })).body, 'e1');
    await task('127.0.0.15', 'e2');
    answers.set('tasks.eps', ['127.0.0.15']);
    await until('e2 serving after restart', async () => (await edge.get('/', { host: 'eps.test' })).body === 'e2');
  });

});
