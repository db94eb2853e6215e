// What every command gets: its output streams, the settings, and a lazily connected client.
import type { Readable, Writable } from 'node:stream';
import type { Settings } from '../platform/env.js';
import { ApiClient } from './api-client.js';
import { discoverConnection } from './connection.js';
import { jsonTerminalSafe, terminalSafe } from './terminal-safe.js';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
}

export class CliContext {
  /** The process's exit status once the command has run. */
  exitCode = 0;
  /** The settings section of `slipway server --help` (main.ts loads it only for that help). */
  serverSettingsHelp = '';
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

  /** A result line on stdout (control characters in it shown as escapes). */
  out(text: string): void {
    this.io.stdout.write(`${terminalSafe(text)}\n`);
  }

  /** A progress or diagnostic line on stderr (control characters in it shown as escapes). */
  err(text: string): void {
    this.io.stderr.write(`${terminalSafe(text)}\n`);
  }

  /** The API's JSON, and nothing else, on stdout (one line of it: `jsonLine`). */
  json(value: unknown): void {
    this.io.stdout.write(`${jsonTerminalSafe(JSON.stringify(value, null, 2))}\n`);
  }

  jsonLine(value: unknown): void {
    this.io.stdout.write(`${jsonTerminalSafe(JSON.stringify(value))}\n`);
  }
}
