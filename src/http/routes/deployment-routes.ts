import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { InvalidInputError, SlipwayError } from '../../core/errors.js';
import { Transform } from 'node:stream';
import { deployBody, deploymentListQuery, rollbackBody } from '../../core/wire/deployments.js';
import type { Services } from '../../services/services.js';
import { route } from '../route-table.js';

const UPLOAD_LIMIT = 512 * 1024 * 1024;

function tooLarge(): SlipwayError {
  return new SlipwayError('payload_too_large', `the upload is larger than ${UPLOAD_LIMIT / 1024 / 1024} MiB; leave build output and dependencies out of the archive`);
}

/** Fails the stream once more than `limit` bytes went through (a raw body has no Fastify limit). */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) return done(tooLarge());
      done(null, chunk);
    },
  });
}

export function deploymentRoutes(s: Services) {
  return [
    route({
      method: 'POST',
      url: '/api/apps/:app/environments/:env/deployments',
      tag: 'deployments',
      summary: 'Deploy a ref (default: the environment branch); queued behind a running deployment',
      body: deployBody,
      status: 202,
      handler: async ({ params, body, actor }) => ({
        deployment: await s.deployments.deploy(actor, { app: params['app'] ?? '', env: params['env'] ?? '', ...body }),
      }),
    }),
    route({
      method: 'POST',
      url: '/api/apps/:app/environments/:env/uploads',
      tag: 'deployments',
      summary: 'Deploy an uploaded tarball of the app (gzip or plain tar)',
      raw: { contentTypes: ['application/gzip', 'application/x-tar'], bodyLimit: UPLOAD_LIMIT },
      status: 202,
      handler: async ({ params, actor, req }) => {
        if (!req.body || typeof (req.body as Readable).pipe !== 'function') {
          throw new InvalidInputError('send the tarball as the request body with Content-Type application/gzip or application/x-tar');
        }
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > UPLOAD_LIMIT) throw tooLarge();
        await mkdir(s.uploadDir, { recursive: true, mode: 0o700 });
        const file = path.join(s.uploadDir, `${randomUUID()}.tar`);
        try {
          await pipeline(req.body as Readable, byteLimit(UPLOAD_LIMIT), createWriteStream(file, { mode: 0o600 }));
          return { deployment: await s.deployments.deploy(actor, { app: params['app'] ?? '', env: params['env'] ?? '', upload: file }) };
        } catch (err) {
          await rm(file, { force: true });
          throw err;
        }
      },
    }),
    route({
      method: 'POST',
      url: '/api/apps/:app/environments/:env/rollback',
      tag: 'deployments',
      summary: 'Bring back the previous release, or --to a given one',
      body: rollbackBody,
      status: 202,
      handler: async ({ params, body, actor }) => ({
        deployment: await s.deployments.rollback(actor, { app: params['app'] ?? '', env: params['env'] ?? '', ...body }),
      }),
    }),
    route({
      method: 'GET',
      url: '/api/deployments',
      tag: 'deployments',
      summary: 'Deployments, newest first',
      query: deploymentListQuery,
      handler: async ({ query }) => ({ deployments: await s.deployments.list(query) }),
    }),
    route({
      method: 'GET',
      url: '/api/deployments/:id',
      tag: 'deployments',
      summary: 'One deployment with its steps',
      handler: async ({ params }) => ({ deployment: await s.deployments.get(params['id'] ?? '') }),
    }),
    route({
      method: 'POST',
      url: '/api/deployments/:id/cancel',
      tag: 'deployments',
      summary: 'Cancel a queued or running deployment (a running one is compensated)',
      status: 202,
      handler: async ({ params, actor }) => ({ deployment: await s.deployments.cancel(actor, params['id'] ?? '') }),
    }),
    route({
      method: 'GET',
      url: '/api/deployments/:id/log',
      tag: 'deployments',
      summary: 'The deployment log; with follow=1 an NDJSON stream until the deployment ends',
      query: z.strictObject({
        after: z.coerce.number().int().min(0).default(0),
        follow: z.enum(['0', '1', 'true', 'false']).optional(),
        limit: z.coerce.number().int().min(1).max(10000).default(1000),
      }),
      handler: async ({ params, query, req, reply }) => {
        const id = params['id'] ?? '';
        if (query.follow !== '1' && query.follow !== 'true') {
          return { lines: await s.deployments.readLog(id, query.after, query.limit) };
        }
        const abort = new AbortController();
        const events = s.deployments.follow(id, query.after, abort.signal);
        const first = await events.next(); // throws NotFoundError before any header is sent
        req.raw.on('close', () => abort.abort());
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
        if (!first.done) reply.raw.write(JSON.stringify(first.value) + '\n');
        for await (const e of events) {
          if (abort.signal.aborted) break;
          reply.raw.write(JSON.stringify(e) + '\n');
        }
        reply.raw.end();
        return undefined;
      },
    }),
  ];
}
