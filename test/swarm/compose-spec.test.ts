import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { ConfigError } from '../../src/core/errors.js';
import { ALLOWED_KEYS } from '../../src/drivers/swarm/compose/compose-schema.js';
import { composeSpecSchema, SPEC_KEYS, validateComposeSpec } from '../../src/drivers/swarm/compose/compose-spec-validator.js';
import { interpolateTree } from '../../src/drivers/swarm/compose/interpolate.js';
import { loadCompose } from '../../src/drivers/swarm/compose/load-compose.js';
import { projectRoot } from '../support/entry.js';

const fixtures = path.join(projectRoot, 'test', 'fixtures', 'compose');
const fixtureNames = ['custom-domain.yml', 'django.yml', 'rollout.yml'];
const images = { APP_IMAGE: 'reg:5000/app@sha256:aaa', REDIS_IMAGE: 'reg:5000/redis@sha256:bbb', NGINX_IMAGE: 'reg:5000/nginx@sha256:ccc' };

function tree(file: string): unknown {
  const raw: unknown = parse(readFileSync(path.join(fixtures, file), 'utf8'), { version: '1.1', merge: true });
  return interpolateTree(raw, images).value;
}

/** The error's lines without the file prefix, e.g. "services.web.image: expected a string, got an integer". */
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

describe('Compose specification JSON Schema', () => {
  // First in the file so that the first call includes compiling the schema.
  it('validates the largest fixture; the schema is compiled once and cached', (t) => {
    const largest = [...fixtureNames].sort((a, b) => statSync(path.join(fixtures, b)).size - statSync(path.join(fixtures, a)).size)[0] ?? '';
    const value = tree(largest);
    const cpu0 = process.cpuUsage();
    let start = performance.now();
    assert.deepEqual(validateComposeSpec(value), []);
    const first = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    const runs = 200;
    const times: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      start = performance.now();
      validateComposeSpec(value);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(runs / 2)] ?? 0;
    t.diagnostic(`${largest}: first call (compile + validate) ${first.toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU; cached validate median ${(median * 1000).toFixed(0)} us over ${runs} runs`);
    assert.ok(median < first, 'cached validation is cheaper than the first call');
  });

  it('the vendored schema is a valid draft-07 JSON Schema', () => {
    const text = readFileSync(path.join(projectRoot, 'src', 'drivers', 'swarm', 'compose', 'compose-spec.json'), 'utf8');
    assert.equal((JSON.parse(text) as { $schema?: string }).$schema, 'https://json-schema.org/draft-07/schema');
    const ajv = new Ajv({ strict: false });
    assert.equal(ajv.validateSchema(composeSpecSchema()), true, JSON.stringify(ajv.errors));
  });

  it('accepts every fixture', () => {
    for (const f of fixtureNames) assert.deepEqual(validateComposeSpec(tree(f)), [], f);
  });

  it('reports a wrong type deep in deploy.update_config with its path', () => {
    assert.deepEqual(problems(svc('    deploy:\n      update_config:\n        delay: 5\n        parallelism: [1]\n        order: sideways\n')), [
      'services.web.deploy.update_config.parallelism: expected an integer or a string, got a list',
      'services.web.deploy.update_config.delay: expected a string, got an integer',
      'services.web.deploy.update_config.order: expected one of "start-first", "stop-first", got "sideways"',
    ]);
  });

  it('reports an unknown top-level key as not in the specification', () => {
    assert.deepEqual(problems('servics:\n  web:\n    image: i\n'), ['servics: unknown key "servics": not in the Compose specification (check the spelling)']);
  });

  it('collapses oneOf noise for a bad ports entry into one message per path', () => {
    assert.deepEqual(problems(svc('    ports:\n      - true\n      - {target: 80, host: 8080}\n      - "8080:80"\n')), [
      'services.web.ports.0: expected a number, a string or a mapping, got a boolean',
      'services.web.ports.1.host: unknown key "host": not in the Compose specification (check the spelling)',
    ]);
    assert.deepEqual(problems(svc('    environment:\n      A: [1]\n')), ['services.web.environment.A: expected a string, a number, a boolean or null, got a list']);
    assert.deepEqual(problems(svc('    dns: 5\n')), ['services.web.dns: expected a string or a list, got an integer']);
  });

  it('reports an invalid service name against the pattern', () => {
    assert.deepEqual(problems('services:\n  "my web":\n    image: i\n'), [
      'services.my web: invalid name "my web": it must match ^[a-zA-Z0-9._-]+$ (letters, digits, ".", "_" and "-")',
    ]);
  });

  it('allows x- extensions where the specification declares them and rejects them elsewhere', () => {
    const ok = 'x-common: &c {a: 1}\nservices:\n  web:\n    image: i\n    x-note: 1\n    deploy:\n      x-note: 1\n      update_config: {x-note: 1}\n';
    assert.deepEqual(problems(ok), []);
    // Every object the Swarm driver supports allows x-*; where the specification does not (blkio_config,
    // extends, include, env_file entries), the schema says so. Through loadCompose the unsupported key is
    // reported instead (see below), so the schema's own message is checked directly.
    assert.deepEqual(validateComposeSpec({ services: { web: { image: 'i', blkio_config: { 'x-note': 1 } } } }), [
      {
        path: 'services.web.blkio_config.x-note',
        message: 'extension key "x-note" is not allowed here: the Compose specification allows x-* keys only in objects that declare them (top level, services, deploy and most of their sub-objects)',
      },
    ]);
  });

  it('tells keys the specification defines but Swarm does not support from unknown keys', () => {
    const lines = problems('include: [other.yml]\n' + svc('    network_mode: host\n    ports:\n      - {target: 80, published: 8080, host_ip: 127.0.0.1}\n'));
    assert.ok(lines.some((l) => l.startsWith('include: unsupported top-level key "include": valid Compose, but the Swarm driver does not support it')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('services.web.network_mode: unsupported service key "network_mode"')), lines.join('\n'));
    // Deeper keys: the spec passes them, the typed subset does not know them.
    assert.deepEqual(problems(svc('    ports:\n      - {target: 80, published: 8080, host_ip: 127.0.0.1}\n')), [
      'services.web.ports.0.host_ip: unsupported key "host_ip": valid Compose, but the Swarm driver does not support it',
    ]);
  });

  it('reports an unsupported key once, not also for what is wrong inside it', () => {
    const lines = problems(svc('    gpus: some\n'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0] ?? '', /^services\.web\.gpus: unsupported service key "gpus"/);
  });

  it('checks values after interpolation and docker\'s casts', () => {
    const text = svc('    deploy:\n      replicas: ${N}\n    ports:\n      - target: ${PORT}\n        published: 8080\n');
    assert.equal(loadCompose(text, { N: '2', PORT: '80' }).file.services['web']?.deploy?.replicas, 2);
    assert.throws(() => loadCompose(text, { N: 'two', PORT: '80' }), /services\.web\.deploy\.replicas: "two" \(after interpolation\) is not an integer/);
  });

  it('every key the Swarm driver supports is defined by the specification', () => {
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
