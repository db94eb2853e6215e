// A real git repository holding a small web app and its slipway.yml (the shape of
// examples/hello/slipway.yml), for creating and deploying apps through the HTTP API.
import { createTestRepo, type TestRepo } from '../support/git-repo.js';

/** Its release command prints API_KEY (commands are argv; `sh -c` is this app's own choice). */
export const VALID_SPEC = `# test app
driver: process
processes:
  web:
    command: ["node", "server.js"]
    http: true
    instances: 1
    health: { path: /healthz, interval: 200ms, timeout: 1s, retries: 3, start_period: 20s }
    min_uptime: 300ms
    stop_grace: 2s
release:
  - ["sh", "-c", "echo release sees API_KEY=$API_KEY"]
environments:
  staging:
    branch: main
    route: { path: /, host: staging.shop.localhost }
  production:
    branch: release
`;

export const SERVER_JS = `import { createServer } from 'node:http';
const server = createServer((req, res) => {
  if (req.url === '/healthz') return void res.writeHead(200).end('ok\\n');
  res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from ' + (process.env.SLIPWAY_RELEASE ?? '?') + '\\n');
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** A repository whose main branch holds `spec` as slipway.yml and the web app. */
export async function createAppRepo(spec: string = VALID_SPEC): Promise<TestRepo> {
  const repo = await createTestRepo();
  try {
    await repo.commit({ 'slipway.yml': spec, 'server.js': SERVER_JS, 'package.json': '{ "name": "shop", "private": true, "type": "module" }\n' }, 'first');
    await repo.push('main');
    return repo;
  } catch (err) {
    await repo.cleanup();
    throw err;
  }
}
