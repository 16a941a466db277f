import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JobCounts, JobObserver } from './jobs/catalog.js';

/**
 * Prometheus metrics. One registry per platform instance (tests run several in one process); modules
 * add their own counters to `registry`.
 */
export interface Metrics extends JobObserver {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Called on each scrape to fill the queue-depth gauge. */
  setQueueDepthSource(source: () => Promise<Record<string, JobCounts>>): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const jobOutcomes = new Counter({
    name: 'jobs_total',
    help: 'Job runs by job name and outcome (completed, retried, failed)',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Job run time by job name',
    labelNames: ['job'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  let depthSource: (() => Promise<Record<string, JobCounts>>) | undefined;
  new Gauge({
    name: 'queue_depth',
    help: 'Jobs per job name and state (waiting, active, delayed, failed)',
    labelNames: ['job', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!depthSource) return;
      try {
        const counts = await depthSource();
        for (const [job, c] of Object.entries(counts)) {
          for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) {
            this.set({ job, state }, c[state]);
          }
        }
      } catch {
        // A scrape while Redis is down shows no depth rather than failing the whole scrape.
      }
    },
  });

  return {
    registry,
    httpDuration,
    setQueueDepthSource(source) {
      depthSource = source;
    },
    onOutcome(job, outcome, durationSeconds) {
      jobOutcomes.inc({ job, outcome });
      jobDuration.observe({ job }, durationSeconds);
    },
  };
}
