// One line of an instance's output file as the supervisor writes it: the time it was read, the
// stream, the text ("2026-12-02T16:45:04.123Z O listening on 3000"). Files written before lines
// carried this prefix are still read: their lines have no time and stream "output".
import type { RuntimeLogLine } from '../../core/ports/runtime-driver.js';

const STAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) ([OE]) (.*)$/s;

export function formatInstanceLogLine(at: Date, stream: 'stdout' | 'stderr', text: string): string {
  return `${at.toISOString()} ${stream === 'stderr' ? 'E' : 'O'} ${text}\n`;
}

export function parseInstanceLogLine(line: string): Pick<RuntimeLogLine, 'time' | 'stream' | 'text'> {
  const m = STAMPED.exec(line);
  if (!m) return { time: null, stream: 'output', text: line };
  return { time: m[1] ?? null, stream: m[2] === 'E' ? 'stderr' : 'stdout', text: m[3] ?? '' };
}
