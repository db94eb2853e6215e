import { z } from 'zod';
import { createAppBody, maintenanceBody } from '../../core/wire/apps.js';
import type { Services } from '../../services/services.js';
import { JsonText, route } from '../route-table.js';

export function appRoutes(s: Services) {
  return [
    route({ method: 'GET', url: '/api/apps', tag: 'apps', summary: 'List apps and their environments', handler: async () => ({ apps: await s.apps.list() }) }),
    route({
      method: 'POST',
      url: '/api/apps',
      tag: 'apps',
      summary: 'Create an app from its repository',
      body: createAppBody,
      status: 201,
      handler: async ({ body, actor }) => ({ app: await s.apps.create(actor, body) }),
    }),
    route({ method: 'GET', url: '/api/apps/:app', tag: 'apps', summary: 'One app', handler: async ({ params }) => ({ app: await s.apps.get(params['app'] ?? '') }) }),
    route({
      method: 'GET',
      url: '/api/apps/:app/environments/:env/releases',
      tag: 'releases',
      summary: 'Releases of an environment, newest first',
      handler: async ({ params }) => ({ releases: await s.status.releases(params['app'] ?? '', params['env'] ?? '') }),
    }),
    route({
      method: 'PUT',
      url: '/api/apps/:app/environments/:env/maintenance',
      tag: 'environments',
      summary: 'Turn maintenance mode on or off',
      body: maintenanceBody,
      handler: async ({ params, body, actor }) => {
        await s.maintenance.set(actor, { app: params['app'] ?? '', env: params['env'] ?? '', ...body });
        return { ok: true };
      },
    }),
    route({
      method: 'GET',
      url: '/api/status',
      tag: 'status',
      summary: 'What runs where',
      query: z.strictObject({ app: z.string().optional() }),
      handler: async ({ query }) => {
        if (query.app) {
          const edge = s.status.edge();
          return { environments: await s.status.status(query.app), ...(edge ? { edge } : {}) };
        }
        const view = await s.status.allSerialized();
        return new JsonText(view.body, true, view.etag);
      },
    }),
    route({
      method: 'GET',
      url: '/api/audit',
      tag: 'audit',
      summary: 'The audit log, newest first',
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        before: z.coerce.number().int().min(1).optional(),
        target: z.string().optional(),
      }),
      handler: async ({ query }) => ({
        events: await s.audit.list({ limit: query.limit, ...(query.before ? { beforeId: query.before } : {}), ...(query.target ? { target: query.target } : {}) }),
      }),
    }),
  ];
}
