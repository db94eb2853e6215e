// The systemd unit of the control plane (`slipway service install`), as a pure function of where
// node and the CLI are, the data dir, the settings to pass, and whether it is a system unit.

export interface UnitSpec {
  /** Absolute path of node (process.execPath). */
  node: string;
  /** Absolute path of the CLI program (the bundle, dist/bundle/slipway.mjs). */
  cli: string;
  /** Absolute data dir, always written, so the service never depends on a default. */
  dataDir: string;
  /** Further SLIPWAY_* settings (validated by the caller). */
  env: Readonly<Record<string, string>>;
  /** A system unit (root) rather than a user unit. */
  system: boolean;
}

export function systemdUnit(spec: UnitSpec): string {
  const env = { SLIPWAY_DATA_DIR: spec.dataDir, ...spec.env };
  const lines = [
    '# Written by `slipway service install`; `slipway service install --force` writes it again.',
    '[Unit]',
    'Description=Slipway control plane (HTTP API, deploys; starts and watches the edge)',
    'After=network-online.target docker.service',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[spec.node, spec.cli, 'server'].map(execArg).join(' ')}`,
    ...Object.entries(env).map(([name, value]) => `Environment=${quoted(`${name}=${value}`)}`),
    'Restart=on-failure',
    'RestartSec=2s',
    // The edge and the release supervisors are detached children of the control plane, so they
    // live in this unit's cgroup. The default KillMode (control-group) would kill them on every
    // stop and restart of the control plane, taking the apps' traffic down with it; "process"
    // signals the control plane only and they keep serving. `slipway down` stops them on purpose.
    '# KillMode=process: stopping or restarting the control plane leaves the edge and the apps serving;',
    '# `slipway down` stops everything.',
    'KillMode=process',
    // The edge holds a socket per client connection.
    'LimitNOFILE=65536',
    ...(spec.system
      ? [
          // Hardening that leaves what Slipway needs: useradd writes /etc (per-app users), the data
          // dir may be anywhere (no ProtectSystem/ProtectHome/PrivateTmp), supervisors switch users.
          'ProtectKernelTunables=yes',
          'ProtectKernelModules=yes',
          'ProtectControlGroups=yes',
        ]
      : []),
    '',
    '[Install]',
    `WantedBy=${spec.system ? 'multi-user.target' : 'default.target'}`,
    '',
  ];
  return lines.join('\n');
}

/** One word of ExecStart: `%` and `$` are systemd's (specifiers, variables); quoted when it has blanks. */
function execArg(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\]/.test(escaped) ? quoted(escaped, false) : escaped;
}

/** A double-quoted systemd value: backslash and quote escaped, `%` doubled (specifiers). */
function quoted(value: string, specifiers = true): string {
  const v = specifiers ? value.replace(/%/g, '%%') : value;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
