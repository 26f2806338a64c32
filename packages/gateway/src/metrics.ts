/**
 * Prometheus metrics (prom-client), in a registry of the gateway's own so an
 * embedding application's metrics never mix in. In a cluster each worker
 * counts for itself and the primary's admin listener sums them
 * (prom-client's `AggregatorRegistry`).
 *
 * Per request: one counter child (cached per status code) and one histogram
 * observation; nothing else.
 *
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 * @module
 */
import cluster from 'node:cluster';
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

/** The counters and histograms the gateway updates. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'status'>;
  readonly #byStatus = new Map<number, ReturnType<Counter<'status'>['labels']>>();
  readonly #duration: Histogram;
  readonly upstreamErrors: Counter<'kind'>;
  readonly refused: Counter<'reason'>;
  readonly reloads: Counter<'result'>;
  readonly healthyUpstreams: Gauge;

  constructor() {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'barbican_gateway_requests_total',
      help: 'Responses sent, by status code.',
      labelNames: ['status'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'barbican_gateway_request_duration_seconds',
      help: 'Time from request to the end of the response.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'barbican_gateway_upstream_errors_total',
      help: 'Upstream failures, by kind (connect, reset, garbage, headers-timeout…).',
      labelNames: ['kind'],
      registers,
    });
    this.refused = new Counter({
      name: 'barbican_gateway_refused_total',
      help: 'Requests the gateway answered itself, by reason class.',
      labelNames: ['reason'],
      registers,
    });
    this.reloads = new Counter({
      name: 'barbican_gateway_reloads_total',
      help: 'Configuration reloads, by result (applied or refused).',
      labelNames: ['result'],
      registers,
    });
    this.healthyUpstreams = new Gauge({
      name: 'barbican_gateway_upstreams_healthy',
      help: 'Upstreams currently in rotation.',
      registers,
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'barbican_gateway_' });
    if (cluster.isWorker) {
      // Answer the primary's aggregation requests with this registry.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([this.registry]);
    }
  }

  /** Counts one finished response. */
  observe(status: number, seconds: number): void {
    let child = this.#byStatus.get(status);
    if (child === undefined) {
      child = this.#requests.labels(String(status));
      this.#byStatus.set(status, child);
    }
    child.inc();
    this.#duration.observe(seconds);
  }
}

/** The primary's view in a cluster: the sum of every worker's registry. */
export function clusterRegistry(): AggregatorRegistry<'text/plain; version=0.0.4; charset=utf-8'> {
  return new AggregatorRegistry();
}
