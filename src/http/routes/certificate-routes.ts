// TLS certificates: list, show (by id or host), renew now. Views only: never a key.
import type { AuditTrail } from '../../services/audit-trail.js';
import type { CertificateService } from '../../services/certificate-service.js';
import { route } from '../route-table.js';

export function certificateRoutes(certs: Pick<CertificateService, 'list' | 'show' | 'renew'>, audit: AuditTrail) {
  return [
    route({
      method: 'GET',
      url: '/api/certificates',
      tag: 'certificates',
      summary: 'Certificates the edge serves: hosts, validity, renewal state (never keys)',
      handler: async () => ({ certificates: await certs.list() }),
    }),
    route({
      method: 'GET',
      url: '/api/certificates/:ref',
      tag: 'certificates',
      summary: 'One certificate, by id or by a host it covers',
      handler: async ({ params }) => ({ certificate: await certs.show(params['ref'] ?? '') }),
    }),
    route({
      method: 'POST',
      url: '/api/certificates/:ref/renew',
      tag: 'certificates',
      summary: 'Renew a certificate from the ACME CA now, due or not',
      handler: async ({ params, actor }) => {
        const ref = params['ref'] ?? '';
        return { certificate: await audit.record(actor, 'certificate.renew', ref, {}, () => certs.renew(ref)) };
      },
    }),
  ];
}
