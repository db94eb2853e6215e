// RFC 8555 problem documents (section 6.7) as the CA sends them, and their wording in our errors:
// type, detail, and the subproblem of each failing identifier. Nothing here holds a key.

export interface AcmeProblem {
  type?: string;
  detail?: string;
  status?: number;
  identifier?: { type?: string; value?: string };
  subproblems?: AcmeProblem[];
}

/** The problem document in a parsed response body, if the body is one. */
export function asProblem(value: unknown): AcmeProblem | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.type !== 'string' && typeof v.detail !== 'string') return null;
  return v as AcmeProblem;
}

/** "urn:ietf:params:acme:error:unauthorized: detail (a.example: urn:...:dns: detail; ...)". */
export function describeProblem(problem: AcmeProblem): string {
  const head = [problem.type, oneLine(problem.detail)].filter((s) => s).join(': ') || 'no problem detail given';
  const subs = (problem.subproblems ?? []).map((sub) => {
    const who = sub.identifier?.value ? `${sub.identifier.value}: ` : '';
    return who + ([sub.type, oneLine(sub.detail)].filter((s) => s).join(': ') || 'no detail');
  });
  return subs.length > 0 ? `${head} (${subs.join('; ')})` : head;
}

function oneLine(text: string | undefined): string | undefined {
  return text?.replace(/\s+/g, ' ').trim().slice(0, 1000);
}
