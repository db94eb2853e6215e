// Every setting is documented where a newcomer looks: `slipway server --help` (name, default,
// meaning) and the README's Settings table. A setting added to env.ts without both fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { settingDefaults } from '../../src/platform/env.js';
import { SETTING_MEANINGS } from '../../src/platform/settings-doc.js';
import { projectRoot } from '../support/entry.js';
import { runCli } from './run-cli.js';

describe('settings are documented', () => {
  const settings = settingDefaults();

  it('each has a meaning for --help, and no meaning is left over', () => {
    assert.ok(settings.length > 10);
    for (const s of settings) assert.ok(SETTING_MEANINGS[s.name], `${s.name} has no line in src/platform/settings-doc.ts`);
    for (const name of Object.keys(SETTING_MEANINGS)) assert.ok(settings.some((s) => s.name === name), `${name} is documented but not a setting`);
  });

  it('the README Settings table lists each', () => {
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Settings'));
    for (const s of settings) assert.match(table, new RegExp(`^\\| [^|]*\`${s.name}\``, 'm'), `README's Settings table lacks ${s.name}`);
  });

  it('slipway server --help prints each with its default', async () => {
    const r = await runCli(['server', '--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const s of settings) {
      const shown = s.default === undefined ? '(unset)' : s.default === '' ? '(none)' : s.default;
      assert.match(r.stdout, new RegExp(`^  ${s.name} +${shown.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} `, 'm'), `${s.name} ${shown}`);
    }
  });
});
