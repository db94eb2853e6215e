// Writes a deployment's log: redacted, persisted in order, and pushed live to followers.
import type { LogLine, LogStream } from '../core/model.js';
import type { DeployLog } from '../core/ports/runtime-driver.js';
import type { DeploymentLog } from '../core/ports/store/deployment-log.js';

export type LogListener = (line: LogLine) => void;

export class DeploymentLogWriter {
  #chain: Promise<unknown> = Promise.resolve();
  #step: string | null = null;

  constructor(
    private readonly store: Pick<DeploymentLog, 'appendLog'>,
    private readonly deploymentId: string,
    private readonly redact: (text: string) => string,
    private readonly emit: LogListener,
    private readonly onWriteError: (err: unknown) => void,
  ) {}

  /** Redacts text that is stored elsewhere (step errors, the deployment's error). */
  clean(text: string): string {
    return this.redact(text);
  }

  set step(name: string | null) {
    this.#step = name;
  }

  write(stream: LogStream, text: string): void {
    const clean = this.redact(text);
    const step = this.#step;
    this.#chain = this.#chain
      .then(() => this.store.appendLog(this.deploymentId, stream, step, clean))
      .then(this.emit, this.onWriteError);
  }

  /** Resolves once every line written so far is persisted. */
  flush(): Promise<void> {
    return this.#chain.then(() => undefined);
  }

  /** The narrow interface handed to steps and drivers. */
  forSteps(): DeployLog {
    return {
      info: (text) => this.write('info', text),
      error: (text) => this.write('error', text),
      output: (stream, text) => this.write(stream, text),
    };
  }
}
