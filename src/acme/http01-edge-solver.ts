// Answers HTTP-01 (RFC 8555 section 8.3) through the edge: the edge serves the key authorization
// at /.well-known/acme-challenge/<token> on its HTTP port for any host.
import type { ChallengeSolver } from '../core/ports/certificate-issuer.js';
import type { EdgeTls } from '../core/ports/edge-tls.js';

export class Http01EdgeSolver implements ChallengeSolver {
  readonly type = 'http-01' as const;
  readonly #edge: Pick<EdgeTls, 'putChallenge' | 'removeChallenge'>;

  constructor(edge: Pick<EdgeTls, 'putChallenge' | 'removeChallenge'>) {
    this.#edge = edge;
  }

  present(_host: string, token: string, keyAuthorization: string): Promise<void> {
    return this.#edge.putChallenge({ type: 'http-01', token, keyAuthorization });
  }

  cleanUp(_host: string, token: string): Promise<void> {
    return this.#edge.removeChallenge('http-01', token);
  }
}
