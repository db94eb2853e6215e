// One error-to-status table: the control plane's HTTP API and the edge's admin API answer every
// error code with the same status (src/core/error-status.ts), each in its own body shape.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { HTTP_STATUS } from '../../src/core/error-status.js';
import { SlipwayError, type ErrorCode } from '../../src/core/errors.js';
import { createAdminHandler } from '../../src/edge/admin/admin-api.js';
import type { RouteRegistry } from '../../src/edge/routing/route-registry.js';
import { installErrorHandler } from '../../src/http/error-handler.js';
import { createLogger } from '../../src/platform/logger.js';

const codes = Object.keys(HTTP_STATUS) as ErrorCode[];
const fail = (code: ErrorCode) => new SlipwayError(code, `failed with ${code}`, { code });

describe('error statuses', () => {
  let api: FastifyInstance;
  let admin: http.Server;
  let adminUrl: string;

  before(async () => {
    api = Fastify();
    installErrorHandler(api, (t) => t);
    api.get<{ Params: { code: ErrorCode } }>('/fail/:code', async (req) => {
      throw fail(req.params.code);
    });
    await api.ready();
    // The admin API's route registry, reduced to the one call this test makes: it fails as asked.
    const registry = { get: (id: string) => { throw fail(id.split('/')[1] as ErrorCode); } } as unknown as RouteRegistry;
    admin = http.createServer(createAdminHandler(registry, createLogger({ level: 'silent' })));
    await new Promise<void>((resolve) => admin.listen(0, '127.0.0.1', resolve));
    adminUrl = `http://127.0.0.1:${(admin.address() as AddressInfo).port}`;
  });
  after(async () => {
    await api.close();
    await new Promise((resolve) => admin.close(resolve));
  });

  it('follows HTTP semantics for the codes the two tables used to disagree on', () => {
    assert.equal(HTTP_STATUS.invalid_input, 400);
    assert.equal(HTTP_STATUS.invalid_config, 422);
    assert.equal(HTTP_STATUS.locked, 423);
    assert.equal(HTTP_STATUS.failed_precondition, 412);
  });

  for (const code of codes) {
    it(`answers ${code} with ${HTTP_STATUS[code]} from both the HTTP API and the edge admin API`, async () => {
      const fromApi = await api.inject({ method: 'GET', url: `/fail/${code}` });
      assert.equal(fromApi.statusCode, HTTP_STATUS[code]);
      assert.deepEqual(fromApi.json(), { error: { code, message: `failed with ${code}`, details: { code } } });

      const fromAdmin = await fetch(`${adminUrl}/routes/${encodeURIComponent(`app/${code}`)}`);
      assert.equal(fromAdmin.status, HTTP_STATUS[code]);
      assert.deepEqual(await fromAdmin.json(), { error: { code, message: `failed with ${code}`, details: { code } } });
    });
  }
});
