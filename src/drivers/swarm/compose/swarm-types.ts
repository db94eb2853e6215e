// The Docker Engine's Swarm object specs (API 1.41), the subset the converter produces.
// Field names are the Engine's own, so a spec is sent as-is.

export interface Annotated {
  Name: string;
  Labels: Record<string, string>;
}

export interface FileTarget {
  Name: string;
  UID: string;
  GID: string;
  Mode: number;
}

export interface SecretReference {
  File: FileTarget;
  SecretID?: string;
  SecretName: string;
}

export interface ConfigReference {
  File: FileTarget;
  ConfigID?: string;
  ConfigName: string;
}

export interface Mount {
  Type: 'volume' | 'bind' | 'tmpfs';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  BindOptions?: { Propagation?: string };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

export interface ContainerSpec {
  Image: string;
  Labels: Record<string, string>;
  Command?: string[];
  Args?: string[];
  Hostname?: string;
  Env?: string[];
  Dir?: string;
  User?: string;
  Mounts?: Mount[];
  StopGracePeriod?: number;
  StopSignal?: string;
  TTY?: boolean;
  OpenStdin?: boolean;
  ReadOnly?: boolean;
  Healthcheck?: HealthConfig;
  Hosts?: string[];
  DNSConfig?: { Nameservers?: string[]; Search?: string[]; Options?: string[] };
  Secrets?: SecretReference[];
  Configs?: ConfigReference[];
  Init?: boolean;
  Sysctls?: Record<string, string>;
  CapabilityAdd?: string[];
  CapabilityDrop?: string[];
  Privileges?: Record<string, unknown>;
  Isolation?: string;
}

export interface UpdateConfig {
  Parallelism: number;
  Delay?: number;
  FailureAction?: string;
  Monitor?: number;
  MaxFailureRatio?: number;
  Order?: string;
}

export interface PortConfig {
  Protocol: 'tcp' | 'udp' | 'sctp';
  TargetPort: number;
  PublishedPort?: number;
  PublishMode: 'ingress' | 'host';
  Name?: string;
}

export interface TaskTemplate {
  ContainerSpec: ContainerSpec;
  Resources?: {
    Limits?: { NanoCPUs?: number; MemoryBytes?: number; Pids?: number };
    Reservations?: { NanoCPUs?: number; MemoryBytes?: number };
  };
  RestartPolicy?: { Condition?: string; Delay?: number; MaxAttempts?: number; Window?: number };
  Placement?: { Constraints?: string[]; Preferences?: { Spread: { SpreadDescriptor: string } }[]; MaxReplicas?: number };
  Networks?: { Target: string; Aliases?: string[] }[];
  LogDriver?: { Name: string; Options?: Record<string, string> };
  ForceUpdate?: number;
}

export type ServiceMode =
  | { Replicated: { Replicas?: number } }
  | { Global: Record<string, never> }
  | { ReplicatedJob: { MaxConcurrent?: number; TotalCompletions?: number } }
  | { GlobalJob: Record<string, never> };

export interface ServiceSpec extends Annotated {
  TaskTemplate: TaskTemplate;
  Mode: ServiceMode;
  UpdateConfig?: UpdateConfig;
  RollbackConfig?: UpdateConfig;
  EndpointSpec?: { Mode?: 'vip' | 'dnsrr'; Ports?: PortConfig[] };
}

export interface NetworkCreate {
  Name: string;
  Labels: Record<string, string>;
  Driver: string;
  Options?: Record<string, string>;
  Internal?: boolean;
  Attachable?: boolean;
  IPAM?: { Driver?: string; Config?: { Subnet?: string; Gateway?: string; IPRange?: string }[] };
}
