// The worker thread that parses slipway.yml for the control plane (see worker-spec-parser.ts):
// one message in ({ id, text, where }), one answer out: the validated spec or the error's fields.
import { parentPort } from 'node:worker_threads';
import { parseAppSpec } from '../core/config-file.js';
import { SlipwayError } from '../core/errors.js';

export interface ParseRequest {
  id: number;
  text: string;
  where: string;
}

export type ParseAnswer =
  | { id: number; ok: true; spec: unknown }
  | { id: number; ok: false; error: { code: SlipwayError['code']; message: string; details: Record<string, unknown> } };

parentPort?.on('message', (req: ParseRequest) => {
  let answer: ParseAnswer;
  try {
    answer = { id: req.id, ok: true, spec: parseAppSpec(req.text, req.where) };
  } catch (err) {
    answer =
      err instanceof SlipwayError
        ? { id: req.id, ok: false, error: { code: err.code, message: err.message, details: err.details } }
        : { id: req.id, ok: false, error: { code: 'invalid_config', message: `${req.where}: could not be parsed: ${err instanceof Error ? err.message : String(err)}`, details: {} } };
  }
  parentPort?.postMessage(answer);
});
