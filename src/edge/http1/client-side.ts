// What an exchange (proxy/proxy-exchange.ts) needs of the client it answers, whatever protocol
// carries the request: an HTTP/1.1 connection (http1-client-connection.ts) or one HTTP/2 stream
// (http2/http2-stream-client.ts). It lives here, beside ClientExchange (what a client side asks of
// its exchange), because the protocol folders implement it and http1/ imports nothing else of the
// edge. The request itself is a RequestHead (http1-request-head.ts) and its body a Readable.

export interface ClientSide {
  readonly remoteAddress: string | undefined;
  /** The request came over TLS. */
  readonly secure: boolean;
  /** For the access log: "HTTP/1.1", "HTTP/1.0" or "HTTP/2". */
  readonly protocol: string;
  /** The response head went out (or is about to): an error can no longer be answered with a page. */
  readonly headSent: boolean;
  /** The request body is about to be read: a client waiting for "100 Continue" gets it. */
  continueBody(): void;
  /**
   * Starts the response. `contentLength` -1: unknown; `headers` ([name, value, ...]) carry
   * Content-Length when it is known. `hold`: more of the response follows in this same turn.
   */
  sendHead(status: number, reason: string, headers: readonly string[], contentLength: number, hold: boolean): void;
  /** Response body bytes; `last` when they complete it. false: wait for onClientDrain. */
  sendData(chunk: Buffer, last: boolean): boolean;
  /** The response body is complete. */
  sendEnd(): void;
  /** A whole response the edge makes itself (error and maintenance pages); adds Content-Length and Date to `headers`. */
  sendWhole(status: number, headers: string[], body: string): void;
  /** Gives up on a response that cannot be completed correctly (the client sees it cut off). */
  abort(): void;
}
