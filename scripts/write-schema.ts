// Writes schema/slipway.schema.json, the JSON Schema of slipway.yml for editors.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appSpecJsonSchema } from '../src/core/app-spec.js';
import { projectRoot } from '../test/support/entry.js';

const file = path.join(projectRoot, 'schema', 'slipway.schema.json');
await writeFile(file, JSON.stringify(appSpecJsonSchema(), null, 2) + '\n');
console.log(`wrote ${file}`);
