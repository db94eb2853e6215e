// Option parsers shared by commands; a bad value is a usage error (exit 2) with commander's message.
import { InvalidArgumentError, Option } from 'commander';
import { TERMINAL_STATUSES } from '../core/model.js';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return n;
}

export const jsonOption = () => new Option('--json', 'print JSON and nothing else (errors too: {"error": {code, message}} on stdout)');

export const statusOption = () => new Option('--status <status>', 'only deployments in this status').choices(['queued', 'running', ...TERMINAL_STATUSES]);

export const limitOption = (what: string) => new Option('--limit <n>', `at most this many ${what}`).argParser(positiveInt);
