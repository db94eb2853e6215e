// Build once: the image of the app at the deployed commit, built through the Engine API,
// tagged <registry>/<app>:<short-sha>, pushed, and recorded by digest with the compose file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { BuildResult, DriverContext, SourceTree } from '../../core/ports/runtime-driver.js';
import { loadCompose } from './compose/load-compose.js';
import type { EngineClient } from './engine/engine-client.js';
import { buildImage, digestReference, pushImage, type RegistryAuth } from './engine/images.js';
import type { SwarmReleaseState } from './release-state.js';

export function stackName(ctx: Pick<DriverContext, 'app' | 'environment' | 'spec'>): string {
  return ctx.spec.swarm?.stack ?? `${ctx.app.name}-${ctx.environment.name}`;
}

/** Registry credentials: REGISTRY_USERNAME (variable or secret) and REGISTRY_PASSWORD (secret). */
export function registryAuth(ctx: Pick<DriverContext, 'variables' | 'secrets'>, registry: string): RegistryAuth | null {
  const password = ctx.secrets['REGISTRY_PASSWORD'];
  if (!password) return null;
  const username = ctx.secrets['REGISTRY_USERNAME']?.reveal() ?? ctx.variables['REGISTRY_USERNAME'] ?? '';
  return { serveraddress: registry, username, password };
}

export async function buildRelease(engine: EngineClient, ctx: DriverContext, req: { releaseId: string; source: SourceTree }, defaultRegistry: string | undefined): Promise<BuildResult> {
  const composeRel = ctx.spec.swarm?.compose ?? 'docker-compose.yml';
  const composePath = path.join(req.source.dir, composeRel);
  let text: string;
  try {
    text = readFileSync(composePath, 'utf8');
  } catch {
    throw new ConfigError(`${composeRel}: not found in the repository at ${req.source.commitSha ?? 'the upload'}; add it or set swarm.compose in slipway.yml`);
  }
  const { file } = loadCompose(text, ctx.variables, composeRel);
  const imageServices = ctx.spec.swarm?.image_service ?? Object.entries(file.services).filter(([, s]) => s.build !== undefined).map(([n]) => n);
  if (imageServices.length === 0) throw new ConfigError(`${composeRel}: no service has build:, and swarm.image_service is not set: say which services run the app's image`);
  const first = file.services[imageServices[0] as string];
  if (!first) throw new ConfigError(`slipway.yml: swarm.image_service: no service ${JSON.stringify(imageServices[0])} in ${composeRel}`);
  const build = typeof first.build === 'string' ? { context: first.build } : (first.build ?? {});
  const contextDir = path.resolve(path.dirname(composePath), typeof build.context === 'string' ? build.context : '.');
  if (path.relative(req.source.dir, contextDir).startsWith('..')) throw new ConfigError(`${composeRel}: build context ${String(build.context)} is outside the repository`);

  const registry = ctx.spec.swarm?.registry ?? defaultRegistry;
  if (!registry) throw new ConfigError('slipway.yml: swarm.registry: set the registry images are pushed to (e.g. registry.example.com or 127.0.0.1:5000)');
  const short = (req.source.commitSha ?? req.releaseId).slice(0, 7);
  const tag = `${registry}/${ctx.app.name}:${short}`;
  ctx.log.info(`building ${tag} from ${path.relative(req.source.dir, contextDir) || '.'}`);
  await buildImage(engine, {
    contextDir,
    tag,
    dockerfile: typeof build.dockerfile === 'string' ? build.dockerfile : undefined,
    labels: { 'com.slipway.app': ctx.app.name, 'com.slipway.commit': req.source.commitSha ?? '' },
    onLine: (l) => ctx.log.output('stdout', l),
    signal: ctx.signal,
  });
  const digest = await pushImage(engine, tag, registryAuth(ctx, registry), (l) => ctx.log.output('stdout', l), ctx.signal);
  const image = digestReference(tag, digest);
  ctx.log.info(`pushed ${image}`);

  const configFiles: Record<string, string> = {};
  for (const [key, def] of Object.entries(file.configs ?? {})) {
    if (def.file === undefined) continue;
    const p = path.resolve(path.dirname(composePath), def.file);
    if (path.relative(req.source.dir, p).startsWith('..')) throw new ConfigError(`${composeRel}: configs.${key}.file is outside the repository`);
    configFiles[def.file] = readFileSync(p).toString('base64');
  }
  const state: SwarmReleaseState = { stack: stackName(ctx), image, tag, imageServices, compose: text, composeFile: composeRel, configFiles };
  return { artifact: image, driverState: { ...state } };
}
