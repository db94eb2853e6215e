import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolateString, interpolateTree } from '../../src/drivers/swarm/compose/interpolate.js';

const vars = { SET: 'value', EMPTY: '', PORT: '8080' };
const i = (s: string) => interpolateString(s, vars, 'services.web.image');

describe('Compose interpolation', () => {
  it('substitutes $VAR and ${VAR}; unset is empty', () => {
    assert.equal(i('a-$SET-b'), 'a-value-b');
    assert.equal(i('a-${SET}-b'), 'a-value-b');
    assert.equal(i('x${UNSET}y'), 'xy');
    assert.equal(i('$SET$PORT'), 'value8080');
  });

  it('handles defaults with and without the colon (unset vs empty)', () => {
    assert.equal(i('${UNSET:-d}'), 'd');
    assert.equal(i('${EMPTY:-d}'), 'd');
    assert.equal(i('${SET:-d}'), 'value');
    assert.equal(i('${UNSET-d}'), 'd');
    assert.equal(i('${EMPTY-d}'), '');
    assert.equal(i('${UNSET:-${PORT}}'), '8080');
    assert.equal(i('${UNSET:-a b:c}'), 'a b:c');
  });

  it('handles ${VAR:+alt} and ${VAR+alt}', () => {
    assert.equal(i('${SET:+on}'), 'on');
    assert.equal(i('${EMPTY:+on}'), '');
    assert.equal(i('${EMPTY+on}'), 'on');
    assert.equal(i('${UNSET+on}'), '');
  });

  it('fails on required variables with their message and the path', () => {
    assert.equal(i('${SET:?need it}'), 'value');
    assert.throws(() => i('${UNSET:?set the app image}'), /services\.web\.image: required variable UNSET is missing or empty: set the app image/);
    assert.throws(() => i('${EMPTY:?x}'), /missing or empty/);
    assert.equal(i('${EMPTY?x}'), '');
    assert.throws(() => i('${UNSET?x}'), /required variable UNSET is missing: x/);
  });

  it('turns $$ into a literal $ and rejects a lone $ or an unterminated ${', () => {
    assert.equal(i('costs $$5 and $${SET}'), 'costs $5 and ${SET}');
    assert.throws(() => i('costs $5'), /write "\$\$" for a literal/);
    assert.throws(() => i('${SET'), /unterminated/);
    assert.throws(() => i('${1X}'), /invalid variable name/);
  });

  it('walks a whole tree, leaves keys and numbers alone, and collects every issue with its path', () => {
    const tree = { services: { web: { image: '${IMG:?}', environment: { $KEY: '$SET', N: 3 }, command: ['a', '${UNSET:?needed}'] } } };
    const { value, issues } = interpolateTree(tree, { ...vars, IMG: 'img' });
    assert.deepEqual(value, { services: { web: { image: 'img', environment: { $KEY: 'value', N: 3 }, command: ['a', '${UNSET:?needed}'] } } });
    assert.deepEqual(issues, [{ path: 'services.web.command.1', message: 'required variable UNSET is missing or empty: needed' }]);
  });
  it('casts interpolated values where docker stack deploy does (replicas, ports, booleans), and only those', () => {
    const tree = {
      services: {
        web: {
          image: '${N}',
          deploy: { replicas: '${N}', update_config: { max_failure_ratio: '${R}' } },
          ports: [{ target: '${N}', published: '80${N}' }],
          read_only: '${YES}',
          environment: { N: '${N}' },
        },
      },
      networks: { net: { external: '${NO}' } },
    };
    const { value, issues } = interpolateTree(tree, { N: '2', R: '0.5', YES: 'yes', NO: 'off' });
    assert.deepEqual(issues, []);
    assert.deepEqual(value, {
      services: {
        web: {
          image: '2',
          deploy: { replicas: 2, update_config: { max_failure_ratio: 0.5 } },
          ports: [{ target: 2, published: 802 }],
          read_only: true,
          environment: { N: '2' },
        },
      },
      networks: { net: { external: false } },
    });
    // A literal (not interpolated) string is left as written, as docker does.
    assert.deepEqual(interpolateTree({ services: { w: { deploy: { replicas: '2' } } } }, {}).value, { services: { w: { deploy: { replicas: '2' } } } });
    const bad = interpolateTree({ services: { w: { deploy: { replicas: '${N}' } } } }, { N: 'two' });
    assert.deepEqual(bad.issues, [{ path: 'services.w.deploy.replicas', message: '"two" (after interpolation) is not an integer' }]);
  });
});
