// `slipway config validate [PATH]` and `slipway config schema`: local, no server needed.
// The schema modules (zod, yaml) are loaded only when these commands run.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { jsonOption } from '../options.js';

export function registerConfig(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('check an app spec (slipway.yml) locally');
  config
    .command('validate')
    .description('validate a slipway.yml; exit 0 when valid, 2 with every problem otherwise')
    .argument('[path]', 'the file to check', 'slipway.yml')
    .addOption(jsonOption())
    .action(async (file: string, opts: { json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        const code = (err as { code?: string }).code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
        throw new ConfigError(`${file}: ${why}; give the path of an app spec, e.g. \`slipway config validate ./slipway.yml\``, { file });
      }
      const { parseAppSpec } = await import('../../core/config-file.js');
      parseAppSpec(text, file);
      if (opts.json) return ctx.json({ file, valid: true });
      ctx.out(`${file}: valid`);
    });
  config
    .command('schema')
    .description('print the JSON Schema of slipway.yml (for editors)')
    .action(async () => {
      const { appSpecJsonSchema } = await import('../../core/app-spec.js');
      ctx.json(appSpecJsonSchema());
    });
}
