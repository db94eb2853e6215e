// `GET /tls/wanted`: the names the edge wants certificates for (on-demand TLS), as NDJSON lines
// `{"host","route"}`, first those waiting already, then each new one, until the client goes. The
// control plane holds this request open, so the admin API keeps its direction (the control plane
// calls the edge) while the edge can still ask for something.
import type http from 'node:http';
import type { OnDemandCertificates, WantedHost } from '../tls/on-demand-certificates.js';

export function streamWanted(onDemand: OnDemandCertificates, req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  res.flushHeaders();
  const write = (w: WantedHost) => void res.write(`${JSON.stringify({ host: w.host, route: w.route })}\n`);
  for (const w of onDemand.pending()) write(w);
  const unsubscribe = onDemand.subscribe(write);
  const stop = () => {
    unsubscribe();
    res.end();
  };
  req.once('close', stop);
  res.once('close', unsubscribe);
}
