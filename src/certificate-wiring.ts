// Composition of the control plane's certificate work (issue 13): the certificate service (ACME
// issuance through the local edge and, once the Swarm driver is in use, the Swarm edge too), its
// renewer, on-demand TLS answering the local edge's wanted names, and the sync that gives the
// edge every stored certificate again (before routes: a TLS route the edge is given again finds
// its certificate there).
import type { AppSpec } from './core/app-spec.js';
import { errorMessage, UnavailableError } from './core/errors.js';
import type { AcmeAccountSettings } from './core/ports/certificate-issuer.js';
import type { EdgeOnDemand, EdgeTls } from './core/ports/edge-tls.js';
import type { SecretCipher } from './core/ports/secret-cipher.js';
import type { Store } from './core/ports/store.js';
import { EdgeTlsFanOut } from './edge-tls-fan-out.js';
import { httpsParts } from './https-parts.js';
import type { Settings } from './platform/env.js';
import type { Logger } from './platform/logger.js';
import type { HttpsParts } from './server.js';
import { CertificateRenewer } from './services/certificate-renewer.js';
import { CertificateService } from './services/certificate-service.js';
import { CertificatesInUse } from './services/certificates-in-use.js';
import { OnDemandIssuance } from './services/on-demand-issuance.js';
import { OnDemandRateLimit } from './services/on-demand-rate-limit.js';
import { onDemandPolicyFor } from './services/on-demand-routes.js';

export interface CertificateWiring {
  certificates: CertificateService;
  /** Gives the edge every stored certificate it lacks; logs, never throws. */
  syncCertificates(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export async function wireCertificates(deps: {
  settings: Settings;
  store: Store;
  cipher: SecretCipher;
  /** The local edge's admin client (TLS and its on-demand stream). */
  localEdge: EdgeTls & EdgeOnDemand;
  /** The Swarm edge's TLS API once the Swarm driver is in use, else null. */
  swarmEdgeTls: () => EdgeTls | null;
  parseSpec: (text: string, where: string) => Promise<AppSpec>;
  https: HttpsParts | undefined;
  logger: Logger;
}): Promise<CertificateWiring> {
  const { settings, store, logger, localEdge } = deps;
  const account: AcmeAccountSettings = {
    directoryUrl: settings.https.acme.directoryUrl,
    ...(settings.https.acme.email ? { email: settings.https.acme.email } : {}),
    ...(settings.https.acme.eab ? { eab: settings.https.acme.eab } : {}),
  };
  // Only what live routes use, from their specs, is renewed.
  const inUse = new CertificatesInUse(store, deps.parseSpec);
  const edgeTls = new EdgeTlsFanOut(() => {
    const swarmTls = deps.swarmEdgeTls();
    return swarmTls ? [localEdge, swarmTls] : [localEdge];
  });
  const parts = deps.https ?? (await httpsParts(settings.https, { accounts: store, cipher: deps.cipher, edgeTls }));
  const certificates = new CertificateService({ store, cipher: deps.cipher, edge: parts.edgeTls, issuer: parts.issuer, solvers: parts.solvers, account: () => account, inUse: () => inUse.ids() });
  const renewer = new CertificateRenewer({ certificates, logger });
  // On-demand TLS: the control plane holds the local edge's stream of wanted names open and
  // decides each one (the Swarm edge service has no on-demand TLS yet).
  const onDemand =
    settings.https.onDemandMaxPerHour > 0
      ? new OnDemandIssuance({
          edge: localEdge,
          certificates,
          policyFor: (route) => onDemandPolicyFor(store, deps.parseSpec, route),
          limit: new OnDemandRateLimit(settings.https.onDemandMaxPerHour),
          logger,
        })
      : null;
  return {
    certificates,
    async syncCertificates() {
      try {
        const report = await certificates.syncEdge();
        if (report.pushed.length) logger.warn({ pushed: report.pushed }, 'certificates given to the edge again from the store');
        if (report.failures.length) logger.error({ failures: report.failures }, 'certificates could not be given to the edge');
      } catch (err) {
        // No edge running yet (SLIPWAY_EDGE=off, whoever runs it has not started it): given when it is.
        if (err instanceof UnavailableError) logger.warn({ err: errorMessage(err) }, 'certificates not given to the edge: it is not running');
        else logger.error({ err: errorMessage(err) }, 'certificate sync with the edge failed');
      }
    },
    start() {
      renewer.start();
      onDemand?.start();
    },
    async stop() {
      await renewer.stop();
      await onDemand?.stop();
    },
  };
}
