// The compose file of the Swarm edge tests and benchmark: a busybox httpd web service, 2
// replicas, start-first with rollback, a 1 s health check, routed through the edge on :8080.
// stop_grace_period: busybox httpd (PID 1, no SIGTERM handler) ignores SIGTERM, so an old task
// keeps answering for the whole grace period after Swarm took it out of DNS; the edge stops
// sending to it within its 1 s discovery interval, and requests already sent finish.
export const EDGE_TEST_COMPOSE = `services:
  web:
    image: \${IMAGE:-unused}
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    labels:
      slipway.route.port: "8080"
      slipway.route.health: /health
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
      interval: 1s
      timeout: 1s
      retries: 2
    stop_grace_period: 3s
    deploy:
      replicas: 2
      endpoint_mode: dnsrr
      update_config:
        order: start-first
        failure_action: rollback
        monitor: 2s
      rollback_config:
        order: start-first
`;
