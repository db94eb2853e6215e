// A clock that stands still until the test moves it: leases and timestamps without waiting.
import type { Clock } from '../../src/platform/clock.js';

export class TestClock implements Clock {
  #ms: number;

  constructor(start = '2026-11-23T00:00:00.000Z') {
    this.#ms = Date.parse(start);
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(ms: number): void {
    this.#ms += ms;
  }
}
