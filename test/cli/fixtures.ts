// Canned API objects shaped like the services' views.
import type { Deployment, DeploymentStatus, LogLine, LogStream } from '../../src/core/model.js';
import type { AppView, DeploymentView, EnvironmentStatus } from '../../src/core/wire/index.js';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
export const at = (s: number) => new Date(T0 + s * 1000).toISOString();

export function deployment(over: Partial<Deployment> = {}): Deployment {
  return {
    id: 'dep_1',
    appId: 'app_1',
    environmentId: 'env_1',
    number: 7,
    kind: 'deploy',
    trigger: 'manual',
    status: 'queued',
    ref: 'main',
    commitSha: null,
    releaseId: null,
    requestedBy: 'admin',
    error: null,
    cancelRequested: false,
    supersededBy: null,
    createdAt: at(0),
    startedAt: null,
    finishedAt: null,
    params: {},
    ...over,
  };
}

export function finished(status: DeploymentStatus, over: Partial<Deployment> = {}): Deployment {
  return deployment({ status, startedAt: at(1), finishedAt: at(13), commitSha: 'abcdef1234567890', releaseId: status === 'succeeded' ? 'rel_9' : null, ...over });
}

export function deploymentView(over: Partial<DeploymentView> = {}): DeploymentView {
  return { ...deployment(), app: 'hello', environment: 'staging', steps: [], ...over };
}

export function logLine(seq: number, stream: LogStream, text: string, step: string | null = null): LogLine {
  return { deploymentId: 'dep_1', seq, at: at(seq), stream, step, text };
}

export const helloApp: AppView = {
  id: 'app_1',
  name: 'hello',
  repo: '/srv/git/hello.git',
  driver: 'process',
  createdAt: at(0),
  environments: [
    { id: 'env_1', appId: 'app_1', name: 'staging', branch: 'main', createdAt: at(0) },
    { id: 'env_2', appId: 'app_1', name: 'production', branch: 'release', createdAt: at(0) },
  ],
};

export const stagingStatus: EnvironmentStatus = {
  app: 'hello',
  environment: 'staging',
  branch: 'main',
  live: {
    release: 'rel_9',
    commitSha: 'abcdef1234567890',
    commitSubject: 'Add greetings page',
    artifact: 'sha256:00',
    deployedAt: at(13),
    deployedBy: 'admin',
    trigger: 'manual',
    notes: [],
  },
  lastDeployment: { id: 'dep_1', number: 7, kind: 'deploy', status: 'succeeded', createdAt: at(0), finishedAt: at(13), error: null },
  lock: { kind: 'manual', owner: 'manual:alice', reason: 'db migration' },
};
