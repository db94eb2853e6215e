// The server's structured log. Every line passes through a redaction hook first.
import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Replaces secret values in the serialized line before it is written. */
  redact?: (line: string) => string;
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const redact = opts.redact;
  return pino(
    {
      level: opts.level,
      base: undefined,
      ...(redact ? { hooks: { streamWrite: (s: string) => redact(s) } } : {}),
    },
    (opts.destination ?? process.stdout) as pino.DestinationStream,
  );
}
