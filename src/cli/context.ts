// What every command gets: its output streams, the settings, and a lazily connected client.
import type { Readable, Writable } from 'node:stream';
import type { Settings } from '../platform/env.js';
import { ApiClient } from './api-client.js';
import { discoverConnection } from './connection.js';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
}

export class CliContext {
  /** The process's exit status once the command has run. */
  exitCode = 0;
  #settings: Promise<Settings> | undefined;
  #client: Promise<ApiClient> | undefined;

  constructor(
    readonly io: CliIo,
    private readonly loadSettings: () => Promise<Settings>,
    readonly now: () => Date = () => new Date(),
  ) {}

  /** Read on first use: commands that need no server (config, help) never pay for it. */
  settings(): Promise<Settings> {
    this.#settings ??= this.loadSettings();
    return this.#settings;
  }

  client(): Promise<ApiClient> {
    this.#client ??= this.settings()
      .then(discoverConnection)
      .then((c) => new ApiClient(c.url, c.token));
    return this.#client;
  }

  /** Forgets the connection and finds the server again (after it restarted on another address). */
  rediscover(): Promise<ApiClient> {
    this.#client = undefined;
    return this.client();
  }

  /** A result line on stdout. */
  out(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** A progress or diagnostic line on stderr. */
  err(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** The API's JSON, and nothing else, on stdout. */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
