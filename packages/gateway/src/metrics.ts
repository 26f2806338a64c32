/**
 * Prometheus metrics (prom-client), in a registry of the gateway's own so an
 * embedding application's metrics never mix in. In a cluster each worker
 * counts for itself and the primary's admin listener sums them
 * (prom-client's `AggregatorRegistry`).
 *
 * Per request: two additions to plain numbers; nothing else. prom-client
 * still names, formats and (in a cluster) sums every metric, but its
 * per-call `inc()`/`observe()` (label validation, a hash of the label set,
 * bucket values keyed by the bound's string) cost ~2 µs of the gateway's
 * ~75 µs per request in `npm run bench -- gateway --cpu-prof`: responses
 * are counted here and handed to prom-client when it collects (a scrape,
 * or the primary asking a worker for its registry).
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

/** Upper bounds (seconds) of the request duration histogram. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One value of a prom-client metric's `get()` (its `MetricValue`, with the bucket label). */
interface Sample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName: string;
}

/**
 * A label-less histogram that prom-client's registries read like its own
 * `Histogram` (same name, help, type, aggregator and `get()` values, so the
 * same exposition text and the same cluster sum), with an `observe` that is
 * one bucket search and three additions.
 *
 * @example
 * ```ts
 * const h = new FastHistogram('request_seconds', 'Time.', [0.1, 1], registry);
 * h.observe(0.05);
 * ```
 */
export class FastHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(name: string, help: string, bounds: readonly number[], registry: Registry) {
    this.name = name;
    this.help = help;
    this.#bounds = [...bounds].sort((a, b) => a - b);
    this.#counts = new Float64Array(this.#bounds.length + 1);
    registry.registerMetric(this as unknown as Histogram);
  }

  /** Counts one observation (a value that is not a finite number is ignored: prom-client throws). */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.#counts[i] = (this.#counts[i] as number) + 1;
    this.#sum += value;
    this.#count++;
  }

  /** What prom-client's `Histogram.get()` returns for a histogram without labels. */
  get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
    const bucket = `${this.name}_bucket`;
    const values: Sample[] = [];
    let acc = 0;
    this.#bounds.forEach((le, i) => {
      acc += this.#counts[i] as number;
      values.push({ labels: { le }, value: acc, metricName: bucket });
    });
    values.push(
      { labels: { le: '+Inf' }, value: this.#count, metricName: bucket },
      { labels: {}, value: this.#sum, metricName: `${this.name}_sum` },
      { labels: {}, value: this.#count, metricName: `${this.name}_count` },
    );
    const { name, help, type, aggregator } = this;
    return { name, help, type, aggregator, values };
  }
}

/** The counters and histograms the gateway updates. */
export class GatewayMetrics {
  readonly registry = new Registry();
  /** Responses by status code not yet handed to prom-client's counter (see the module note). */
  readonly #pending = new Map<number, number>();
  readonly #duration: FastHistogram;
  readonly upstreamErrors: Counter<'kind'>;
  readonly refused: Counter<'reason'>;
  readonly reloads: Counter<'result'>;
  readonly healthyUpstreams: Gauge;

  constructor() {
    const registers = [this.registry];
    const pending = this.#pending;
    new Counter({
      name: 'barbican_gateway_requests_total',
      help: 'Responses sent, by status code.',
      labelNames: ['status'],
      registers,
      collect() {
        for (const [status, n] of pending) this.labels(String(status)).inc(n);
        pending.clear();
      },
    });
    this.#duration = new FastHistogram(
      'barbican_gateway_request_duration_seconds',
      'Time from request to the end of the response.',
      DURATION_BUCKETS,
      this.registry,
    );
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
    this.#pending.set(status, (this.#pending.get(status) ?? 0) + 1);
    this.#duration.observe(seconds);
  }
}

/** The primary's view in a cluster: the sum of every worker's registry. */
export function clusterRegistry(): AggregatorRegistry<'text/plain; version=0.0.4; charset=utf-8'> {
  return new AggregatorRegistry();
}
