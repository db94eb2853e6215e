// What the deploy engine needs for a route with TLS (the CertificateService implements it): its
// hosts get a valid certificate on the edge, or the call rejects with why (the CA's problem detail,
// an own certificate that does not fit).
import type { Sensitive } from '../core/sensitive.js';

export type RouteCertificateMode =
  | 'auto'
  | { certificateSecret: string; keySecret: string; secrets: Readonly<Record<string, Sensitive>> };

export interface RouteCertificates {
  ensure(where: string, hosts: readonly string[], mode: RouteCertificateMode, progress: (line: string) => void, signal?: AbortSignal): Promise<unknown>;
}
