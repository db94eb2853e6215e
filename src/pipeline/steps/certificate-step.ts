// The `certificates` step, before anything of the new release runs or traffic moves: a route with
// TLS gets a valid certificate for every host on the edge (stored, issued by the ACME CA, or the
// environment's own from its secrets). A refusal fails the deployment with the CA's problem detail
// and nothing else has changed: the previous release keeps serving. Nothing to undo: a certificate
// on the edge serves no route until the route is switched.
import { routeHosts } from '../../core/app-spec.js';
import { PreconditionError } from '../../core/errors.js';
import type { PipelineDeps } from '../pipeline-deps.js';
import type { Step } from '../step.js';

export function certificates(deps: PipelineDeps): Step<'specText'> {
  return {
    name: 'certificates',
    async run(ctx) {
      const route = ctx.target.envSpec(ctx.target.spec(ctx.state.specText)).route;
      if (!route || route.tls === 'off') return {};
      const where = `${ctx.app.name}/${ctx.environment.name}: route.tls`;
      if (!deps.certificates) {
        throw new PreconditionError(`${where}: this control plane has no certificate service, so it cannot serve HTTPS; set tls: off or run a Slipway with HTTPS at the edge`);
      }
      const hosts = routeHosts(route);
      const mode = route.tls === 'auto'
        ? 'auto' as const
        : { certificateSecret: route.tls.certificate_secret, keySecret: route.tls.key_secret, secrets: ctx.target.secrets };
      ctx.log.info(`certificates for ${hosts.join(', ')} (${route.tls === 'auto' ? 'ACME' : 'own, from secrets'})`);
      await deps.certificates.ensure(where, hosts, mode, (line) => ctx.log.info(line), ctx.signal);
      return {};
    },
  };
}
