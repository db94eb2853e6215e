// The StackPlan of a release in an environment: the recorded compose file, the release's
// image for the image services, and content-addressed secrets (values from Slipway's
// encrypted store) and configs.
import { ConfigError } from '../../core/errors.js';
import type { DriverContext } from '../../core/ports/runtime-driver.js';
import type { ComposeFileObject } from './compose/compose-schema.js';
import { convertStack, type StackPlan } from './compose/convert-stack.js';
import { loadCompose } from './compose/load-compose.js';
import type { SwarmReleaseState } from './release-state.js';

export function releasePlan(ctx: Pick<DriverContext, 'variables' | 'secrets'>, state: SwarmReleaseState): StackPlan {
  const { file, warnings } = loadCompose(state.compose, ctx.variables, state.composeFile);
  const images = Object.fromEntries(state.imageServices.map((s) => [s, state.image]));
  const objectData = (kind: 'secret' | 'config', key: string, def: ComposeFileObject): Buffer | undefined => {
    if (def.content !== undefined) return Buffer.from(def.content);
    if (def.environment !== undefined) {
      const secret = ctx.secrets[def.environment];
      if (secret) return Buffer.from(secret.reveal());
      if (kind === 'secret') return undefined;
      const plain = ctx.variables[def.environment];
      return plain === undefined ? undefined : Buffer.from(plain);
    }
    if (def.file !== undefined) {
      if (kind === 'secret') {
        throw new ConfigError(`${state.composeFile}: secrets.${key}: secrets are not read from files in the repository; use "environment: ${key.toUpperCase()}" and \`slipway secrets set\``);
      }
      const data = state.configFiles[def.file];
      return data === undefined ? undefined : Buffer.from(data, 'base64');
    }
    return undefined;
  };
  return convertStack(file, { stack: state.stack, images, objectData, versioned: true, fileName: state.composeFile }, warnings);
}

/** Services that run once per deploy (mode: replicated-job) rather than continuously. */
export function isJob(spec: { Mode: object }): boolean {
  return 'ReplicatedJob' in spec.Mode || 'GlobalJob' in spec.Mode;
}
