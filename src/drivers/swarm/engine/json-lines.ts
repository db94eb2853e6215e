// The Engine's progress streams (build, push, pull): one JSON object per line.

export interface ProgressMessage {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: Record<string, unknown>;
}

export async function* readJsonLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<ProgressMessage> {
  let rest = '';
  for await (const chunk of source) {
    rest += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl = rest.indexOf('\n');
    while (nl !== -1) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line) yield parseLine(line);
      nl = rest.indexOf('\n');
    }
  }
  if (rest.trim()) yield parseLine(rest.trim());
}

function parseLine(line: string): ProgressMessage {
  try {
    return JSON.parse(line) as ProgressMessage;
  } catch {
    return { stream: line };
  }
}
