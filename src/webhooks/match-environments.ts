// Which environments of an app a verified push or tag deploys, and why the others do not.
import type { EnvironmentSpec } from '../core/app-spec.js';
import { tagGlobMatches } from './tag-glob.js';
import type { WebhookEvent } from './webhook-event.js';

export interface EnvironmentMatch {
  env: string;
  reason: string;
}

export interface EnvironmentMapping {
  /** Environments to deploy `event.commitSha` to, each with why. */
  deploy: EnvironmentMatch[];
  /** Environments that the ref maps to but that do not deploy on push (auto_deploy: false). */
  manualOnly: EnvironmentMatch[];
  /** Why nothing (more) is deployed, for the 202 answer and the delivery record; empty when all matched. */
  unmapped: string[];
}

function describeEvent(e: WebhookEvent): string {
  if (e.branch !== null) return `push to branch ${e.branch}`;
  if (e.tag !== null) return `tag ${e.tag}`;
  return e.ref ?? e.event;
}

/** What of a spec decides which pushes deploy (an AppSpec is one). */
export interface TriggerSpec {
  environments: Record<string, Pick<EnvironmentSpec, 'branch' | 'tags' | 'auto_deploy'>>;
}

export function matchEnvironments(spec: TriggerSpec, event: WebhookEvent): EnvironmentMapping {
  const out: EnvironmentMapping = { deploy: [], manualOnly: [], unmapped: [] };
  if (event.event === 'ping') return { ...out, unmapped: ['ping: nothing to deploy'] };
  if (event.event === 'other' || event.ref === null) {
    return { ...out, unmapped: [`${event.event === 'other' && event.ref ? `ref ${event.ref}` : 'this event'} is neither a branch push nor a tag: nothing to deploy`] };
  }
  if (event.deleted || event.commitSha === null) return { ...out, unmapped: [`${describeEvent(event)} deleted the ref: nothing to deploy`] };

  const envs = Object.entries(spec.environments);
  for (const [env, e] of envs) {
    let why: string | null = null;
    if (event.branch !== null && e.branch === event.branch) why = `branch ${event.branch} deploys ${env}`;
    if (event.tag !== null && e.tags !== undefined && tagGlobMatches(e.tags, event.tag)) why = `tag ${event.tag} matches ${JSON.stringify(e.tags)} of ${env}`;
    if (why === null) continue;
    if (e.auto_deploy) out.deploy.push({ env, reason: why });
    else out.manualOnly.push({ env, reason: `${why}, but ${env} has auto_deploy: false (deploy it by hand or promote to it)` });
  }
  for (const m of out.manualOnly) out.unmapped.push(m.reason);
  if (out.deploy.length === 0 && out.manualOnly.length === 0) {
    const mapped = envs
      .map(([env, e]) => [e.branch !== undefined ? `${env} follows branch ${e.branch}` : null, e.tags !== undefined ? `${env} takes tags ${e.tags}` : null])
      .flat()
      .filter((s): s is string => s !== null);
    out.unmapped.push(`${describeEvent(event)} maps to no environment (${mapped.length > 0 ? mapped.join('; ') : 'no environment names a branch or tags'})`);
  }
  return out;
}
