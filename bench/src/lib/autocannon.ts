import { createRequire } from 'node:module';

/** The slice of autocannon's API the benchmarks use (it ships no types). */
export interface Histogram {
  average: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
}
export interface AutocannonResult {
  requests: Histogram & { sent: number };
  latency: Histogram & { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
export type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
