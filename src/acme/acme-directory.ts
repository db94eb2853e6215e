// Reads a CA's RFC 8555 directory once, with one attempt and a timeout, so an issuance against a
// CA that cannot be reached (down, wrong URL, a certificate we do not trust) fails at once with
// why, instead of after acme-client's retries; the directory also says whether the CA offers
// ACME Renewal Information. undici is loaded on first use (ARCHITECTURE: heavy dependencies lazily).
import { UnavailableError } from '../core/errors.js';

export interface AcmeDirectory {
  newOrder: string;
  renewalInfo?: string;
}

export async function readDirectory(url: string, caPem: string | undefined, signal?: AbortSignal): Promise<AcmeDirectory> {
  const body = await getJson(url, caPem, signal).catch((err: unknown) => {
    throw new UnavailableError(`the CA at ${url} cannot be reached: ${reason(err)}`);
  });
  const d = body as Partial<Record<string, unknown>>;
  if (typeof d.newOrder !== 'string') {
    throw new UnavailableError(`${url} is not an ACME directory (no newOrder): check directoryUrl`);
  }
  return { newOrder: d.newOrder, ...(typeof d.renewalInfo === 'string' ? { renewalInfo: d.renewalInfo } : {}) };
}

/** GET a JSON document over HTTPS, trusting only `caPem` when given (undefined: the system roots). */
export async function getJson(url: string, caPem: string | undefined, signal?: AbortSignal): Promise<unknown> {
  const { Agent, request } = await import('undici');
  const dispatcher = new Agent({ connect: { timeout: 10_000, ...(caPem === undefined ? {} : { ca: caPem }) }, headersTimeout: 10_000, bodyTimeout: 10_000 });
  try {
    const res = await request(url, { method: 'GET', dispatcher, ...(signal ? { signal } : {}) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}`);
    return JSON.parse(text) as unknown;
  } finally {
    await dispatcher.close();
  }
}

function reason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  const code = e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? String(err);
  return typeof code === 'string' ? `${code}: ${String(message)}` : String(message);
}
