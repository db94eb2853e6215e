// The admin API's TLS endpoints (the EdgeTls port): certificates (list, put, remove) and ACME
// challenge answers (put, remove). Bodies are checked with tls/certificate-schema.ts, then the PEMs
// with tls/certificate-material.ts; errors name the field. No answer ever carries a key.
//   GET    /certificates                    → {certificates: EdgeCertificateState[]}
//   PUT    /certificates/:id                {hosts, certificatePem, keyPem} → EdgeCertificateState
//   DELETE /certificates/:id                → 204
//   PUT    /challenges                      EdgeChallenge → 204
//   DELETE /challenges/:type/:key           → 204 (key: token or host)
//   POST   /tls/refused                     {host, seconds?} → 204: on-demand TLS refused for host
//   GET    /tls/wanted                      NDJSON stream of wanted hosts (wanted-stream.ts, in admin-api.ts)
import { InvalidInputError } from '../../core/errors.js';
import { parseInput } from '../routing/route-schema.js';
import { loadCertificate } from '../tls/certificate-material.js';
import { certificateBodySchema, certificateIdSchema, challengeBodySchema, challengeTypeSchema, refusedBodySchema } from '../tls/certificate-schema.js';
import type { CertificateStore } from '../tls/certificate-store.js';
import type { ChallengeAnswers } from '../tls/challenge-answers.js';
import type { OnDemandCertificates } from '../tls/on-demand-certificates.js';

export interface TlsAdminDeps {
  certificates: CertificateStore;
  challenges: ChallengeAnswers;
  onDemand?: OnDemandCertificates;
}

/** [status, payload] for a TLS endpoint, or null when the path is not one of them. */
export type TlsAdminAction = () => Promise<[number, unknown]>;

export function tlsAdminAction(deps: TlsAdminDeps, method: string, path: string, readBody: () => Promise<unknown>): TlsAdminAction | null {
  const parts = path.split('/');
  if (parts[1] === 'certificates') {
    if (parts.length === 2 && method === 'GET') return async () => [200, { certificates: deps.certificates.set.list() }];
    if (parts.length !== 3) return null;
    const id = () => parseInput(certificateIdSchema, decode(parts[2] ?? '', 'id'), 'id');
    if (method === 'PUT') {
      return async () => {
        const state = await deps.certificates.put(id(), parseInput(certificateBodySchema, await readBody(), 'certificate'));
        deps.onDemand?.certificatesChanged(); // handshakes waiting for one of its hosts complete now
        return [200, state];
      };
    }
    if (method === 'DELETE') return async () => [204, await deps.certificates.remove(id())];
    return null;
  }
  if (path === '/tls/refused' && method === 'POST') {
    return async () => {
      const body = parseInput(refusedBodySchema, await readBody(), 'body');
      deps.onDemand?.refuse(body.host, (body.seconds ?? 60) * 1000);
      return [204, undefined];
    };
  }
  if (parts[1] === 'challenges') {
    if (parts.length === 2 && method === 'PUT') {
      return async () => {
        const body = parseInput(challengeBodySchema, await readBody(), 'challenge');
        if (body.type === 'http-01') {
          deps.challenges.putHttp01(body.token, body.keyAuthorization);
        } else {
          const loaded = loadCertificate('challenge', body.host, null, body.certificatePem, body.keyPem);
          deps.challenges.putTlsAlpn01(body.host, loaded.context);
        }
        return [204, undefined];
      };
    }
    if (parts.length === 4 && method === 'DELETE') {
      return async () => {
        const type = parseInput(challengeTypeSchema, parts[2], 'type');
        deps.challenges.remove(type, decode(parts[3] ?? '', 'key'));
        return [204, undefined];
      };
    }
  }
  return null;
}

function decode(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new InvalidInputError(`${field}: ${JSON.stringify(raw)} is not valid URL encoding; encode it with encodeURIComponent`);
  }
}
