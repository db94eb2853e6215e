// CertificateIssuer on an RFC 8555 CA through the acme-client package: one account per directory
// URL (created on first use, its key sealed by the secret box and kept in the store), an order for
// all the request's names at once, each name's challenge answered by the first given solver whose
// type the CA offers for it (wildcards: dns-01 only), every answer taken down again whatever
// happens, and a fresh key per certificate. A refusal becomes a CertificateIssueError carrying the
// CA's problem detail; ACME Renewal Information fills `suggestedRenewal` when the CA offers it.
import { X509Certificate } from 'node:crypto';
import acme from 'acme-client';
import { CertificateIssueError, InvalidInputError, SlipwayError, UnavailableError, errorMessage } from '../core/errors.js';
import type {
  AcmeAccountSettings,
  CertificateIssuer,
  ChallengeSolver,
  IssueRequest,
  IssuedCertificate,
} from '../core/ports/certificate-issuer.js';
import type { SecretCipher } from '../core/ports/secret-cipher.js';
import type { AcmeAccounts } from '../core/ports/store/acme-accounts.js';
import { Sensitive } from '../core/sensitive.js';
import { readDirectory } from './acme-directory.js';
import { describeProblem, type AcmeProblem } from './acme-problem.js';
import { agentTrusting, inAcmeScope, type AcmeRequestScope } from './acme-request-scope.js';
import { hostsProblem } from './certificate-hosts.js';
import { fetchRenewalInfo } from './renewal-info.js';

const ACCOUNT_GONE = 'urn:ietf:params:acme:error:accountDoesNotExist';

export type CertificateKeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048';

export interface AcmeIssuerOptions {
  accounts: AcmeAccounts;
  cipher: SecretCipher;
  /** Key of each certificate (default ECDSA P-256). */
  keyType?: CertificateKeyType;
  /** PEM of a CA the ACME server's own HTTPS certificate chains to (a private CA; Pebble in tests). */
  directoryCaPem?: string;
  /** How the status of a challenge or order is polled (acme-client's backoff; default 10 attempts from 5 s up to 30 s). */
  polling?: { attempts: number; minMs: number; maxMs: number };
}

interface AccountClient {
  client: acme.Client;
}

interface Answer {
  host: string;
  solver: ChallengeSolver;
  challenge: { url: string; type: string; token: string };
  authz: acme.Authorization;
  keyAuthorization: string;
}

export class AcmeIssuer implements CertificateIssuer {
  readonly #accounts: AcmeAccounts;
  readonly #cipher: SecretCipher;
  readonly #keyType: CertificateKeyType;
  readonly #caPem: string | undefined;
  readonly #agent: ReturnType<typeof agentTrusting>;
  readonly #backoff: { backoffAttempts?: number; backoffMin?: number; backoffMax?: number };
  /** Account set-up in flight per directory URL, so concurrent issuances register once. */
  readonly #opening = new Map<string, Promise<AccountClient>>();

  constructor(opts: AcmeIssuerOptions) {
    this.#accounts = opts.accounts;
    this.#cipher = opts.cipher;
    this.#keyType = opts.keyType ?? 'ecdsa-p256';
    this.#caPem = opts.directoryCaPem;
    this.#agent = agentTrusting(opts.directoryCaPem);
    this.#backoff = opts.polling ? { backoffAttempts: opts.polling.attempts, backoffMin: opts.polling.minMs, backoffMax: opts.polling.maxMs } : {};
  }

  async issue(account: AcmeAccountSettings, request: IssueRequest): Promise<IssuedCertificate> {
    const hosts = request.hosts.map((h) => h.trim().toLowerCase());
    checkRequest(account, hosts, request.solvers);
    const scope: AcmeRequestScope = { agent: this.#agent, problems: [] };
    const progress = request.progress ?? (() => undefined);
    const signal = request.signal;
    signal?.throwIfAborted();
    return inAcmeScope(scope, async () => {
      try {
        const directory = await readDirectory(account.directoryUrl, this.#caPem, signal);
        let { client } = await abortable(this.#client(account), signal);
        progress(`ordering a certificate for ${hosts.join(', ')} from ${account.directoryUrl}`);
        const newOrder = (c: acme.Client) => abortable(c.createOrder({ identifiers: hosts.map((value) => ({ type: 'dns', value })) }), signal);
        let order: acme.Order;
        try {
          order = await newOrder(client);
        } catch (err) {
          if (scope.problems.at(-1)?.type !== ACCOUNT_GONE) throw err;
          // The CA forgot the account (deactivated, or a test CA restarted): register a new one.
          progress(`the CA no longer knows the stored account ${client.getAccountUrl()}: registering a new one`);
          scope.problems.length = 0;
          client = (await abortable(this.#register(account, client.getAccountUrl()), signal)).client;
          order = await newOrder(client);
        }
        const authorizations = await abortable(client.getAuthorizations(order), signal);
        await this.#authorize(client, order, authorizations, request.solvers, progress, signal, account.directoryUrl);
        const { keyPem, csr } = await newKeyAndCsr(this.#keyType, hosts);
        const finalized = await abortable(client.finalizeOrder(order, csr), signal);
        const certificatePem = await abortable(client.getCertificate(finalized), signal);
        const leaf = new X509Certificate(certificatePem);
        const issued: IssuedCertificate = {
          certificatePem,
          keyPem,
          notBefore: new Date(leaf.validFrom),
          notAfter: new Date(leaf.validTo),
        };
        progress(`certificate issued, valid until ${issued.notAfter.toISOString()}`);
        const renewal = await fetchRenewalInfo(directory, leaf, this.#caPem, signal).catch((err: unknown) => {
          progress(`no renewal information from the CA: ${errorMessage(err)}`);
          return undefined;
        });
        if (renewal) issued.suggestedRenewal = renewal;
        return issued;
      } catch (err) {
        throw asIssueError(err, hosts, account.directoryUrl, scope.problems, signal);
      }
    });
  }

  /** Answers each pending authorization, waits for all, and takes every answer down again. */
  async #authorize(
    client: acme.Client,
    order: acme.Order,
    authorizations: acme.Authorization[],
    solvers: ChallengeSolver[],
    progress: (line: string) => void,
    signal: AbortSignal | undefined,
    directoryUrl: string,
  ): Promise<void> {
    const answers: Answer[] = [];
    try {
      for (const authz of authorizations) {
        if (authz.status === 'valid') continue;
        const host = authz.identifier.value;
        const picked = pickChallenge(authz, solvers);
        // The RFC 8555 key authorization (token "." account key thumbprint), whatever the type:
        // solvers derive their own answer from it (dns-01 digests it).
        const keyAuthorization = await client.getChallengeKeyAuthorization({ ...picked.challenge, type: 'http-01' } as never);
        const answer: Answer = { host, solver: picked.solver, challenge: picked.challenge, authz, keyAuthorization };
        progress(`answering ${picked.solver.type} for ${shown(authz)}`);
        answers.push(answer);
        await abortable(picked.solver.present(host, picked.challenge.token, keyAuthorization), signal);
      }
      const results = await Promise.allSettled(
        answers.map(async (a) => {
          await abortable(client.completeChallenge(a.challenge as never), signal);
          await abortable(client.waitForValidStatus(a.authz), signal);
          progress(`validated ${shown(a.authz)}`);
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        signal?.throwIfAborted();
        const detail = await validationProblems(client, order).catch(() => null);
        if (detail) throw new CertificateIssueError(`the CA at ${directoryUrl} did not validate ${detail}`);
        throw failed.reason;
      }
    } finally {
      for (const a of answers.reverse()) {
        await a.solver.cleanUp(a.host, a.challenge.token, a.keyAuthorization).catch((err: unknown) => {
          progress(`could not take down the ${a.solver.type} answer for ${shown(a.authz)}: ${errorMessage(err)}`);
        });
      }
    }
  }

  #client(account: AcmeAccountSettings): Promise<AccountClient> {
    const url = account.directoryUrl;
    let opening = this.#opening.get(url);
    if (!opening) {
      opening = this.#openAccount(account).finally(() => this.#opening.delete(url));
      this.#opening.set(url, opening);
    }
    return opening;
  }

  async #openAccount(settings: AcmeAccountSettings): Promise<AccountClient> {
    const stored = await this.#accounts.getAcmeAccount(settings.directoryUrl);
    if (stored) {
      const accountKey = this.#cipher.open(stored.sealedKey).reveal();
      return { client: new acme.Client({ directoryUrl: stored.directoryUrl, accountKey, accountUrl: stored.accountUrl, ...this.#backoff }) };
    }
    return this.#register(settings);
  }

  /** Registers a new account and stores it (replacing `replacing`, the account the CA forgot). */
  async #register(settings: AcmeAccountSettings, replacing?: string): Promise<AccountClient> {
    const accountKey = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString('utf8');
    const client = new acme.Client({
      directoryUrl: settings.directoryUrl,
      accountKey,
      ...this.#backoff,
      ...(settings.eab ? { externalAccountBinding: { kid: settings.eab.kid, hmacKey: settings.eab.hmacKey.reveal() } } : {}),
    });
    await client.createAccount({
      termsOfServiceAgreed: true,
      ...(settings.email ? { contact: [`mailto:${settings.email}`] } : {}),
    });
    const record = {
      directoryUrl: settings.directoryUrl,
      accountUrl: client.getAccountUrl(),
      sealedKey: this.#cipher.seal(new Sensitive(accountKey)),
      email: settings.email ?? null,
    };
    const kept = replacing === undefined ? await this.#accounts.keepAcmeAccount(record) : await this.#accounts.replaceAcmeAccount(replacing, record);
    if (kept.accountUrl === client.getAccountUrl()) return { client };
    // Another control plane registered first: use the stored account.
    const keptKey = this.#cipher.open(kept.sealedKey).reveal();
    return { client: new acme.Client({ directoryUrl: kept.directoryUrl, accountKey: keptKey, accountUrl: kept.accountUrl, ...this.#backoff }) };
  }
}

function checkRequest(account: AcmeAccountSettings, hosts: string[], solvers: ChallengeSolver[]): void {
  let url: URL;
  try {
    url = new URL(account.directoryUrl);
  } catch {
    throw new InvalidInputError(`directoryUrl ${JSON.stringify(account.directoryUrl)} is not a URL: give the CA's RFC 8555 directory URL (https://...)`);
  }
  if (url.protocol !== 'https:') {
    throw new InvalidInputError(`directoryUrl must be an https:// URL (RFC 8555 requires HTTPS), not ${url.protocol}`);
  }
  if (account.eab && (!account.eab.kid || !/^[A-Za-z0-9_=+/-]+$/.test(account.eab.hmacKey.reveal()))) {
    throw new InvalidInputError('eab needs a kid and an hmacKey in base64url, as the CA gave them');
  }
  const problem = hostsProblem(hosts);
  if (problem) throw new InvalidInputError(`hosts: ${problem}`);
  if (solvers.length === 0) throw new InvalidInputError('solvers: give at least one challenge solver (http-01, tls-alpn-01 or dns-01)');
  const wildcards = hosts.filter((h) => h.startsWith('*.'));
  if (wildcards.length > 0 && !solvers.some((s) => s.type === 'dns-01')) {
    throw new InvalidInputError(`hosts: ${wildcards.join(', ')} can only be validated by dns-01: add a dns-01 solver (a DNS provider)`);
  }
}

function pickChallenge(authz: acme.Authorization, solvers: ChallengeSolver[]): { solver: ChallengeSolver; challenge: Answer['challenge'] } {
  const offered = authz.challenges.map((c) => c.type);
  for (const solver of solvers) {
    if (authz.wildcard && solver.type !== 'dns-01') continue;
    const challenge = authz.challenges.find((c) => c.type === solver.type);
    if (challenge) return { solver, challenge };
  }
  throw new CertificateIssueError(
    `no solver can answer for ${shown(authz)}: the CA offers ${offered.join(', ') || 'no challenge'}, the solvers given answer ${solvers.map((s) => s.type).join(', ')}`,
  );
}

function shown(authz: acme.Authorization): string {
  return authz.wildcard ? `*.${authz.identifier.value}` : authz.identifier.value;
}

/** The failing identifiers of an order, each with its challenge's problem, re-read from the CA. */
async function validationProblems(client: acme.Client, order: acme.Order): Promise<string | null> {
  const authorizations = await client.getAuthorizations(order);
  const lines: string[] = [];
  for (const authz of authorizations) {
    if (authz.status === 'valid') continue;
    const failed = authz.challenges.find((c) => c.error);
    if (failed?.error) lines.push(`${shown(authz)} (${failed.type}): ${describeProblem(failed.error as AcmeProblem)}`);
    else if (authz.status !== 'pending') lines.push(`${shown(authz)}: authorization ${authz.status}`);
  }
  return lines.length > 0 ? lines.join('; ') : null;
}

async function newKeyAndCsr(keyType: CertificateKeyType, hosts: string[]): Promise<{ keyPem: Sensitive; csr: Buffer }> {
  const key =
    keyType === 'rsa-2048'
      ? await acme.crypto.createPrivateRsaKey(2048)
      : await acme.crypto.createPrivateEcdsaKey(keyType === 'ecdsa-p384' ? 'P-384' : 'P-256');
  const first = hosts[0] ?? '';
  const [, csr] = await acme.crypto.createCsr({ altNames: hosts, ...(first.length <= 64 ? { commonName: first } : {}) }, key);
  return { keyPem: new Sensitive(key.toString('utf8')), csr };
}

/** Rejects as soon as `signal` aborts (the work itself goes on, its result is dropped). */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function asIssueError(err: unknown, hosts: string[], directoryUrl: string, problems: AcmeProblem[], signal: AbortSignal | undefined): unknown {
  if (signal?.aborted && err === signal.reason) return err;
  if (err instanceof SlipwayError) return err;
  const problem = problems.at(-1);
  const names = hosts.join(', ');
  if (problem) {
    return new CertificateIssueError(`the CA at ${directoryUrl} refused the certificate for ${names}: ${describeProblem(problem)}`, {
      problemType: problem.type,
    });
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(code)) {
    return new UnavailableError(`the CA at ${directoryUrl} cannot be reached (${code}): ${errorMessage(err)}`);
  }
  return new CertificateIssueError(`the CA at ${directoryUrl} did not issue the certificate for ${names}: ${errorMessage(err)}`);
}
