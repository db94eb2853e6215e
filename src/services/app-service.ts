// Apps and their environments. An app is created from its repository's slipway.yml.
import { inThreadSpecParser } from '../core/config-file.js';
import type { SpecParser } from '../core/ports/spec-parser.js';
import type { AppView } from '../core/wire/apps.js';
import { ConflictError, NotFoundError, PreconditionError } from '../core/errors.js';
import type { App, Environment } from '../core/model.js';
import type { SourceProvider } from '../core/ports/source.js';
import type { AppsAndEnvironments } from '../core/ports/store/apps-and-environments.js';
import type { AppSpec } from '../core/app-spec.js';
import type { Actor } from './actor.js';
import type { AuditTrail } from './audit-trail.js';
import { checkAppName } from './names.js';

export class AppService {
  constructor(
    private readonly store: AppsAndEnvironments,
    private readonly source: SourceProvider,
    private readonly audit: AuditTrail,
    private readonly specs: SpecParser = inThreadSpecParser,
  ) {}

  async create(actor: Actor, input: { name: string; repo: string; ref?: string }): Promise<AppView> {
    return this.audit.record(actor, 'app.create', input.name, { repo: input.repo }, async () => {
      checkAppName(input.name);
      if (await this.store.getApp(input.name)) throw new ConflictError(`app "${input.name}" already exists`);
      const spec = await this.specAt(input.repo, input.ref ?? 'HEAD');
      const app = await this.store.createApp({ name: input.name, repo: input.repo, driver: spec.driver }, envList(spec));
      return { ...app, environments: await this.store.listEnvironments(app.id) };
    });
  }

  async list(): Promise<AppView[]> {
    const [apps, envs] = await Promise.all([this.store.listApps(), this.store.listEnvironments()]);
    const byApp = new Map<string, Environment[]>();
    for (const e of envs) byApp.set(e.appId, [...(byApp.get(e.appId) ?? []), e]);
    return apps.map((a) => ({ ...a, environments: byApp.get(a.id) ?? [] }));
  }

  async get(name: string): Promise<AppView> {
    const app = await this.require(name);
    return { ...app, environments: await this.store.listEnvironments(app.id) };
  }

  async require(name: string): Promise<App> {
    const app = await this.store.getApp(name);
    if (!app) throw new NotFoundError('app', name);
    return app;
  }

  /** The environment, created first when the app's spec at `ref` has gained it. */
  async environment(app: App, name: string, ref?: string): Promise<Environment> {
    const existing = await this.store.getEnvironment(app.id, name);
    if (existing) return existing;
    const spec = await this.specAt(app.repo, ref ?? 'HEAD').catch(() => null);
    if (spec?.environments[name]) {
      await this.store.ensureEnvironments(app.id, envList(spec));
      const created = await this.store.getEnvironment(app.id, name);
      if (created) return created;
    }
    const known = (await this.store.listEnvironments(app.id)).map((e) => e.name);
    throw new NotFoundError(`environment of app ${app.name} (known: ${known.join(', ') || 'none'})`, name);
  }

  private async specAt(repo: string, ref: string): Promise<AppSpec> {
    const commit = await this.source.resolve(repo, ref);
    const text = await this.source.readFile(repo, commit.sha, 'slipway.yml');
    if (text === null) {
      throw new PreconditionError(`${repo} has no slipway.yml at ${ref} (${commit.sha.slice(0, 7)}); add one at the repository root`);
    }
    return this.specs.parse(text, `slipway.yml at ${commit.sha.slice(0, 7)}`);
  }
}

function envList(spec: AppSpec): { name: string; branch: string | null }[] {
  return Object.entries(spec.environments).map(([name, e]) => ({ name, branch: e.branch ?? null }));
}
