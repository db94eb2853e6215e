// `slipway logs APP ENV [SERVICE]`: the live release's output from its runtime, every line passed
// through the redactor (an app that prints a secret value must not leak it through Slipway).
import { PreconditionError } from '../core/errors.js';
import type { DriverKind } from '../core/model.js';
import type { RuntimeDriver, RuntimeLogLine, RuntimeLogQuery } from '../core/ports/runtime-driver.js';
import type { Releases } from '../core/ports/store/releases.js';
import type { AppService } from './app-service.js';

export class LogService {
  constructor(
    private readonly store: Releases,
    private readonly apps: AppService,
    private readonly driver: (kind: DriverKind) => RuntimeDriver,
    private readonly redact: (text: string) => string,
  ) {}

  /** Checks everything that can be checked before the first line, then returns the lines. */
  async open(input: { app: string; env: string }, query: RuntimeLogQuery): Promise<AsyncIterable<RuntimeLogLine>> {
    const app = await this.apps.require(input.app);
    const env = await this.apps.environment(app, input.env);
    const driver = this.driver(app.driver);
    if (!driver.streamLogs) throw new PreconditionError(`the ${driver.kind} driver cannot show logs`);
    const live = await this.store.liveRelease(env.id);
    const lines = driver.streamLogs(app, env, live, query);
    const redact = this.redact;
    return (async function* () {
      for await (const line of lines) yield { ...line, text: redact(line.text) };
    })();
  }
}
