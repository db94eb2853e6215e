// Redirect rules and X-Script-Name on a real edge: host to URL and path prefix to path, with and
// without the rest of the path and query; the prefix sent to WSGI apps and never taken from the client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestEdge, route, type TestEdge } from './edge-harness.js';
import { startUpstream, type FakeUpstream } from './fake-upstream.js';

describe('edge redirects and X-Script-Name', () => {
  let edge: TestEdge;
  let app: FakeUpstream;

  before(async () => {
    app = await startUpstream('the-app');
    edge = await startTestEdge({ httpsPort: 0 });
    await edge.client.putRoute(
      route('site/prod', [app.url], {
        hosts: ['example.test', 'help.example.test', 'docs.example.test'],
        pathPrefix: '/',
        redirects: [
          { fromHost: 'help.example.test', to: 'https://example.test/help/', status: 301, keepPath: false },
          { fromHost: 'docs.example.test', to: 'https://example.test/docs/', status: 302, keepPath: true },
          { fromPath: '/old', to: '/new', status: 308, keepPath: true },
          { fromPath: '/gone', to: '/', status: 307, keepPath: false },
        ],
      }),
    );
    await edge.client.putRoute(
      route('secure/prod', [app.url], {
        hosts: ['secure.test', 'help.secure.test'],
        tls: { hsts: false },
        redirects: [{ fromHost: 'help.secure.test', to: 'https://secure.test/help/', status: 301, keepPath: false }],
      }),
    );
    await edge.client.putRoute(route('site/event1', [app.url], { hosts: ['example.test'], pathPrefix: '/event1', stripPrefix: true, scriptName: true }));
    await edge.client.putRoute(route('site/event2', [app.url], { hosts: ['example.test'], pathPrefix: '/event2', stripPrefix: true }));
  });

  after(async () => {
    await edge.close();
    await app.close();
  });

  it('redirects a host, with or without the path', async () => {
    const help = await edge.get('/anything?q=1', { host: 'help.example.test' });
    assert.equal(help.status, 301);
    assert.equal(help.headers['location'], 'https://example.test/help/');
    const docs = await edge.get('/a/b?q=1', { host: 'docs.example.test' });
    assert.equal(docs.status, 302);
    assert.equal(docs.headers['location'], 'https://example.test/docs/a/b?q=1');
  });

  it('a host redirect on an HTTPS route sends plain-HTTP clients straight to the target (no certificate needed for that host)', async () => {
    const help = await edge.get('/x', { host: 'help.secure.test' });
    assert.equal(help.status, 301);
    assert.equal(help.headers['location'], 'https://secure.test/help/');
    const main = await edge.get('/x', { host: 'secure.test' });
    assert.equal(main.status, 308, 'the route\'s own host still goes to https');
    assert.match(String(main.headers['location']), /^https:\/\/secure\.test:\d+\/x$/);
  });

  it('redirects a path prefix on a segment boundary, keeping the rest and the query when asked', async () => {
    const old = await edge.get('/old/page?x=2', { host: 'example.test' });
    assert.equal(old.status, 308);
    assert.equal(old.headers['location'], '/new/page?x=2');
    const gone = await edge.get('/gone/deep', { host: 'example.test' });
    assert.equal(gone.status, 307);
    assert.equal(gone.headers['location'], '/');
    const before = app.served;
    const older = await edge.get('/older', { host: 'example.test' });
    assert.equal(older.status, 200, '/older is not under /old');
    assert.equal(app.served, before + 1);
  });

  it('sends X-Script-Name with the prefix when asked, and drops the client\'s own', async () => {
    const one = JSON.parse((await edge.get('/event1/echo', { host: 'example.test', 'x-script-name': '/evil' })).body);
    assert.equal(one.url, '/echo');
    assert.equal(one.headers['x-script-name'], '/event1');
    assert.equal(one.headers['x-forwarded-prefix'], '/event1');
    const two = JSON.parse((await edge.get('/event2/echo', { host: 'example.test', 'x-script-name': '/evil' })).body);
    assert.equal(two.headers['x-script-name'], undefined);
    assert.equal(two.headers['x-forwarded-prefix'], '/event2');
  });
});
