// Composition of what certificates need from the settings (issue 13): the ACME issuer (its CA
// trusted through SLIPWAY_ACME_CA_CERT for the ACME server only), and the challenge solvers in the
// settings' order: HTTP-01 and TLS-ALPN-01 answered by the edge, DNS-01 through the RFC 2136 server
// when one is set. The edge's TLS API is given by the caller (the server's kept edge, with the
// Swarm edge through EdgeTlsFanOut once that is in use).
import { readFile } from 'node:fs/promises';
import { AcmeIssuer } from './acme/acme-issuer.js';
import { Dns01Solver } from './acme/dns01-solver.js';
import { Http01EdgeSolver } from './acme/http01-edge-solver.js';
import { Rfc2136DnsProvider } from './acme/rfc2136-dns-provider.js';
import { TlsAlpn01EdgeSolver } from './acme/tls-alpn01-edge-solver.js';
import { ConfigError, errorMessage } from './core/errors.js';
import type { ChallengeSolver } from './core/ports/certificate-issuer.js';
import type { EdgeTls } from './core/ports/edge-tls.js';
import type { SecretCipher } from './core/ports/secret-cipher.js';
import type { AcmeAccounts } from './core/ports/store/acme-accounts.js';
import type { HttpsSettings } from './platform/https-settings.js';
import type { HttpsParts } from './server.js';
import { solverChoice } from './services/solver-choice.js';

export async function httpsParts(settings: HttpsSettings, deps: { accounts: AcmeAccounts; cipher: SecretCipher; edgeTls: EdgeTls }): Promise<HttpsParts> {
  let directoryCaPem: string | undefined;
  if (settings.acme.caCertFile) {
    try {
      directoryCaPem = await readFile(settings.acme.caCertFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`SLIPWAY_ACME_CA_CERT: ${settings.acme.caCertFile} cannot be read (${errorMessage(err)}); give the PEM file of the CA the ACME server's certificate chains to`);
    }
  }
  const solvers: ChallengeSolver[] = [new Http01EdgeSolver(deps.edgeTls), new TlsAlpn01EdgeSolver(deps.edgeTls)];
  const dns = settings.dns;
  if (dns) {
    const provider = new Rfc2136DnsProvider({
      server: dns.server,
      ...(dns.zone ? { zone: dns.zone } : {}),
      keyName: dns.keyName,
      algorithm: dns.keyAlgorithm,
      secret: dns.keySecret,
    });
    // The server that takes the updates is the zone's primary: the record is visible there first.
    solvers.push(new Dns01Solver(provider, { checkServers: [dns.server] }));
  }
  return {
    edgeTls: deps.edgeTls,
    issuer: new AcmeIssuer({ accounts: deps.accounts, cipher: deps.cipher, ...(directoryCaPem ? { directoryCaPem } : {}) }),
    solvers: solverChoice(settings.acme.challenges, solvers),
  };
}
