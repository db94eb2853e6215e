// Renders a deployment's log for people: one line per step start and finish (with its
// duration), command output indented beneath, errors marked.
import type { Deployment, LogLine } from '../core/model.js';
import type { FollowEvent } from './api-client.js';
import { between, duration } from './format.js';

const STEP_DONE = /^<== (.+) done in (\d+) ms$/;

export class ProgressPrinter {
  #open: { name: string; at: string } | null = null;
  #lastStatus: string | null = null;

  constructor(private readonly write: (line: string) => void) {}

  event(e: FollowEvent): void {
    if (e.type === 'log') this.line(e.line);
    else if (e.type === 'status') this.status(e.deployment);
    else if (e.type === 'waiting') this.write(`-- ${e.reason}`);
  }

  line(l: LogLine): void {
    const done = l.stream === 'info' ? STEP_DONE.exec(l.text) : null;
    if (done) {
      const ms = Number(done[2]);
      this.write(`<== ${done[1] ?? ''} done in ${duration(ms)}`);
      this.#open = null;
      return;
    }
    switch (l.stream) {
      case 'step':
        if (l.text.startsWith('==> ')) this.#open = { name: l.text.slice(4), at: l.at };
        this.write(l.text);
        return;
      case 'error':
        this.#failOpen(l.at);
        for (const t of lines(l.text)) this.write(`  ! ${t}`);
        return;
      case 'stdout':
      case 'stderr':
        for (const t of lines(l.text)) this.write(`    ${t}`);
        return;
      default:
        for (const t of lines(l.text)) this.write(`  ${t}`);
    }
  }

  status(d: Deployment): void {
    if (d.status === this.#lastStatus) return;
    this.#lastStatus = d.status;
    if (d.status === 'queued') this.write(`-- deployment #${d.number} is queued`);
    else if (d.status === 'running') this.write(`-- deployment #${d.number} is running`);
  }

  /** A step that ends in an error line gets its elapsed time shown once. */
  #failOpen(at: string): void {
    if (!this.#open) return;
    const ms = between(this.#open.at, at);
    this.write(`<== ${this.#open.name} failed${ms === null ? '' : ` after ${duration(ms)}`}`);
    this.#open = null;
  }
}

function lines(text: string): string[] {
  return text.replace(/\r?\n$/, '').split(/\r?\n/);
}
