import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAppSpec } from '../../src/core/config-file.js';
import { ConfigError } from '../../src/core/errors.js';
import { convertStack } from '../../src/drivers/swarm/compose/convert-stack.js';
import { loadCompose } from '../../src/drivers/swarm/compose/load-compose.js';
import { readStack } from '../../src/drivers/swarm/stack/read-stack.js';
import { projectRoot } from '../support/entry.js';

const fixtures = path.join(projectRoot, 'test', 'fixtures', 'compose');
const images = { APP_IMAGE: 'reg:5000/app@sha256:aaa', REDIS_IMAGE: 'reg:5000/redis@sha256:bbb', NGINX_IMAGE: 'reg:5000/nginx@sha256:ccc' };
const data = () => Buffer.from('x');

function load(text: string, vars: Record<string, string> = {}) {
  return loadCompose(text, vars, 'docker-compose.yml');
}

describe('Compose -> Swarm conversion', () => {
  it('converts a service field for field as docker stack deploy does', () => {
    const plan = readStack({ composePath: path.join(fixtures, 'rollout.yml'), stack: 'shop', variables: images });
    const api = plan.services.find((s) => s.Name === 'shop_api');
    assert.ok(api);
    assert.deepEqual(api, {
      Name: 'shop_api',
      Labels: {
        'com.docker.stack.image': 'reg:5000/app@sha256:aaa',
        'com.docker.stack.namespace': 'shop',
        'com.example.service': 'api',
        'com.example.team': 'platform',
      },
      TaskTemplate: {
        ContainerSpec: {
          Image: 'reg:5000/app@sha256:aaa',
          Labels: { 'com.docker.stack.namespace': 'shop', 'com.example.container': 'api' },
          Args: ['httpd', '-f', '-p', '8080', '-h', '/www'],
          Hostname: '{{.Service.Name}}-{{.Task.Slot}}',
          Dir: '/www',
          Mounts: [{ Type: 'tmpfs', Target: '/cache', TmpfsOptions: { SizeBytes: 1048576 } }],
          StopGracePeriod: 15e9,
          StopSignal: 'SIGTERM',
          Healthcheck: { Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/health'], Interval: 1e9, Timeout: 2e9, StartPeriod: 5e9, Retries: 3 },
          Hosts: ['10.0.0.5 db.internal'],
          Init: true,
        },
        Resources: { Limits: { NanoCPUs: 5e8, MemoryBytes: 64 * 1024 * 1024 }, Reservations: { NanoCPUs: 1e8, MemoryBytes: 16 * 1024 * 1024 } },
        RestartPolicy: { Condition: 'on-failure', Delay: 1e9, MaxAttempts: 3, Window: 30e9 },
        Placement: { Constraints: ['node.role == manager'], Preferences: [{ Spread: { SpreadDescriptor: 'node.id' } }], MaxReplicas: 2 },
        Networks: [{ Target: 'shop_default', Aliases: ['api'] }],
        LogDriver: { Name: 'json-file', Options: { 'max-size': '10m', 'max-file': '3' } },
      },
      Mode: { Replicated: { Replicas: 2 } },
      EndpointSpec: {
        Ports: [
          { Protocol: 'tcp', TargetPort: 8080, PublishedPort: 18081, PublishMode: 'host' },
          { Protocol: 'udp', TargetPort: 8082, PublishedPort: 18082, PublishMode: 'host' },
        ],
      },
      UpdateConfig: { Parallelism: 1, Delay: 2e9, FailureAction: 'rollback', Monitor: 5e9, MaxFailureRatio: 0.1, Order: 'start-first' },
      RollbackConfig: { Parallelism: 0, Delay: 1e9, FailureAction: 'pause', Monitor: 3e9, Order: 'stop-first' },
    });
    assert.deepEqual(plan.services.find((s) => s.Name === 'shop_agent')?.Mode, { Global: {} });
    assert.deepEqual(plan.networks, [{ Name: 'shop_default', Labels: { 'com.docker.stack.namespace': 'shop' }, Driver: 'overlay' }]);
  });

  it('names secrets <stack>_<name>, sorts references, reads YAML 1.1 octal modes and merge keys', () => {
    const plan = readStack({ composePath: path.join(fixtures, 'custom-domain.yml'), stack: 'cd', variables: images });
    assert.equal(plan.secrets.length, 7);
    assert.deepEqual(plan.secrets.map((s) => s.Name), ['cd_acme_account_key', 'cd_db_password', 'cd_dns_api_token', 'cd_github_client_secret', 'cd_sentry_dsn', 'cd_session_secret', 'cd_smtp_password']);
    const app = plan.services.find((s) => s.Name === 'cd_app')!;
    const refs = app.TaskTemplate.ContainerSpec.Secrets ?? [];
    assert.deepEqual(refs.map((r) => r.SecretName), [...refs.map((r) => r.SecretName)].sort());
    assert.deepEqual(refs.find((r) => r.SecretName === 'cd_smtp_password')?.File, { Name: 'smtp.pw', UID: '0', GID: '0', Mode: 0o400 });
    assert.deepEqual(app.TaskTemplate.ContainerSpec.Env, [
      'BASE_DOMAIN=custom.example.edu',
      'FEATURE_DNS_CHECK=true',
      'LOG_LEVEL=info',
      'MAX_DOMAINS_PER_USER=5',
      'NODE_ENV=production',
      'PRICE_NOTE=costs $5 a year',
      'REDIS_URL=redis://redis:6379/0',
    ]);
    const redis = plan.services.find((s) => s.Name === 'cd_redis')!;
    assert.deepEqual(redis.TaskTemplate.ContainerSpec.Args, ['httpd', '-f', '-p', '6379', '-h', '/www']);
    assert.deepEqual(redis.TaskTemplate.Networks, [{ Target: 'cd_backend', Aliases: ['cache', 'redis'] }]);
    assert.deepEqual(redis.TaskTemplate.ContainerSpec.Mounts, [
      { Type: 'volume', Source: 'cd_redis-data', Target: '/data', VolumeOptions: { Labels: { 'com.docker.stack.namespace': 'cd' } } },
    ]);
    // Secret values never show when the plan is serialised.
    assert.doesNotMatch(JSON.stringify(plan), /fixture-db_password-value/);
  });

  it('gives identical specs for the same input, whatever the key order', () => {
    const a = load('services:\n  w:\n    image: i\n    environment: {B: "2", A: "1"}\n    ports: ["90:9", "80:8"]\n');
    const b = load('services:\n  w:\n    ports: ["80:8", "90:9"]\n    environment: {A: "1", B: "2"}\n    image: i\n');
    const conv = (f: typeof a) => convertStack(f.file, { stack: 's', objectData: data });
    assert.equal(JSON.stringify(conv(a)), JSON.stringify(conv(b)));
    assert.deepEqual(conv(a).services[0]?.TaskTemplate.ContainerSpec.Env, ['A=1', 'B=2']);
  });

  it('content-addresses secrets when versioned: a changed value changes the name', () => {
    const f = load('services:\n  w:\n    image: i\n    build: .\n    secrets: [k]\nsecrets:\n  k: {environment: K}\n').file;
    const v1 = convertStack(f, { stack: 's', versioned: true, objectData: () => Buffer.from('one') });
    const v2 = convertStack(f, { stack: 's', versioned: true, objectData: () => Buffer.from('two') });
    assert.match(v1.secrets[0]?.Name ?? '', /^s_k_[0-9a-f]{12}$/);
    assert.notEqual(v1.secrets[0]?.Name, v2.secrets[0]?.Name);
    assert.equal(v1.services[0]?.TaskTemplate.ContainerSpec.Secrets?.[0]?.SecretName, v1.secrets[0]?.Name);
    assert.equal(v1.secrets[0]?.Labels['com.slipway.object.key'], 'k');
  });

  it('converts replicated-job, restart: and name: overrides', () => {
    const f = load(
      'services:\n  m:\n    image: i\n    restart: on-failure:3\n    networks: [net]\n    deploy: {mode: replicated-job, replicas: 1}\nnetworks:\n  net: {name: shared-net, external: true}\n',
    ).file;
    const plan = convertStack(f, { stack: 's', objectData: data });
    assert.deepEqual(plan.services[0]?.Mode, { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    assert.deepEqual(plan.services[0]?.TaskTemplate.RestartPolicy, { Condition: 'on-failure', MaxAttempts: 3 });
    assert.deepEqual(plan.services[0]?.TaskTemplate.Networks, [{ Target: 'shared-net', Aliases: ['m'] }]);
    assert.deepEqual(plan.networks, []);
    assert.deepEqual(plan.externalNetworks, ['shared-net']);
  });

  it('reports unknown and unsupported keys with their path, all at once', () => {
    const text = 'services:\n  web:\n    image: i\n    imgae: typo\n    deploy:\n      replicas: 2\n      replica: 3\n    network_mode: host\nfoo: 1\nx-ok: 1\n';
    assert.throws(
      () => load(text),
      (e: unknown) =>
        e instanceof ConfigError &&
        /docker-compose\.yml: foo: unknown key "foo": not in the Compose specification/.test(e.message) &&
        /services\.web\.imgae: unknown key "imgae": not in the Compose specification/.test(e.message) &&
        /services\.web\.network_mode: unsupported service key "network_mode": valid Compose, but the Swarm driver does not support it/.test(e.message),
    );
    assert.throws(() => load('services:\n  web:\n    image: i\n    deploy:\n      replica: 3\n'), /services\.web\.deploy\.replica: unknown key "replica"/);
    assert.throws(() => load('services:\n  web:\n    image: i\n    deploy: {replicas: two}\n'), /services\.web\.deploy\.replicas: expected a number/);
  });

  it('reports undefined secrets, networks, volumes and bad durations with their paths', () => {
    const f = load('services:\n  w:\n    image: i\n    secrets: [nope]\n    networks: [gone]\n    volumes: ["data:/d"]\n    stop_grace_period: 10 seconds\n').file;
    assert.throws(
      () => convertStack(f, { stack: 's', objectData: data }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /services\.w\.secrets\.0: undefined secret "nope"/.test(e.message) &&
        /services\.w\.networks: undefined network "gone"/.test(e.message) &&
        /services\.w\.volumes\.0: undefined volume "data"/.test(e.message) &&
        /services\.w\.stop_grace_period: "10 seconds" is not a duration/.test(e.message),
    );
  });

  it('warns about keys Swarm ignores', () => {
    const { warnings } = load('services:\n  w:\n    image: i\n    depends_on: [db]\n  db:\n    image: d\n');
    assert.deepEqual(warnings, ['services.w.depends_on: ignored on Swarm (as docker stack deploy ignores it)']);
  });

  it('the example in examples/swarm is a valid app spec and compose file', () => {
    const dir = path.join(projectRoot, 'examples', 'swarm');
    const spec = parseAppSpec(readFileSync(path.join(dir, 'slipway.yml'), 'utf8'));
    assert.equal(spec.driver, 'swarm');
    const { file } = load(readFileSync(path.join(dir, spec.swarm?.compose ?? 'docker-compose.yml'), 'utf8'));
    const plan = convertStack(file, { stack: 'myapp-staging', images: { web: 'r/myapp@sha256:1', worker: 'r/myapp@sha256:1', migrate: 'r/myapp@sha256:1' }, objectData: data, versioned: true });
    assert.deepEqual(plan.services.map((s) => s.Name), ['myapp-staging_migrate', 'myapp-staging_web', 'myapp-staging_worker']);
  });

  it('reads the fixtures as valid compose files', () => {
    for (const f of ['custom-domain.yml', 'django.yml', 'rollout.yml']) {
      assert.doesNotThrow(() => load(readFileSync(path.join(fixtures, f), 'utf8'), images), f);
    }
  });
});
