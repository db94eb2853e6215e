import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  checkHostKey,
  fingerprintSha256,
  hostFieldMatches,
  hostLookupName,
  keyTypeOfBlob,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/drivers/swarm/engine/known-hosts.js';
import { HostKeyCheck } from '../../src/drivers/swarm/engine/host-key-check.js';
import { defaultKnownHostsPath, readKnownHostsFile } from '../../src/drivers/swarm/engine/known-hosts-file.js';
import { ConfigError } from '../../src/core/errors.js';

// Keys made with ssh-keygen; fingerprints and hashed lines are what OpenSSH 9.2 printed for them
// (`ssh-keygen -lf`, `ssh-keygen -H`).
const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIHx9kLSIUsL6C6b+9WZa+vELHtNlNCWbQiSQoqaJJA35';
const ED_FP = 'SHA256:Corz8wQtiwBrb3JmTSoI8kgYWLoDh1mlUac69N+Q86o';
const EC =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBM/C6Y2wMX57J/Kck5iuP0Y5ih839D54c9mwkMb5C0LZXxo3xD7F01xrUfxIyx3TQq52hvh4iVEurUZITy1tAiQ=';
const EC_FP = 'SHA256:hWKeTIWT+2bBmIqYiCsYwLbPxB4gFPid2JmK+ErZcUc';
/** `ssh-keygen -H` of "[127.0.0.1]:2222 ssh-ed25519 ED" and "Manager.Example.COM ecdsa-sha2-nistp256 EC". */
const HASHED_ED = `|1|PKQEQgNLhUK9+cGNhE1rtZDAPiY=|F9Pne+Gun5ubcDlRrWaiztXRihk= ssh-ed25519 ${ED}`;
const HASHED_EC = `|1|47Z/PJwESgbSX41eddfhpQgZrgc=|WPEIUyvo5yYzIrQAZavCfLnfLjg= ecdsa-sha2-nistp256 ${EC}`;
/** Another ed25519 key (a "changed" host key). */
const ED2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIH7vD/l5afZYdTVnxHR4KsdwWvNfImgA4gvVZJ2y5eo/';
const RSA_HEAD = 'AAAAB3NzaC1yc2EAAAADAQABAAABAQCznniBV8U4tK+uGogoSEgXP15fAWd50YrrLKM28xa5OvCqwypUzVkbhrCnREtieMEXrlU';

const blob = (b64: string) => Buffer.from(b64, 'base64');

describe('known_hosts parsing', () => {
  it('reads plain, hashed, marked and commented lines, and reports unreadable ones with their line numbers', () => {
    const kh = parseKnownHosts(
      [
        '# a comment',
        '',
        `manager.example,10.0.0.5 ssh-ed25519 ${ED} deploy@laptop`,
        `  [manager.example]:2222\tecdsa-sha2-nistp256 ${EC}  `,
        HASHED_ED,
        `@revoked * ssh-ed25519 ${ED2}`,
        `@cert-authority *.example ssh-ed25519 ${ED}`,
        `@bogus host ssh-ed25519 ${ED}`,
        'host-without-key ssh-ed25519',
        `host ssh-rsa ${ED}`,
        'host ssh-ed25519 not*base64',
        `host ssh-rsa ${RSA_HEAD}`,
      ].join('\r\n'),
    );
    assert.deepEqual(
      kh.entries.map((e) => [e.line, e.marker, e.hosts, e.keyType]),
      [
        [3, null, 'manager.example,10.0.0.5', 'ssh-ed25519'],
        [4, null, '[manager.example]:2222', 'ecdsa-sha2-nistp256'],
        [5, null, HASHED_ED.split(' ')[0], 'ssh-ed25519'],
        [6, 'revoked', '*', 'ssh-ed25519'],
        [7, 'cert-authority', '*.example', 'ssh-ed25519'],
        [12, null, 'host', 'ssh-rsa'],
      ],
    );
    assert.deepEqual(kh.problems, [
      { line: 8, reason: 'unknown marker @bogus' },
      { line: 9, reason: 'expected "HOSTS KEYTYPE BASE64KEY"' },
      { line: 10, reason: 'the key field is a ssh-ed25519, not ssh-rsa' },
      { line: 11, reason: 'the key is not base64' },
    ]);
    assert.equal(keyTypeOfBlob(blob(EC)), 'ecdsa-sha2-nistp256');
    assert.equal(keyTypeOfBlob(Buffer.from([0, 0])), null);
  });

  it('looks hosts up as ssh does: host on port 22, [host]:port otherwise, case-insensitively', () => {
    assert.equal(hostLookupName('Manager.Example', 22), 'manager.example');
    assert.equal(hostLookupName('manager.example', 2222), '[manager.example]:2222');
    assert.equal(hostLookupName('[::1]', 2222), '[::1]:2222');
    assert.equal(hostLookupName('[::1]', 22), '::1');
  });

  it('matches pattern lists with wildcards and negation', () => {
    assert.ok(hostFieldMatches('a.example,manager.example', 'manager.example'));
    assert.ok(hostFieldMatches('MANAGER.example', 'manager.example'));
    assert.ok(!hostFieldMatches('manager.example', '[manager.example]:2222'), 'a port-22 line does not cover another port');
    assert.ok(hostFieldMatches('[manager.example]:2222', '[manager.example]:2222'));
    assert.ok(hostFieldMatches('*.example', 'manager.example'));
    assert.ok(hostFieldMatches('10.0.0.?', '10.0.0.5'));
    assert.ok(!hostFieldMatches('10.0.0.?', '10.0.0.55'));
    assert.ok(hostFieldMatches('[*.example]:*', '[manager.example]:2222'));
    assert.ok(!hostFieldMatches('*.example,!manager.example', 'manager.example'));
    assert.ok(hostFieldMatches('*.example,!manager.example', 'other.example'));
    assert.ok(!hostFieldMatches('!manager.example', 'other.example'), 'a negation alone matches nothing');
    assert.ok(!hostFieldMatches('manager.example.evil', 'manager.example'));
  });

  it('matches hashed hosts written by ssh-keygen -H', () => {
    const [edHosts = '', ecHosts = ''] = [HASHED_ED.split(' ')[0], HASHED_EC.split(' ')[0]];
    assert.ok(hostFieldMatches(edHosts, '[127.0.0.1]:2222'));
    assert.ok(!hostFieldMatches(edHosts, '127.0.0.1'));
    assert.ok(!hostFieldMatches(edHosts, '[127.0.0.1]:2223'));
    assert.ok(hostFieldMatches(ecHosts, hostLookupName('MANAGER.EXAMPLE.com', 22)));
    assert.ok(!hostFieldMatches('|1|bad', 'x'));
  });

  it('prints SHA256 fingerprints as OpenSSH does', () => {
    assert.equal(fingerprintSha256(blob(ED)), ED_FP);
    assert.equal(fingerprintSha256(blob(EC)), EC_FP);
  });
});

describe('host key verdicts', () => {
  const kh = parseKnownHosts(
    [`manager.example ssh-ed25519 ${ED}`, HASHED_EC, `@revoked * ssh-ed25519 ${ED2}`, `@cert-authority *.ca.example ssh-ed25519 ${ED}`].join('\n'),
  );

  it('known, changed (same type, other key), unknown (other types only) and revoked (any host)', () => {
    assert.deepEqual(checkHostKey(kh, 'manager.example', 22, blob(ED)), { status: 'known', line: 1 });
    assert.deepEqual(checkHostKey(kh, 'manager.example.com', 22, blob(EC)), { status: 'known', line: 2 });
    assert.deepEqual(checkHostKey(kh, 'manager.example', 2222, blob(ED)), { status: 'unknown', otherTypes: [], certAuthorityLines: [] });
    assert.deepEqual(checkHostKey(kh, 'manager.example', 22, blob(EC)), { status: 'unknown', otherTypes: ['ssh-ed25519'], certAuthorityLines: [] });
    assert.deepEqual(checkHostKey(kh, 'manager.example.com', 22, blob(ED)), { status: 'unknown', otherTypes: ['ecdsa-sha2-nistp256'], certAuthorityLines: [] });
    assert.deepEqual(checkHostKey(kh, 'manager.example', 22, blob(ED2)), { status: 'revoked', line: 3 });
    assert.deepEqual(checkHostKey(kh, 'elsewhere', 22, blob(ED2)), { status: 'revoked', line: 3 });
    assert.deepEqual(checkHostKey(kh, 'x.ca.example', 22, blob(ED)), { status: 'unknown', otherTypes: [], certAuthorityLines: [4] });
    const changed = parseKnownHosts(`manager.example ssh-ed25519 ${ED2}\nmanager.example ecdsa-sha2-nistp256 ${EC}`);
    assert.deepEqual(checkHostKey(changed, 'manager.example', 22, blob(ED)), { status: 'changed', lines: [1] });
    assert.deepEqual(knownKeyTypes(changed, 'manager.example', 22), ['ssh-ed25519', 'ecdsa-sha2-nistp256']);
  });

  it('a refusal is a ConfigError with the fingerprint and the fix; a changed key is a loud warning', () => {
    const unknown = new HostKeyCheck({ path: '/srv/known_hosts', text: '' }, 'manager.example', 2222);
    assert.equal(unknown.verify(blob(ED)), false);
    assert.ok(unknown.refusal instanceof ConfigError);
    assert.match(unknown.refusal.message, /not in \/srv\/known_hosts: the server presented an ssh-ed25519 key with fingerprint SHA256:Corz8wQtiwBrb3JmTSoI8kgYWLoDh1mlUac69N\+Q86o\./);
    assert.match(unknown.refusal.message, /ssh-keygen -lf \/etc\/ssh\/ssh_host_ed25519_key\.pub/);
    assert.match(unknown.refusal.message, /`ssh-keyscan -p 2222 manager\.example >> \/srv\/known_hosts`/);
    assert.match(unknown.refusal.message, /has no host keys/);
    assert.equal(unknown.refusal.details['fingerprint'], ED_FP);

    const changed = new HostKeyCheck({ path: '/srv/known_hosts', text: `[manager.example]:2222 ssh-ed25519 ${ED2}\n` }, 'manager.example', 2222);
    assert.equal(changed.verify(blob(ED)), false);
    assert.match(changed.refusal?.message ?? '', /^WARNING: THE SSH HOST KEY OF manager\.example:2222 HAS CHANGED\. .*man in the middle/);
    assert.match(changed.refusal?.message ?? '', /\/srv\/known_hosts \(line 1\) has a different ssh-ed25519 key; the server presented SHA256:Corz8/);
    assert.match(changed.refusal?.message ?? '', /ssh-keygen -R '\[manager\.example\]:2222' -f \/srv\/known_hosts/);

    const spaced = new HostKeyCheck({ path: "/srv/my hosts/it's", text: '' }, 'manager.example', 22);
    spaced.verify(blob(ED));
    assert.ok(spaced.refusal?.message.includes(`\`ssh-keyscan -p 22 manager.example >> '/srv/my hosts/it'\\''s'\``), spaced.refusal?.message);

    const ok = new HostKeyCheck({ path: '/srv/known_hosts', text: `[manager.example]:2222 ssh-ed25519 ${ED}\n` }, 'manager.example', 2222);
    assert.equal(ok.verify(blob(ED)), true);
    assert.equal(ok.refusal, null);
  });

  it('asks the server for the known key types first', () => {
    const check = new HostKeyCheck({ path: 'k', text: `h ecdsa-sha2-nistp256 ${EC}\nh ssh-rsa ${RSA_HEAD}\n` }, 'h', 22);
    assert.deepEqual(check.serverHostKeyAlgorithms().prepend, ['ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    assert.deepEqual(new HostKeyCheck({ path: 'k', text: '' }, 'h', 22).serverHostKeyAlgorithms(), { remove: [], prepend: [] });
  });
});

describe('reading the known_hosts file', () => {
  it('reads the file; a missing one is empty; an unreadable one is a ConfigError naming the setting; ~/ is the home directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-known-hosts-'));
    try {
      const file = path.join(dir, 'known_hosts');
      await writeFile(file, `h ssh-ed25519 ${ED}\n`);
      assert.deepEqual(await readKnownHostsFile(file), { path: file, text: `h ssh-ed25519 ${ED}\n` });
      assert.deepEqual(await readKnownHostsFile(path.join(dir, 'missing')), { path: path.join(dir, 'missing'), text: '' });
      await assert.rejects(readKnownHostsFile(dir, 'SLIPWAY_X'), (e: unknown) => e instanceof ConfigError && /^SLIPWAY_X: .* cannot be read \(EISDIR\)/.test(e.message));
      assert.equal(defaultKnownHostsPath(), path.join(os.homedir(), '.ssh', 'known_hosts'));
      assert.equal((await readKnownHostsFile()).path, defaultKnownHostsPath());
      assert.equal((await readKnownHostsFile('~/x/known_hosts')).path, path.join(os.homedir(), 'x', 'known_hosts'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
