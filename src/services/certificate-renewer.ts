// Renews certificates in the background: every `tickMs` (and once at start) it asks the
// CertificateService to renew what is due by the store's renew_after, which the service set from
// the lifetime, the CA's ARI window, or the backoff after a failure. Failures are recorded by the
// service (last_error, shown by `slipway status`) and logged here.
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../platform/logger.js';
import type { CertificateService } from './certificate-service.js';

export interface CertificateRenewerOptions {
  certificates: Pick<CertificateService, 'renewDue'>;
  logger: Logger;
  /** Default one minute: the shortest backoff. */
  tickMs?: number;
}

export class CertificateRenewer {
  readonly #o: CertificateRenewerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = true;

  constructor(o: CertificateRenewerOptions) {
    this.#o = o;
  }

  start(): void {
    this.#stopped = false;
    const loop = () => {
      this.#running = this.tick().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(loop, this.#o.tickMs ?? 60_000);
      });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One pass; never throws. */
  async tick(): Promise<void> {
    try {
      const { renewed, failed } = await this.#o.certificates.renewDue();
      for (const id of renewed) this.#o.logger.info({ certificate: id }, 'certificate renewed');
      for (const id of failed) this.#o.logger.error({ certificate: id }, 'CERTIFICATE RENEWAL FAILED (retried with backoff; see slipway certs show)');
    } catch (err) {
      this.#o.logger.error({ err: errorMessage(err) }, 'certificate renewal pass failed');
    }
  }
}
