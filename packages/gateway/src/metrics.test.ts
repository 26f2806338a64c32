import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { FastHistogram, GatewayMetrics } from './metrics.ts';

const BOUNDS = [0.001, 0.005, 0.01, 0.5, 1, 30];
const VALUES = [0, 0.001, 0.0011, 0.3, 0.5, 0.7, 29.9, 30, 31, 1e6];

/** A registry with prom-client's own Histogram and one with FastHistogram, fed the same values. */
function pair(values: readonly number[]): { ours: Registry; theirs: Registry } {
  const ours = new Registry();
  const theirs = new Registry();
  const fast = new FastHistogram('d_seconds', 'Time.', BOUNDS, ours);
  const real = new Histogram({
    name: 'd_seconds',
    help: 'Time.',
    buckets: BOUNDS,
    registers: [theirs],
  });
  for (const v of values) {
    fast.observe(v);
    real.observe(v);
  }
  return { ours, theirs };
}

describe('FastHistogram', () => {
  it("exposes the same text as prom-client's Histogram, empty or not", async () => {
    for (const values of [[], VALUES]) {
      const { ours, theirs } = pair(values);
      assert.equal(await ours.metrics(), await theirs.metrics());
    }
  });

  it("sums across cluster workers as prom-client's Histogram does", async () => {
    const a = pair(VALUES);
    const b = pair([0.002, 40]);
    const sum = async (x: Registry, y: Registry): Promise<string> =>
      AggregatorRegistry.aggregate([
        await x.getMetricsAsJSON(),
        await y.getMetricsAsJSON(),
      ]).metrics();
    assert.equal(await sum(a.ours, b.ours), await sum(a.theirs, b.theirs));
  });

  it('ignores a value that is not a finite number', async () => {
    const ours = new Registry();
    const fast = new FastHistogram('d_seconds', 'Time.', BOUNDS, ours);
    fast.observe(NaN);
    fast.observe(Infinity);
    fast.observe(0.5);
    assert.match(await ours.metrics(), /^d_seconds_count 1$/m);
    assert.match(await ours.metrics(), /^d_seconds_sum 0.5$/m);
  });
});

describe('GatewayMetrics', () => {
  it('counts responses by status across scrapes', async () => {
    const m = new GatewayMetrics();
    for (let i = 0; i < 3; i++) m.observe(200, 0.002);
    m.observe(404, 2);
    let text = await m.registry.metrics();
    assert.match(text, /^barbican_gateway_requests_total\{status="200"\} 3$/m);
    assert.match(text, /^barbican_gateway_requests_total\{status="404"\} 1$/m);
    assert.match(text, /^barbican_gateway_request_duration_seconds_bucket\{le="0.005"\} 3$/m);
    assert.match(text, /^barbican_gateway_request_duration_seconds_count 4$/m);
    m.observe(200, 0.002);
    text = await m.registry.metrics();
    assert.match(text, /^barbican_gateway_requests_total\{status="200"\} 4$/m);
    assert.match(text, /^barbican_gateway_request_duration_seconds_count 5$/m);
  });
});
