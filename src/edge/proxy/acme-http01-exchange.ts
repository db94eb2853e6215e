// The answer to an ACME HTTP-01 challenge (`GET /.well-known/acme-challenge/<token>`), given by the
// edge itself for any host before routing when the token is pending (RFC 8555 8.3): the key
// authorization as text/plain. The composition root decides when to use it (http01Token).
import type { ClientConnection, ClientExchange } from '../http1/http1-client-connection.js';
import type { RequestHead } from '../http1/http1-request-head.js';
import { ACME_HTTP01_PREFIX } from './https-policy.js';

/** The token of an HTTP-01 challenge request, or undefined for any other request. */
export function http01Token(head: RequestHead): string | undefined {
  const target = head.target;
  if (target.length <= ACME_HTTP01_PREFIX.length || !target.startsWith(ACME_HTTP01_PREFIX)) return undefined;
  if (head.method !== 'GET' && head.method !== 'HEAD') return undefined;
  const token = target.slice(ACME_HTTP01_PREFIX.length);
  return /^[A-Za-z0-9_-]+$/.test(token) ? token : undefined;
}

export class AcmeHttp01Exchange implements ClientExchange {
  constructor(
    private readonly client: ClientConnection,
    private readonly keyAuthorization: string,
  ) {}

  run(): void {
    this.client.sendWhole(200, ['Content-Type', 'text/plain', 'Cache-Control', 'no-store'], this.keyAuthorization);
  }

  onClientDrain(): void {}

  onClientDone(): void {}
}
