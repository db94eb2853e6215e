// Validation of the TLS bodies the admin API accepts (zod): a certificate put, a challenge put.
// Shape only; certificate-material.ts then checks that the PEMs parse and belong together.
import { z } from 'zod';

/** Certificate ids: [a-z0-9._-], at most 200, starting with a letter or digit (they name files). */
export const certificateIdSchema = z
  .string()
  .max(200)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected an id like "shop.example" (lower-case letters, digits, ".", "_", "-")');

const LABEL = '[a-z0-9]([a-z0-9-]*[a-z0-9])?';
const HOST = new RegExp(`^${LABEL}(\\.${LABEL})+$|^${LABEL}$`);
const WILDCARD = new RegExp(`^\\*(\\.${LABEL}){2,}$`);

export const tlsHostSchema = z
  .string()
  .max(253)
  .transform((h) => h.toLowerCase())
  .pipe(z.string().refine((h) => HOST.test(h) || WILDCARD.test(h), 'expected a host name like "shop.example" or a one-level wildcard like "*.example.com"'));

const PEM_MAX = 64 * 1024;

export const certificateBodySchema = z.strictObject({
  hosts: z.array(tlsHostSchema).min(1, 'expected at least one host').max(100),
  certificatePem: z.string().min(1).max(PEM_MAX),
  keyPem: z.string().min(1, 'expected the PEM private key of the leaf').max(PEM_MAX),
});

export type CertificateBody = z.output<typeof certificateBodySchema>;

const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export const challengeBodySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('http-01'),
    token: z.string().regex(TOKEN, 'expected an ACME token (base64url: letters, digits, "-", "_")'),
    keyAuthorization: z.string().regex(/^[A-Za-z0-9_-]{1,256}\.[A-Za-z0-9_-]{1,256}$/, 'expected "<token>.<account key thumbprint>"'),
  }),
  z.strictObject({
    type: z.literal('tls-alpn-01'),
    host: z
      .string()
      .max(253)
      .transform((h) => h.toLowerCase())
      .pipe(z.string().regex(HOST, 'expected a host name like "shop.example" (no wildcard: TLS-ALPN-01 cannot validate one)')),
    certificatePem: z.string().min(1).max(PEM_MAX),
    keyPem: z.string().min(1).max(PEM_MAX),
  }),
]);

export type ChallengeBody = z.output<typeof challengeBodySchema>;

export const challengeTypeSchema = z.enum(['http-01', 'tls-alpn-01']);

/** `POST /tls/refused`: the control plane refused an on-demand certificate for `host`. */
export const refusedBodySchema = z.strictObject({
  host: z
    .string()
    .max(253)
    .transform((h) => h.toLowerCase())
    .pipe(z.string().regex(HOST, 'expected a host name like "shop.example"')),
  seconds: z.number().int().min(1).max(86_400).optional(),
});
