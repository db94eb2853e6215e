// Splits a byte stream into JSON values, one per line (application/x-ndjson).

export async function* ndjsonValues(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield parseLine(line);
      nl = buffered.indexOf('\n');
    }
  }
  const rest = (buffered + decoder.decode()).trim();
  // A final line without its newline is only complete if it parses; a cut-off line is dropped.
  if (rest) {
    const value = tryParse(rest);
    if (value !== undefined) yield value;
  }
}

function parseLine(line: string): unknown {
  const value = tryParse(line);
  if (value === undefined) throw new SyntaxError(`the log stream sent a line that is not JSON: ${line.slice(0, 120)}`);
  return value;
}

function tryParse(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}
