// The body of every error answer of the HTTP API (statuses: ../error-status.ts). A stream whose
// headers are already sent ends with this body plus its `status` as its last NDJSON line.
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}
