// Parsing slipway.yml where it cannot stall the caller (the control plane uses a worker thread:
// spec-parser/worker-spec-parser.ts). Errors are the same ConfigErrors parseAppSpec throws.
import type { AppSpec } from '../app-spec.js';

export interface SpecParser {
  parse(text: string, where: string): Promise<AppSpec>;
}
