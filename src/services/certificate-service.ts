// Certificates as part of the control plane. `ensure` returns once a route's hosts have a valid
// certificate on the edge: a stored one that covers them with more than an hour left, else a new
// one from the ACME CA (certificate-ordering.ts: stored with its key sealed, then pushed), or the
// environment's own from its secrets (checked, stored, pushed). `renewDue` renews what live routes
// use once due (the CertificateRenewer calls it), `renew` one on demand, and `syncEdge` gives the edge every stored certificate it
// lacks (at start, after an edge restart, on the reconcile interval).
import { ConfigError, errorMessage, NotFoundError, PreconditionError } from '../core/errors.js';
import type { AcmeAccountSettings, CertificateIssuer } from '../core/ports/certificate-issuer.js';
import type { EdgeCertificateState, EdgeTls } from '../core/ports/edge-tls.js';
import type { SecretCipher } from '../core/ports/secret-cipher.js';
import type { CertificateRecords, StoredCertificate } from '../core/ports/store/certificates.js';
import type { CertificateView } from '../core/wire/certificates.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { certificateId } from './certificate-id.js';
import { inspectCertificate, uncoveredHosts } from './certificate-inspection.js';
import { certificateView } from './certificate-view.js';
import { checkOwnCertificate, type OwnCertificateSource } from './own-certificate.js';
import { CertificateOrdering, type Progress, type SolverFactory } from './certificate-ordering.js';
import { retryTime } from './renewal-time.js';

export { CertificateRefusedError, type Progress, type SolverFactory } from './certificate-ordering.js';

/** Below this much validity left, a deploy orders a new certificate instead of reusing the stored one. */
const MIN_REMAINING_MS = 3600_000;

export type CertificateMode = 'auto' | OwnCertificateSource;

export interface CertificateServiceOptions {
  store: CertificateRecords;
  cipher: SecretCipher;
  edge: EdgeTls;
  issuer: CertificateIssuer;
  solvers: SolverFactory;
  /** The ACME account to order with (from the settings). */
  account: () => AcmeAccountSettings;
  clock?: Clock;
  /** In [0, 1): the renewal jitter (Math.random by default). */
  random?: () => number;
  /**
   * The ids of the certificates live routes use (CertificatesInUse). Those no live route uses are
   * not renewed, and removed once expired. Absent (or failing): every certificate counts as used.
   */
  inUse?: () => Promise<ReadonlySet<string>>;
}

export interface EdgeSyncReport {
  pushed: string[];
  /** "<id>: why" */
  failures: string[];
}

export class CertificateService {
  readonly #o: CertificateServiceOptions;
  readonly #clock: Clock;
  readonly #ordering: CertificateOrdering;

  constructor(o: CertificateServiceOptions) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.#ordering = new CertificateOrdering({ ...o, clock: this.#clock });
  }

  /**
   * Makes sure the hosts have a valid certificate on the edge; resolves with what is stored.
   * `where` names the route in errors ("shop/production: route.tls").
   */
  async ensure(where: string, hosts: readonly string[], mode: CertificateMode, progress: Progress = () => {}, signal?: AbortSignal): Promise<CertificateView> {
    const wanted = [...new Set(hosts.map((h) => h.toLowerCase()))];
    const id = certificateId(wanted);
    const now = this.#clock.now();
    let stored: StoredCertificate;
    if (mode === 'auto') {
      const wildcards = wanted.filter((h) => h.startsWith('*.'));
      if (wildcards.length > 0 && !this.#o.solvers.dns) {
        throw new ConfigError(
          `${where}: the wildcard ${wildcards.join(', ')} with tls: auto needs a DNS provider for dns-01: set SLIPWAY_DNS_RFC2136_SERVER, _KEY_NAME and _KEY_SECRET (and _ZONE, _KEY_ALGORITHM), or use your own certificate (tls: { certificate_secret, key_secret })`,
        );
      }
      const current = await this.#o.store.getStoredCertificate(id);
      if (current && this.#reusable(current, wanted, now)) {
        progress(`certificate ${id} for ${wanted.join(', ')} is valid until ${current.notAfter}`);
        stored = current;
      } else {
        stored = await this.#ordering.order(id, wanted, progress, signal);
      }
    } else {
      const own = checkOwnCertificate(where, mode, wanted, now);
      const current = await this.#o.store.getStoredCertificate(id);
      if (current?.source === 'secret' && current.chainPem === own.chainPem && this.#o.cipher.open(current.keyCiphertext).reveal() === own.keyPem.reveal()) {
        stored = current;
      } else {
        stored = await this.#o.store.saveCertificate({
          id,
          hosts: wanted,
          chainPem: own.chainPem,
          keyCiphertext: this.#o.cipher.seal(own.keyPem),
          notBefore: own.facts.notBefore.toISOString(),
          notAfter: own.facts.notAfter.toISOString(),
          source: 'secret',
          directoryUrl: null,
          renewAfter: null,
        });
      }
      progress(`own certificate ${id} from secrets ${mode.certificateSecret}/${mode.keySecret}, valid until ${stored.notAfter}`);
    }
    await this.#pushIfMissing(stored, await this.#o.edge.listCertificates(), progress);
    return certificateView(stored, this.#clock.now());
  }

  /**
   * A certificate for one host first seen in a TLS handshake (on-demand TLS; the caller decided it
   * is allowed): the stored one when it still serves, else a new one recorded with origin
   * 'on-demand' (renewed like the others while an on-demand route is live); pushed to the edge.
   */
  async issueOnDemand(host: string, progress: Progress = () => {}, signal?: AbortSignal): Promise<CertificateView> {
    const wanted = [host.toLowerCase()];
    const id = certificateId(wanted);
    const current = await this.#o.store.getStoredCertificate(id);
    const stored = current && this.#reusable(current, wanted, this.#clock.now()) ? current : await this.#ordering.order(id, wanted, progress, signal, 'on-demand');
    await this.#pushIfMissing(stored, await this.#o.edge.listCertificates(), progress);
    return certificateView(stored, this.#clock.now());
  }

  /**
   * Renews every ACME certificate in use whose renewal time has come; one failure never stops the
   * others. A certificate no live route uses is not renewed, and once expired it is removed from
   * the edge and the store.
   */
  async renewDue(): Promise<{ renewed: string[]; failed: string[]; removed: string[] }> {
    const now = this.#clock.now();
    const used = await this.#used();
    const out = { renewed: [] as string[], failed: [] as string[], removed: [] as string[] };
    for (const c of await this.#o.store.listStoredCertificates()) {
      if (used && !used.has(c.id)) {
        if (Date.parse(c.notAfter) <= now.getTime()) {
          await this.#o.edge.removeCertificate(c.id);
          await this.#o.store.deleteStoredCertificate(c.id);
          out.removed.push(c.id);
        }
        continue;
      }
      if (c.source !== 'acme' || c.renewAfter === null || Date.parse(c.renewAfter) > now.getTime()) continue;
      try {
        await this.#renewStored(c, () => {});
        out.renewed.push(c.id);
      } catch {
        out.failed.push(c.id);
      }
    }
    return out;
  }

  async #used(): Promise<ReadonlySet<string> | null> {
    if (!this.#o.inUse) return null;
    try {
      return await this.#o.inUse();
    } catch {
      return null;
    }
  }

  /** Renews one certificate now (by id or by one of its hosts), due or not. */
  async renew(ref: string, progress: Progress = () => {}): Promise<CertificateView> {
    const c = await this.#find(ref);
    if (c.source === 'secret') {
      throw new PreconditionError(`certificate ${c.id} is your own (from secrets), so Slipway cannot renew it: set the renewed certificate and key in the secrets and deploy`);
    }
    return certificateView(await this.#renewStored(c, progress), this.#clock.now());
  }

  async list(): Promise<CertificateView[]> {
    const now = this.#clock.now();
    const used = await this.#used();
    return (await this.#o.store.listStoredCertificates()).map((c) => certificateView(c, now, used));
  }

  async show(ref: string): Promise<CertificateView> {
    return certificateView(await this.#find(ref), this.#clock.now(), await this.#used());
  }

  /**
   * Puts on the edge every stored certificate it does not hold as stored (missing, or another
   * leaf): after an edge restart, a lost snapshot, or a certificate the edge could not read.
   */
  async syncEdge(): Promise<EdgeSyncReport> {
    const report: EdgeSyncReport = { pushed: [], failures: [] };
    const onEdge = await this.#o.edge.listCertificates();
    for (const c of await this.#o.store.listStoredCertificates()) {
      try {
        if (await this.#pushIfMissing(c, onEdge, () => {})) report.pushed.push(c.id);
      } catch (err) {
        report.failures.push(`${c.id}: ${errorMessage(err)}`);
      }
    }
    return report;
  }

  /**
   * A stored certificate serves a deploy while it covers the hosts, comes from the configured CA
   * and has more than an hour left: renewing it is the renewer's job, so a CA that refuses a
   * renewal (or is down) never blocks a deploy that a valid certificate can serve.
   */
  #reusable(c: StoredCertificate, hosts: readonly string[], now: Date): boolean {
    if (c.source !== 'acme' || c.directoryUrl !== this.#o.account().directoryUrl) return false;
    if (uncoveredHosts(c.hosts, hosts).length > 0) return false;
    return Date.parse(c.notAfter) - now.getTime() > MIN_REMAINING_MS;
  }

  async #find(ref: string): Promise<StoredCertificate> {
    const byId = await this.#o.store.getStoredCertificate(ref);
    if (byId) return byId;
    const host = ref.toLowerCase();
    const all = await this.#o.store.listStoredCertificates();
    const found = all.find((c) => c.hosts.includes(host)) ?? all.find((c) => uncoveredHosts(c.hosts, [host]).length === 0);
    if (!found) throw new NotFoundError('certificate', ref);
    return found;
  }

  async #renewStored(c: StoredCertificate, progress: Progress): Promise<StoredCertificate> {
    try {
      const renewed = await this.#ordering.order(c.id, c.hosts, progress);
      await this.#push(renewed, progress);
      return renewed;
    } catch (err) {
      const now = this.#clock.now();
      const retry = retryTime(now, c.failures + 1, new Date(c.notAfter));
      await this.#o.store.recordCertificateFailure(c.id, errorMessage(err), retry.toISOString());
      throw err;
    }
  }

  /** Pushes unless the edge holds this very leaf already; true when pushed. */
  async #pushIfMissing(c: StoredCertificate, onEdge: readonly EdgeCertificateState[], progress: Progress): Promise<boolean> {
    const fingerprint = inspectCertificate(c.chainPem).fingerprint;
    if (onEdge.some((e) => e.id === c.id && e.fingerprint === fingerprint)) return false;
    await this.#push(c, progress);
    return true;
  }

  async #push(c: StoredCertificate, progress: Progress): Promise<void> {
    await this.#o.edge.putCertificate({ id: c.id, hosts: c.hosts, certificatePem: c.chainPem, keyPem: this.#o.cipher.open(c.keyCiphertext) });
    progress(`certificate ${c.id} is on the edge`);
  }
}
