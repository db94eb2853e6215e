// What each setting of env.ts means, in one line, for `slipway server --help` (the README's
// Settings table says the same at more length; a test keeps the three in step).
import { settingDefaults } from './env.js';

export const SETTING_MEANINGS: Readonly<Record<string, string>> = {
  SLIPWAY_DATA_DIR: 'state (SQLite), releases, artifacts, keys, edge snapshot (default /var/lib/slipway as root, else $XDG_STATE_HOME/slipway or ~/.local/state/slipway)',
  SLIPWAY_HOST: 'address of the HTTP API',
  SLIPWAY_PORT: 'port of the HTTP API (0: any free port, written to server.json)',
  SLIPWAY_EDGE_PORT: 'port the edge listens on',
  SLIPWAY_EDGE_HOST: 'address the edge listens on',
  SLIPWAY_EDGE_HTTPS_PORT: 'port of the edge\'s HTTPS listener (default 443 as root, else 8443; 0: any free port; off: no HTTPS)',
  SLIPWAY_EDGE: 'auto: start, restart and re-route the edge; off: never',
  SLIPWAY_EDGE_TRUSTED_PROXIES: 'IPs/CIDRs of proxies in front of the edge whose X-Forwarded-* headers are kept',
  SLIPWAY_EDGE_RECONCILE_SECONDS: 'how often every live route is given again to an edge that lacks it',
  SLIPWAY_MASTER_KEY: 'the key that encrypts secrets (else master.key in the data dir)',
  SLIPWAY_URL: 'where the CLI finds the control plane (else server.json in the data dir)',
  SLIPWAY_TOKEN: 'the CLI\'s API token (else admin.token in the data dir)',
  SLIPWAY_DOCKER_HOST: 'enables the Swarm driver: unix://, tcp:// (TLS) or ssh:// Engine address',
  SLIPWAY_DOCKER_CERT_PATH: 'ca.pem, cert.pem, key.pem for a tcp:// Engine',
  SLIPWAY_DOCKER_SSH_KEY: 'private key file for an ssh:// Engine',
  SLIPWAY_DOCKER_SSH_KNOWN_HOSTS: 'known_hosts file the ssh:// Engine\'s host key must be in (default ~/.ssh/known_hosts)',
  SLIPWAY_SWARM_REGISTRY: 'registry the built images and the edge image are pushed to',
  SLIPWAY_SWARM_EDGE_PORT: 'host port the Swarm edge publishes',
  SLIPWAY_SWARM_EDGE_HTTPS_PORT: 'host port the Swarm edge publishes its HTTPS listener on (off: none)',
  SLIPWAY_SWARM_NODE_SOCKET: 'the Engine socket on every Swarm node',
  SLIPWAY_ACME_DIRECTORY: 'the ACME CA (RFC 8555 directory URL) routes with tls: auto get certificates from',
  SLIPWAY_ACME_EMAIL: 'contact e-mail of the ACME account',
  SLIPWAY_ACME_EAB_KID: 'External Account Binding key id, for CAs that require it (with SLIPWAY_ACME_EAB_HMAC_KEY)',
  SLIPWAY_ACME_EAB_HMAC_KEY: 'External Account Binding HMAC key (base64url), with SLIPWAY_ACME_EAB_KID',
  SLIPWAY_ACME_CA_CERT: 'PEM file trusted for talking to the ACME server only (a private or test CA)',
  SLIPWAY_ACME_CHALLENGES: 'challenge types in order of preference (default http-01, tls-alpn-01, and dns-01 with a DNS server)',
  SLIPWAY_DNS_RFC2136_SERVER: 'HOST[:PORT] of the DNS server taking RFC 2136 updates for dns-01 (wildcard hosts)',
  SLIPWAY_DNS_RFC2136_ZONE: 'the zone updated for dns-01',
  SLIPWAY_ON_DEMAND_MAX_PER_HOUR: 'at most this many on-demand TLS certificates per hour across all routes (0: none)',
  SLIPWAY_DNS_RFC2136_KEY_NAME: 'name of the TSIG key for the updates',
  SLIPWAY_DNS_RFC2136_KEY_ALGORITHM: 'algorithm of the TSIG key',
  SLIPWAY_DNS_RFC2136_KEY_SECRET: 'the TSIG key\'s secret, base64',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
  SLIPWAY_FAULT_CRASH_AT: 'testing only: before:<step> / after:<step> kills the control plane there',
};

/** The settings section of `slipway server --help`: every setting, its default and meaning. */
export function settingsHelp(): string {
  const rows = settingDefaults().map((s) => [s.name, s.default === undefined ? '(unset)' : s.default === '' ? '(none)' : s.default, SETTING_MEANINGS[s.name] ?? '']);
  const w0 = Math.max(...rows.map((r) => r[0]?.length ?? 0));
  const w1 = Math.max(...rows.map((r) => r[1]?.length ?? 0));
  return ['', 'Settings (environment variables; README "Settings" says more):', ...rows.map(([n, d, m]) => `  ${(n ?? '').padEnd(w0)}  ${(d ?? '').padEnd(w1)}  ${m ?? ''}`)].join('\n');
}
