// The strict check an SNI name passes before anyone is asked for a certificate for it: by the
// edge, and again by the control plane, which trusts no line it reads. The name comes from an
// unauthenticated ClientHello, so it is hostile input. Only a lower-case DNS name of at least two
// labels, each 1-63 letters, digits or inner hyphens, 253 bytes at most, and no IP literal (a
// certificate for an address is not something a custom domain needs).

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NAME = 253;

/** The name lower-cased when it may be certified on demand, else undefined. */
export function onDemandName(servername: string): string | undefined {
  if (servername.length === 0 || servername.length > MAX_NAME) return undefined;
  const name = servername.toLowerCase();
  const labels = name.split('.');
  if (labels.length < 2) return undefined;
  for (const label of labels) if (!LABEL.test(label)) return undefined;
  // An all-digit top label is an IPv4 literal (or a numeric TLD, which no registry hands out).
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return undefined;
  return name;
}
