// Loading compose files: keys the Compose specification does not define (unknown, likely
// misspelt) are told apart from valid Compose the Swarm driver does not support; names are
// checked; values are checked after interpolation and docker's casts. Every problem has its path.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/core/errors.js';
import { ALLOWED_KEYS } from '../../src/drivers/swarm/compose/compose-schema.js';
import { SPEC_KEYS } from '../../src/drivers/swarm/compose/compose-spec-keys.js';
import { loadCompose } from '../../src/drivers/swarm/compose/load-compose.js';
import { projectRoot } from '../support/entry.js';

const fixtures = path.join(projectRoot, 'test', 'fixtures', 'compose');
const images = { APP_IMAGE: 'reg:5000/app@sha256:aaa', REDIS_IMAGE: 'reg:5000/redis@sha256:bbb', NGINX_IMAGE: 'reg:5000/nginx@sha256:ccc' };

/** The error's lines without the file prefix, e.g. "services.web.image: expected a string". */
function problems(text: string): string[] {
  try {
    loadCompose(text, {}, 'docker-compose.yml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message.split('\n').map((l) => l.replace(/^docker-compose\.yml: /, ''));
  }
  return [];
}

const svc = (body: string) => `services:\n  web:\n    image: i\n${body}`;

describe('compose keys and names', () => {
  it('accepts every fixture', () => {
    for (const f of ['custom-domain.yml', 'django.yml', 'rollout.yml']) {
      assert.doesNotThrow(() => loadCompose(readFileSync(path.join(fixtures, f), 'utf8'), images, f), f);
    }
  });

  it('reports an unknown key (top level, service, secret) as not in the specification', () => {
    assert.deepEqual(problems('servics:\n  web:\n    image: i\n'), ['servics: unknown key "servics": not in the Compose specification (check the spelling)']);
    assert.deepEqual(problems(svc('    imagee: j\n')), ['services.web.imagee: unknown key "imagee": not in the Compose specification (check the spelling)']);
    assert.deepEqual(problems(svc('    secrets: [s]\nsecrets:\n  s:\n    environmnt: S\n')), [
      'secrets.s.environmnt: unknown key "environmnt": not in the Compose specification (check the spelling)',
    ]);
  });

  it('reports an invalid service name against the pattern', () => {
    assert.deepEqual(problems('services:\n  "my web":\n    image: i\n'), [
      'services.my web: invalid name "my web": it must match ^[a-zA-Z0-9._-]+$ (letters, digits, ".", "_" and "-")',
    ]);
  });

  it('allows x- extensions at the top level, in services and in deploy', () => {
    assert.deepEqual(problems('x-common: &c {a: 1}\nservices:\n  web:\n    image: i\n    x-note: 1\n    deploy:\n      x-note: 1\n      update_config: {x-note: 1}\n'), []);
  });

  it('tells keys the specification defines but Swarm does not support from unknown keys', () => {
    const lines = problems('include: [other.yml]\n' + svc('    network_mode: host\n'));
    assert.ok(lines.some((l) => l.startsWith('include: unsupported top-level key "include": valid Compose, but the Swarm driver does not support it')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('services.web.network_mode: unsupported service key "network_mode"')), lines.join('\n'));
    // Deeper keys the typed subset does not know.
    assert.deepEqual(problems(svc('    ports:\n      - {target: 80, published: 8080, host_ip: 127.0.0.1}\n')), [
      'services.web.ports.0.host_ip: unknown key "host_ip": not a key the Swarm driver supports here (check the spelling; Compose keys that Swarm ignores are not supported)',
    ]);
  });

  it('reports an unsupported key once, not also for what is wrong inside it', () => {
    const lines = problems(svc('    gpus: some\n'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0] ?? '', /^services\.web\.gpus: unsupported service key "gpus"/);
  });

  it("checks values after interpolation and docker's casts", () => {
    const text = svc('    deploy:\n      replicas: ${N}\n    ports:\n      - target: ${PORT}\n        published: 8080\n');
    assert.equal(loadCompose(text, { N: '2', PORT: '80' }).file.services['web']?.deploy?.replicas, 2);
    assert.throws(() => loadCompose(text, { N: 'two', PORT: '80' }), /services\.web\.deploy\.replicas: "two" \(after interpolation\) is not an integer/);
  });

  it('every key the Swarm driver supports is a key of the specification', () => {
    const missing = (keys: readonly string[], spec: readonly string[]) => keys.filter((k) => !spec.includes(k));
    assert.deepEqual(missing(ALLOWED_KEYS.top, SPEC_KEYS.top), []);
    assert.deepEqual(missing(ALLOWED_KEYS.service, SPEC_KEYS.service), []);
    assert.deepEqual(missing(ALLOWED_KEYS.network, SPEC_KEYS.network), []);
    assert.deepEqual(missing(ALLOWED_KEYS.volume, SPEC_KEYS.volume), []);
    assert.deepEqual(missing(ALLOWED_KEYS.fileObject, SPEC_KEYS.config), []);
    // Secrets have no inline `content:` in the specification (configs do).
    assert.deepEqual(missing(ALLOWED_KEYS.fileObject, SPEC_KEYS.secret), ['content']);
  });
});
