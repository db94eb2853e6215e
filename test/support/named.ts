// A real authoritative DNS server for the ACME tests: BIND's `named -g` (foreground) on a free
// loopback port, with its config, zone and journal in a temp dir. Zone `example.test` answers
// every name with 127.0.0.1 (`* A 127.0.0.1`), so Pebble, resolving through it, validates HTTP-01
// and TLS-ALPN-01 against the test's own servers; dynamic updates (RFC 2136) are allowed with the
// TSIG key `slipway-test` (hmac-sha256), which DNS-01 uses. Stopped by pid; the temp dir removed.
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnProcess, type ChildHandle } from '../../src/platform/exec.js';
import { freePort } from './free-port.js';
import { waitUntil } from './wait-until.js';

export interface TestNamed {
  /** "127.0.0.1:PORT", for Pebble's -dnsserver, nsupdate and resolvers. */
  address: string;
  host: string;
  port: number;
  zone: string;
  keyName: string;
  algorithm: 'hmac-sha256';
  /** Base64 TSIG secret. */
  secret: string;
  /** named's output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startNamed(zone = 'example.test'): Promise<TestNamed> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-named-'));
  const keyName = 'slipway-test';
  const secret = randomBytes(32).toString('base64');
  const zoneFile = path.join(dir, `${zone}.zone`);
  await writeFile(
    zoneFile,
    [
      '$TTL 60',
      `@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 60 60 600 60`,
      `@ IN NS ns1.${zone}.`,
      'ns1 IN A 127.0.0.1',
      '@ IN A 127.0.0.1',
      '* IN A 127.0.0.1',
      '',
    ].join('\n'),
  );
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort({ udp: true });
    const conf = path.join(dir, 'named.conf');
    await writeFile(
      conf,
      `options {
  directory "${dir}";
  pid-file "${path.join(dir, 'named.pid')}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
};
controls { };
key "${keyName}" { algorithm hmac-sha256; secret "${secret}"; };
zone "${zone}" { type primary; file "${zoneFile}"; allow-update { key "${keyName}"; }; };
`,
    );
    let log = '';
    const child: ChildHandle = spawnProcess(['named', '-g', '-4', '-c', conf], {
      onLine: (line) => {
        log += line + '\n';
      },
      killGraceMs: 3000,
    });
    let exited = false;
    void child.exit.then((end) => {
      if (end.startError) log += `named could not start (${end.startError.message}): install the Debian package bind9 (scripts/test-setup.sh does)\n`;
      exited = true;
    });
    const resolver = new Resolver({ timeout: 300, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    try {
      await waitUntil(
        'named to answer for its zone',
        async () => {
          if (exited) throw new Error(`named exited: ${log.slice(-2000)}`);
          return resolver.resolveSoa(zone).then(
            () => true,
            () => false,
          );
        },
        15_000,
        50,
      );
    } catch (err) {
      lastError = err;
      child.kill(0);
      await child.exit;
      continue;
    }
    return {
      address: `127.0.0.1:${port}`,
      host: '127.0.0.1',
      port,
      zone,
      keyName,
      algorithm: 'hmac-sha256',
      secret,
      output: () => log,
      stop: async () => {
        child.kill();
        await child.exit;
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
