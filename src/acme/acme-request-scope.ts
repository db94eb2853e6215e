// What one issuance's requests to the CA need, scoped to that issuance without changing anything
// process-wide: the extra CA certificate its HTTPS connections trust (a private CA such as step-ca,
// or Pebble in tests) and the problem documents the CA answers with. acme-client sends every
// request through one shared axios instance; two interceptors installed once read the scope of
// the issuance that made the request (AsyncLocalStorage), so requests of other issuances and of
// anything else in the process are untouched.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent } from 'node:https';
import acme from 'acme-client';
import { asProblem, type AcmeProblem } from './acme-problem.js';

export interface AcmeRequestScope {
  /** An https.Agent trusting the extra CA; undefined: the system's roots. */
  agent: Agent | undefined;
  /** Problem documents of the CA's answers, oldest first. */
  problems: AcmeProblem[];
}

const scopes = new AsyncLocalStorage<AcmeRequestScope>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  acme.axios.interceptors.request.use((config) => {
    const scope = scopes.getStore();
    if (scope?.agent) config.httpsAgent = scope.agent;
    return config;
  });
  acme.axios.interceptors.response.use((response) => {
    const scope = scopes.getStore();
    const type = String(response.headers['content-type'] ?? '');
    if (scope && type.includes('problem+json')) {
      const problem = asProblem(response.data);
      // acme-client retries a badNonce itself; that one is not why an issuance fails.
      if (problem && problem.type !== 'urn:ietf:params:acme:error:badNonce') scope.problems.push(problem);
    }
    return response;
  });
}

export function agentTrusting(caPem: string | undefined): Agent | undefined {
  return caPem === undefined ? undefined : new Agent({ ca: caPem, keepAlive: false });
}

/** Runs `body` with its requests to the CA in `scope`. */
export function inAcmeScope<T>(scope: AcmeRequestScope, body: () => Promise<T>): Promise<T> {
  install();
  return scopes.run(scope, body);
}
