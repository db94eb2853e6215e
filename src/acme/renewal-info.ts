// ACME Renewal Information (RFC 9773): when the CA's directory offers `renewalInfo`, a plain GET of
// `<renewalInfo>/<certID>` answers the window in which the CA suggests renewing. The certID is
// base64url(the leaf's Authority Key Identifier) "." base64url(its serial number's DER bytes).
// (Pebble 2.4.0, the Debian package, offers no renewalInfo; acme-client 5.4 does not ask for it.)
import type { X509Certificate } from 'node:crypto';
import { getJson, type AcmeDirectory } from './acme-directory.js';

export interface RenewalWindow {
  start: Date;
  end: Date;
}

/** The CA's suggested renewal window for `leaf`, or undefined when its directory offers no ARI. */
export async function fetchRenewalInfo(
  directory: AcmeDirectory,
  leaf: X509Certificate,
  caPem: string | undefined,
  signal?: AbortSignal,
): Promise<RenewalWindow | undefined> {
  if (directory.renewalInfo === undefined) return undefined;
  const info = (await getJson(`${directory.renewalInfo.replace(/\/$/, '')}/${certificateId(leaf)}`, caPem, signal)) as {
    suggestedWindow?: { start?: unknown; end?: unknown };
  };
  const start = new Date(String(info.suggestedWindow?.start));
  const end = new Date(String(info.suggestedWindow?.end));
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end < start) {
    throw new Error('the renewalInfo answer has no valid suggestedWindow');
  }
  return { start, end };
}

/** RFC 9773 section 4.1: base64url(keyIdentifier of the AKI) "." base64url(serial DER value). */
export function certificateId(leaf: X509Certificate): string {
  const keyId = authorityKeyIdentifier(leaf.raw);
  if (!keyId) throw new Error('the certificate has no Authority Key Identifier');
  let hex = leaf.serialNumber.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let serial = Buffer.from(hex, 'hex');
  if ((serial[0] ?? 0) >= 0x80) serial = Buffer.concat([Buffer.from([0]), serial]);
  return `${keyId.toString('base64url')}.${serial.toString('base64url')}`;
}

interface Tlv {
  tag: number;
  value: Buffer;
  end: number;
}

function readTlv(der: Buffer, at: number): Tlv {
  const tag = der[at];
  let len = der[at + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated DER');
  let offset = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[offset + i] ?? 0);
    offset += n;
  }
  if (offset + len > der.length) throw new Error('truncated DER');
  return { tag, value: der.subarray(offset, offset + len), end: offset + len };
}

const AKI_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x23]); // 2.5.29.35

/** The keyIdentifier ([0]) of the authorityKeyIdentifier extension, found in the certificate's DER. */
function authorityKeyIdentifier(der: Buffer): Buffer | null {
  const at = der.indexOf(AKI_OID);
  if (at < 0) return null;
  let next = readTlv(der, at);
  let tlv = readTlv(der, next.end);
  if (tlv.tag === 0x01) tlv = readTlv(der, tlv.end); // critical flag
  if (tlv.tag !== 0x04) return null;
  const seq = readTlv(tlv.value, 0);
  if (seq.tag !== 0x30) return null;
  next = readTlv(seq.value, 0);
  return next.tag === 0x80 ? Buffer.from(next.value) : null;
}
