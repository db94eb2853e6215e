// Removes secret and config versions of a stack that no service's spec (or previous spec,
// unless told otherwise) references (and that are not in `keep`, e.g. names recorded by kept releases).
import { LABEL_OBJECT_KEY } from '../compose/convert-stack.js';
import { LABEL_NAMESPACE } from '../compose/namespace.js';
import type { ServiceSpec } from '../compose/swarm-types.js';
import { EngineApiError } from '../engine/errors.js';
import type { SwarmApi } from '../engine/swarm-api.js';

function namesIn(spec: ServiceSpec | undefined, out: Set<string>): void {
  for (const s of spec?.TaskTemplate.ContainerSpec.Secrets ?? []) out.add(s.SecretName);
  for (const c of spec?.TaskTemplate.ContainerSpec.Configs ?? []) out.add(c.ConfigName);
}

export async function removeUnreferencedObjects(api: SwarmApi, stack: string, keep: Iterable<string> = [], opts: { includePrevious?: boolean } = {}): Promise<string[]> {
  const referenced = new Set<string>(keep);
  for (const svc of await api.listServices({ label: [`${LABEL_NAMESPACE}=${stack}`] })) {
    namesIn(svc.Spec, referenced);
    // During a rollout Swarm may roll back to PreviousSpec, so its objects must stay.
    const rolling = ['updating', 'rollback_started', 'paused', 'rollback_paused'].includes(svc.UpdateStatus?.State ?? '');
    if (opts.includePrevious !== false || rolling) namesIn(svc.PreviousSpec, referenced);
  }
  const filter = { label: [`${LABEL_NAMESPACE}=${stack}`, LABEL_OBJECT_KEY] };
  const candidates = [
    ...(await api.listSecrets(filter)).map((o) => ({ kind: 'secret' as const, id: o.ID, name: o.Spec.Name })),
    ...(await api.listConfigs(filter)).map((o) => ({ kind: 'config' as const, id: o.ID, name: o.Spec.Name })),
  ];
  const removed: string[] = [];
  for (const c of candidates) {
    if (referenced.has(c.name)) continue;
    try {
      await (c.kind === 'secret' ? api.removeSecret(c.id) : api.removeConfig(c.id));
      removed.push(`${c.kind} ${c.name}`);
    } catch (err) {
      // Still used by a task that is shutting down: the next prune removes it.
      if (!(err instanceof EngineApiError && (err.status === 400 || err.status === 404 || err.status === 409 || err.status === 500))) throw err;
    }
  }
  return removed;
}
