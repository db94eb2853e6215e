import { lockBody } from '../../core/wire/locks.js';
import { secretEnvQuery, setSecretBody } from '../../core/wire/secrets.js';
import type { Services } from '../../services/services.js';
import { route } from '../route-table.js';

export function secretRoutes(s: Services) {
  return [
    route({
      method: 'GET',
      url: '/api/apps/:app/secrets',
      tag: 'secrets',
      summary: 'Secret names (never values)',
      query: secretEnvQuery,
      handler: async ({ params, query }) => ({ secrets: await s.secrets.list({ app: params['app'] ?? '', env: query.env ?? null }) }),
    }),
    route({
      method: 'PUT',
      url: '/api/apps/:app/secrets/:name',
      tag: 'secrets',
      summary: 'Set a secret (app-wide, or for one environment)',
      body: setSecretBody,
      handler: async ({ params, body, actor }) => ({
        secret: await s.secrets.set(actor, { app: params['app'] ?? '', name: params['name'] ?? '', value: body.value, env: body.env ?? null }),
      }),
    }),
    route({
      method: 'DELETE',
      url: '/api/apps/:app/secrets/:name',
      tag: 'secrets',
      summary: 'Remove a secret',
      query: secretEnvQuery,
      handler: async ({ params, query, actor }) => {
        await s.secrets.unset(actor, { app: params['app'] ?? '', name: params['name'] ?? '', env: query.env ?? null });
      },
    }),
    route({ method: 'GET', url: '/api/locks', tag: 'locks', summary: 'Held environment locks', handler: async () => ({ locks: await s.locks.list() }) }),
    route({
      method: 'PUT',
      url: '/api/apps/:app/environments/:env/lock',
      tag: 'locks',
      summary: 'Lock an environment: deployments queue until it is unlocked',
      body: lockBody,
      handler: async ({ params, body, actor }) => ({ lock: await s.locks.lock(actor, { app: params['app'] ?? '', env: params['env'] ?? '', reason: body.reason }) }),
    }),
    route({
      method: 'DELETE',
      url: '/api/apps/:app/environments/:env/lock',
      tag: 'locks',
      summary: 'Release a manual lock',
      handler: async ({ params, actor }) => {
        await s.locks.unlock(actor, { app: params['app'] ?? '', env: params['env'] ?? '' });
      },
    }),
  ];
}
