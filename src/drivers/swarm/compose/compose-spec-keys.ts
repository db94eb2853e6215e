// The keys the Compose specification defines for each section (top level, service, network,
// volume, secret, config), as names only: they tell a misspelt or unknown key ("not in the Compose
// specification") from valid Compose that the Swarm driver does not support. Types and values of
// the supported subset are checked by compose-schema.ts.

export const SPEC_KEYS = {
  top: ['version', 'name', 'include', 'services', 'networks', 'volumes', 'secrets', 'configs', 'models'],
  service: [
    'annotations', 'attach', 'blkio_config', 'build', 'cap_add', 'cap_drop', 'cgroup', 'cgroup_parent', 'command', 'configs',
    'container_name', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpu_shares',
    'cpus', 'cpuset', 'credential_spec', 'depends_on', 'deploy', 'develop', 'device_cgroup_rules', 'devices', 'dns', 'dns_opt',
    'dns_search', 'domainname', 'entrypoint', 'env_file', 'environment', 'expose', 'extends', 'external_links', 'extra_hosts',
    'gpus', 'group_add', 'healthcheck', 'hostname', 'image', 'init', 'ipc', 'isolation', 'label_file', 'labels', 'links',
    'logging', 'mac_address', 'mem_limit', 'mem_reservation', 'mem_swappiness', 'memswap_limit', 'models', 'network_mode',
    'networks', 'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform', 'ports', 'post_start', 'pre_stop',
    'privileged', 'profiles', 'provider', 'pull_policy', 'read_only', 'restart', 'runtime', 'scale', 'secrets', 'security_opt',
    'shm_size', 'stdin_open', 'stop_grace_period', 'stop_signal', 'storage_opt', 'sysctls', 'tmpfs', 'tty', 'ulimits',
    'use_api_socket', 'user', 'userns_mode', 'uts', 'volumes', 'volumes_from', 'working_dir',
  ],
  network: ['name', 'driver', 'driver_opts', 'ipam', 'external', 'internal', 'enable_ipv4', 'enable_ipv6', 'attachable', 'labels'],
  volume: ['name', 'driver', 'driver_opts', 'external', 'labels'],
  secret: ['name', 'environment', 'file', 'external', 'labels', 'driver', 'driver_opts', 'template_driver'],
  config: ['name', 'content', 'environment', 'file', 'external', 'labels', 'template_driver'],
} as const satisfies Record<string, readonly string[]>;

/** Names of services, networks, volumes, secrets and configs. */
export const NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;
