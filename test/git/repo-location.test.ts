import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { SlipwayError } from '../../src/core/errors.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { prepareCredentials, sshCommand } from '../../src/git/git-credentials.js';
import { gitEnv } from '../../src/git/git-env.js';
import { parseRepoLocation } from '../../src/git/index.js';

describe('parseRepoLocation', () => {
  test('paths become absolute; URLs are classified', () => {
    assert.deepEqual(parseRepoLocation('repos/app.git'), { url: path.resolve('repos/app.git'), transport: 'local', origin: null });
    assert.deepEqual(parseRepoLocation('file:///srv/git/app.git'), { url: 'file:///srv/git/app.git', transport: 'file', origin: null });
    assert.deepEqual(parseRepoLocation('https://git.example.test/team/app.git'), { url: 'https://git.example.test/team/app.git', transport: 'http', origin: 'https://git.example.test/' });
    assert.deepEqual(parseRepoLocation('http://127.0.0.1:8080/app.git'), { url: 'http://127.0.0.1:8080/app.git', transport: 'http', origin: 'http://127.0.0.1:8080/' });
    assert.equal(parseRepoLocation('git@github.com:team/app.git').transport, 'ssh');
    assert.equal(parseRepoLocation('ssh://git@host:2222/team/app.git').transport, 'ssh');
  });

  test('refuses passwords in URLs, option-like and remote-helper forms, unknown schemes', () => {
    for (const bad of ['https://u:s3cr3tpw@host/r.git', '-oProxyCommand=x', 'ext::sh -c x', 'fd::3', 'ftp://host/r.git', '', 'a\nb']) {
      assert.throws(() => parseRepoLocation(bad), (e: unknown) => e instanceof SlipwayError && e.code === 'invalid_input' && !e.message.includes('s3cr3tpw'), bad);
    }
  });
});

describe('credentials as git configuration', () => {
  test('a token becomes an Authorization header scoped to the origin, in env only', async () => {
    const loc = parseRepoLocation('https://git.example.test/team/app.git');
    const p = await prepareCredentials(loc, { kind: 'token', token: new Sensitive('tok-123456'), username: 'oauth2' }, '/k');
    const basic = Buffer.from('oauth2:tok-123456').toString('base64');
    assert.deepEqual(p.config, [['http.https://git.example.test/.extraHeader', `Authorization: Basic ${basic}`]]);
    assert.deepEqual(p.secrets, ['tok-123456', basic]);
    const env = gitEnv(p.config);
    assert.equal(env.GIT_TERMINAL_PROMPT, '0');
    const n = Number(env.GIT_CONFIG_COUNT);
    assert.equal(env[`GIT_CONFIG_KEY_${n - 1}`], 'http.https://git.example.test/.extraHeader');
  });

  test('ssh always runs in batch mode; words of core.sshCommand are quoted for sh', async () => {
    const p = await prepareCredentials(parseRepoLocation('git@host:r.git'), undefined, '/cache dir/known_hosts');
    assert.equal(p.config[0]?.[0], 'core.sshCommand');
    assert.match(p.config[0]![1], /^ssh -o BatchMode=yes .*StrictHostKeyChecking=accept-new -o 'UserKnownHostsFile=\/cache dir\/known_hosts'$/);
    assert.equal(sshCommand(['ssh', '-i', '/tmp/a b/key']), "ssh -i '/tmp/a b/key'");
    assert.throws(() => sshCommand(["it's"]));
  });
});
