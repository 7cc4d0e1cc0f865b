import { ApiProperty } from '@nestjs/swagger';

/** Bull's jobs by state; each job carries the requests one API process accepted within a few milliseconds. */
export class QueueCountsDto {
  @ApiProperty({ example: 120, description: 'Requests accepted and not yet started by a worker (what MAX_QUEUE_SIZE limits)' })
  waiting_requests!: number;
  @ApiProperty({ example: 12, description: 'Jobs waiting for a worker' }) waiting!: number;
  @ApiProperty({ example: 8, description: 'Jobs workers have taken: being analysed, or held until the worker has room (their requests still queued)' })
  active!: number;
  @ApiProperty({ example: 1, description: 'Jobs waiting for a retry after a failed attempt' }) delayed!: number;
  @ApiProperty({ example: 0 }) paused!: number;
}

export class AnalysisTotalsDto {
  @ApiProperty({ example: 1520 }) submitted!: number;
  @ApiProperty({ example: 1490, description: 'Requests analysed to done by a worker' }) processed!: number;
  @ApiProperty({ example: 2, description: 'Requests that ended in error' }) failed!: number;
}

export class CacheTotalsDto {
  @ApiProperty({ example: 410 }) hits!: number;
  @ApiProperty({ example: 1110 }) misses!: number;
}

export class LlmTotalsDto {
  @ApiProperty({ enum: ['groq', 'offline'], example: 'groq' }) provider!: string;
  @ApiProperty({ example: 'openai/gpt-oss-120b' }) model!: string;
  @ApiProperty({ example: 150, description: 'Analyser calls, each carrying a batch of papers' }) calls!: number;
  @ApiProperty({ example: 1 }) failed_calls!: number;
  @ApiProperty({ example: 1110, description: 'Papers sent to the analyser, over all calls' }) papers!: number;
  @ApiProperty({ example: 12, description: 'Papers a worker process had to analyse that another one was already analysing: answered by its call' })
  shared_papers!: number;
  @ApiProperty({ example: 123000, description: 'Milliseconds spent in calls, over all calls (waiting for the rate limits excluded)' }) call_ms!: number;
  @ApiProperty({ example: 7.4, description: 'Papers per call, on average' }) papers_per_call!: number;
  @ApiProperty({ example: 820, description: 'Milliseconds a call took, on average (waiting for a slot or the rate limits excluded)' }) average_call_ms!: number;
  @ApiProperty({ example: 310000 }) prompt_tokens!: number;
  @ApiProperty({ example: 98000 }) completion_tokens!: number;
  @ApiProperty({ example: 0, description: 'Calls the provider refused with 429 (rate limited)' }) rate_limited_calls!: number;
  @ApiProperty({ example: 41000, description: 'Milliseconds calls waited for the shared rate limits (RPM, TPM, RPD), over all calls' })
  rate_limit_wait_ms!: number;
}

export class ServiceStatusDto {
  @ApiProperty({ type: QueueCountsDto }) queue!: QueueCountsDto;
  @ApiProperty({ example: 1, description: 'Worker processes that reported in the last 15 seconds' }) workers!: number;
  @ApiProperty({ type: AnalysisTotalsDto }) analyses!: AnalysisTotalsDto;
  @ApiProperty({ type: CacheTotalsDto }) cache!: CacheTotalsDto;
  @ApiProperty({ type: LlmTotalsDto }) llm!: LlmTotalsDto;
  @ApiProperty({ example: 3600.5, description: 'Seconds since this API process started' }) uptime_seconds!: number;
}
