/**
 * The slice of autocannon's programmatic API the benchmarks use. autocannon
 * ships no types and `@types/autocannon` is not worth a dependency for a
 * handful of fields.
 */
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
    /** Stops the run after this many requests even if `duration` has not elapsed. */
    maxOverallRequests?: number;
    /** Requests per second over all connections (fixed offered load). */
    overallRate?: number;
    timeout?: number;
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
    headers?: Record<string, string>;
    body?: string;
    /** Replace `[<id>]` in the body with a unique id per request. */
    idReplacement?: boolean;
  }
  interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p99: number;
    total: number;
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
