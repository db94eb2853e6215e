// Parses slipway.yml off the control plane's event loop: one worker thread, started on first use
// and not keeping the process alive, answers parse requests in order. Parsing is bounded
// (core/spec-limits.ts); should one still run past `timeoutMs`, the worker is terminated (a new
// one starts for the next request) and the request is refused with a ConfigError.
import { Worker } from 'node:worker_threads';
import type { AppSpec } from '../core/app-spec.js';
import { ConfigError, SlipwayError } from '../core/errors.js';
import type { SpecParser } from '../core/ports/spec-parser.js';
import type { ParseAnswer, ParseRequest } from './spec-parse-worker.js';

export const SPEC_PARSE_TIMEOUT_MS = 5000;

interface Pending {
  req: ParseRequest;
  resolve(spec: AppSpec): void;
  reject(err: Error): void;
}

export class WorkerSpecParser implements SpecParser {
  #worker: Worker | null = null;
  #next = 1;
  readonly #queue: Pending[] = [];
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(private readonly timeoutMs = SPEC_PARSE_TIMEOUT_MS) {}

  parse(text: string, where: string): Promise<AppSpec> {
    if (this.#closed) return Promise.reject(new Error('the spec parser is closed'));
    return new Promise<AppSpec>((resolve, reject) => {
      this.#queue.push({ req: { id: this.#next++, text, where }, resolve, reject });
      if (this.#queue.length === 1) this.#send();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new Error('the spec parser was closed'));
    this.#clearTimer();
    const w = this.#worker;
    this.#worker = null;
    await w?.terminate();
  }

  /** Sends the head of the queue to the worker (one request at a time, so a timeout names its request). */
  #send(): void {
    const head = this.#queue[0];
    if (!head) return;
    const worker = this.#ensureWorker();
    this.#timer = setTimeout(() => this.#timedOut(head), this.timeoutMs);
    this.#timer.unref();
    worker.postMessage(head.req);
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./spec-parse-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (answer: ParseAnswer) => this.#answered(answer));
    worker.on('error', (err) => this.#failed(worker, err));
    worker.on('exit', (code) => this.#failed(worker, new Error(`the slipway.yml parser thread exited (code ${code})`)));
    this.#worker = worker;
    return worker;
  }

  #answered(answer: ParseAnswer): void {
    const head = this.#queue[0];
    if (!head || head.req.id !== answer.id) return;
    this.#queue.shift();
    this.#clearTimer();
    if (answer.ok) head.resolve(answer.spec as AppSpec);
    else head.reject(new SlipwayError(answer.error.code, answer.error.message, answer.error.details));
    this.#send();
  }

  #timedOut(head: Pending): void {
    if (this.#queue[0] !== head) return;
    this.#queue.shift();
    this.#timer = null;
    const w = this.#worker;
    this.#worker = null;
    void w?.terminate();
    head.reject(new ConfigError(`${head.req.where}: took longer than ${this.timeoutMs / 1000} s to parse and was refused; simplify it`, { file: head.req.where }));
    this.#send();
  }

  /** The worker died (not by our terminate): the request in flight fails, the rest go to a new worker. */
  #failed(worker: Worker, err: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    this.#clearTimer();
    const head = this.#queue.shift();
    head?.reject(new ConfigError(`${head.req.where}: could not be parsed: ${err.message}`, { file: head.req.where }));
    if (!this.#closed) this.#send();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
