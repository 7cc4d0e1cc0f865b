import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { ServiceStatusDto } from '../analysis/queries/get-service-status/service-status.dto';

type TotalReader = (status: ServiceStatusDto) => number;

/** Service-wide totals (shared by every process through Redis), exposed as Prometheus counters. */
const TOTALS: Record<string, { help: string; read: TotalReader }> = {
  rpa_analyses_submitted_total: { help: 'Papers submitted to POST /analyze', read: (status) => status.analyses.submitted },
  rpa_analyses_processed_total: { help: 'Requests analysed to done by a worker', read: (status) => status.analyses.processed },
  rpa_analyses_failed_total: { help: 'Requests that ended in error', read: (status) => status.analyses.failed },
  rpa_cache_hits_total: { help: 'Submissions answered from the result cache', read: (status) => status.cache.hits },
  rpa_cache_misses_total: { help: 'Submissions that needed an analysis', read: (status) => status.cache.misses },
  rpa_llm_calls_total: { help: 'Analyser calls, each carrying a batch of papers', read: (status) => status.llm.calls },
  rpa_llm_failed_calls_total: { help: 'Analyser calls that failed', read: (status) => status.llm.failed_calls },
  rpa_llm_papers_total: { help: 'Papers sent to the analyser, over all calls', read: (status) => status.llm.papers },
  rpa_llm_shared_papers_total: { help: 'Papers answered by the call another worker process was making for them', read: (status) => status.llm.shared_papers },
  rpa_llm_call_milliseconds_total: { help: 'Time spent in analyser calls', read: (status) => status.llm.call_ms },
  rpa_llm_prompt_tokens_total: { help: 'Prompt tokens the LLM provider counted', read: (status) => status.llm.prompt_tokens },
  rpa_llm_completion_tokens_total: { help: 'Completion tokens the LLM provider counted', read: (status) => status.llm.completion_tokens },
  rpa_llm_rate_limited_calls_total: { help: 'Analyser calls the LLM provider refused with 429', read: (status) => status.llm.rate_limited_calls },
  rpa_llm_rate_limit_wait_milliseconds_total: {
    help: 'Time analyser calls waited for the shared rate limits',
    read: (status) => status.llm.rate_limit_wait_ms,
  },
};

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'paused'] as const;

/**
 * The Prometheus registry of an API process: this process's runtime metrics, and the service's totals
 * and queue depth, taken from the same status the GET /status route answers with.
 */
@Injectable()
export class ServiceMetrics {
  private readonly registry = new Registry();
  private latest: ServiceStatusDto | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const metrics = this;
    for (const [name, { help, read }] of Object.entries(TOTALS)) {
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          if (metrics.latest) this.inc(read(metrics.latest));
        },
      });
    }
    new Gauge({
      name: 'rpa_queue_jobs',
      help: 'Jobs in the analysis queue by state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        for (const state of QUEUE_STATES) if (metrics.latest) this.set({ state }, metrics.latest.queue[state]);
      },
    });
    new Gauge({
      name: 'rpa_workers',
      help: 'Worker processes that reported in the last 15 seconds',
      registers: [this.registry],
      collect() {
        if (metrics.latest) this.set(metrics.latest.workers);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(status: ServiceStatusDto): Promise<string> {
    this.latest = status;
    return this.registry.metrics();
  }
}
