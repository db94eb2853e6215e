// `${NAME}` in command argv: parsing, expansion, and the spec validation that refuses what cannot expand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appSpecSchema } from '../../src/core/app-spec.js';
import { ArgvSyntaxError, expandArgv, referencedNames } from '../../src/core/argv-variables.js';

describe('argv variables', () => {
  it('expands ${NAME} inside an argument, keeps $ before anything else, and $$ is a literal $', () => {
    const argv = ['gunicorn', '--bind', '127.0.0.1:${PORT}', '--name=${SLIPWAY_APP}-${SLIPWAY_ENV}', '$HOME', 'cost: $$5', 'a$', '${PORT}${PORT}'];
    assert.deepEqual(expandArgv(argv, { PORT: '4100', SLIPWAY_APP: 'shop', SLIPWAY_ENV: 'prod' }), [
      'gunicorn', '--bind', '127.0.0.1:4100', '--name=shop-prod', '$HOME', 'cost: $5', 'a$', '41004100',
    ]);
    assert.deepEqual(referencedNames(argv), ['PORT', 'SLIPWAY_APP', 'SLIPWAY_ENV']);
  });

  it('values are not expanded again, and an argument without $ is returned as it is', () => {
    assert.deepEqual(expandArgv(['${A}', 'plain'], { A: '${B} $$' }), ['${B} $$', 'plain']);
  });

  it('refuses an unterminated reference, a bad name and a name it is not given', () => {
    assert.throws(() => expandArgv(['x${PORT'], {}), (e: unknown) => e instanceof ArgvSyntaxError && /without a closing/.test(e.message));
    assert.throws(() => expandArgv(['${1X}'], {}), /not a variable name/);
    assert.throws(() => expandArgv(['${NOPE}'], { PORT: '1' }), /\$\{NOPE\} is not a variable/);
  });
});

describe('slipway.yml: references in commands', () => {
  const base = {
    processes: { web: { command: ['gunicorn', '--bind', '127.0.0.1:${PORT}', '--workers', '${WORKERS}'], http: true } },
    variables: { WORKERS: '2' },
    environments: { staging: {}, production: { variables: { EXTRA: 'x' } } },
  };

  it('accepts PORT in an http process, the spec variables and the built-in names', () => {
    const r = appSpecSchema.safeParse({ ...base, build: [['make', 'RELEASE=${SLIPWAY_RELEASE}']], release: [['./migrate', '--env', '${SLIPWAY_ENV}']] });
    assert.equal(r.success, true, JSON.stringify(r.error?.issues));
  });

  it('refuses, naming the path: PORT outside http processes, unknown names, secrets, variables missing in one environment, bad syntax', () => {
    const r = appSpecSchema.safeParse({
      ...base,
      processes: {
        ...base.processes,
        worker: { command: ['work', '--port', '${PORT}', '--extra', '${EXTRA}'] },
      },
      release: [['migrate', '--url', '${DATABASE_URL}'], ['oops', '${BROKEN']],
    });
    assert.equal(r.success, false);
    const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.ok(issues.some((i) => i.startsWith('processes.worker.command.2: ${PORT} is given only to processes with http: true')), issues.join('\n'));
    assert.ok(issues.some((i) => i.startsWith('processes.worker.command.4: ${EXTRA} is not a variable of environment staging')), issues.join('\n'));
    assert.ok(issues.some((i) => i.startsWith('release.0.2: ${DATABASE_URL} is not a variable: define it under variables (secrets are never put on a command line')), issues.join('\n'));
    assert.ok(issues.some((i) => i.startsWith('release.1.1: "${BROKEN" has "${" without a closing "}"')), issues.join('\n'));
  });
});
