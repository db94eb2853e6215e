// Typed calls of the Engine's Swarm endpoints (services, tasks, nodes, secrets, configs, networks).
import type { NetworkCreate, ServiceSpec } from '../compose/swarm-types.js';
import type { EngineClient, EngineRequest } from './engine-client.js';

export interface Versioned {
  ID: string;
  Version: { Index: number };
  CreatedAt?: string;
  UpdatedAt?: string;
}

export interface UpdateStatus {
  State?: 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';
  StartedAt?: string;
  CompletedAt?: string;
  Message?: string;
}

export interface ServiceInfo extends Versioned {
  Spec: ServiceSpec;
  PreviousSpec?: ServiceSpec;
  UpdateStatus?: UpdateStatus;
  JobStatus?: { JobIteration?: { Index: number }; LastExecution?: string };
}

export interface TaskInfo {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: { ContainerSpec?: { Image?: string } } & Record<string, unknown>;
  DesiredState: string;
  Status: { Timestamp?: string; State: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
  JobIteration?: { Index: number };
}

export interface NodeInfo extends Versioned {
  Description?: { Hostname?: string };
  Spec: { Availability?: string; Role?: string };
  Status: { State: string; Addr?: string };
}

export interface ObjectInfo extends Versioned {
  Spec: { Name: string; Labels?: Record<string, string> };
}

export type Filters = Record<string, string[]>;
type Auth = EngineRequest['registryAuth'];

const filtersQuery = (f?: Filters) => (f ? { filters: JSON.stringify(f) } : {});

export class SwarmApi {
  constructor(readonly engine: EngineClient) {}

  listServices(filters?: Filters): Promise<ServiceInfo[]> {
    return this.engine.request({ method: 'GET', path: '/services', query: { ...filtersQuery(filters), status: true } });
  }

  inspectService(id: string): Promise<ServiceInfo> {
    return this.engine.request({ method: 'GET', path: `/services/${encodeURIComponent(id)}` });
  }

  createService(spec: ServiceSpec, auth?: Auth): Promise<{ ID: string; Warnings?: string[] }> {
    return this.engine.request({ method: 'POST', path: '/services/create', body: spec, registryAuth: auth });
  }

  updateService(id: string, version: number, spec: ServiceSpec, auth?: Auth): Promise<{ Warnings?: string[] }> {
    return this.engine.request({ method: 'POST', path: `/services/${encodeURIComponent(id)}/update`, query: { version }, body: spec, registryAuth: auth });
  }

  removeService(id: string): Promise<void> {
    return this.engine.request({ method: 'DELETE', path: `/services/${encodeURIComponent(id)}` });
  }

  listTasks(filters?: Filters): Promise<TaskInfo[]> {
    return this.engine.request({ method: 'GET', path: '/tasks', query: filtersQuery(filters) });
  }

  listNodes(): Promise<NodeInfo[]> {
    return this.engine.request({ method: 'GET', path: '/nodes' });
  }

  listSecrets(filters?: Filters): Promise<ObjectInfo[]> {
    return this.engine.request({ method: 'GET', path: '/secrets', query: filtersQuery(filters) });
  }

  createSecret(spec: { Name: string; Labels: Record<string, string>; Data: string }): Promise<{ ID: string }> {
    return this.engine.request({ method: 'POST', path: '/secrets/create', body: spec });
  }

  removeSecret(id: string): Promise<void> {
    return this.engine.request({ method: 'DELETE', path: `/secrets/${encodeURIComponent(id)}` });
  }

  listConfigs(filters?: Filters): Promise<ObjectInfo[]> {
    return this.engine.request({ method: 'GET', path: '/configs', query: filtersQuery(filters) });
  }

  createConfig(spec: { Name: string; Labels: Record<string, string>; Data: string }): Promise<{ ID: string }> {
    return this.engine.request({ method: 'POST', path: '/configs/create', body: spec });
  }

  removeConfig(id: string): Promise<void> {
    return this.engine.request({ method: 'DELETE', path: `/configs/${encodeURIComponent(id)}` });
  }

  listNetworks(filters?: Filters): Promise<{ Id: string; Name: string; Labels?: Record<string, string> }[]> {
    return this.engine.request({ method: 'GET', path: '/networks', query: filtersQuery(filters) });
  }

  createNetwork(spec: NetworkCreate): Promise<{ Id: string }> {
    return this.engine.request({ method: 'POST', path: '/networks/create', body: { ...spec, CheckDuplicate: true, Scope: 'swarm' } });
  }

  removeNetwork(id: string): Promise<void> {
    return this.engine.request({ method: 'DELETE', path: `/networks/${encodeURIComponent(id)}` });
  }
}
