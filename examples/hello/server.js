// Answers / with the version and the release, /healthz with 200. PORT comes from Slipway.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const version = process.env.APP_VERSION ?? readFileSync(new URL('./VERSION', import.meta.url), 'utf8').trim();
const release = process.env.SLIPWAY_RELEASE ?? 'unknown';

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  const body = JSON.stringify({ app: 'hello', version, release, pid: process.pid });
  res.writeHead(200, { 'content-type': 'application/json' }).end(body + '\n');
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`hello ${version} (release ${release}) listening on ${process.env.PORT}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
