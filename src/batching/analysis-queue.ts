/** The Bull queue that carries accepted requests from the API processes to the workers. */
export const ANALYSIS_QUEUE = 'analysis';
export const ANALYZE_PAPERS_JOB = 'analyze-papers';

/** A request to analyse: it names the stored paper; the paper's text itself stays out of Bull. */
export interface QueuedRequest {
  requestId: string;
  paperHash: string;
}

/**
 * One job carries the requests an API process accepted within one submission window (a few ms): under
 * load, Bull's cost per job is shared by many requests. Workers still analyse and report each request
 * on its own.
 */
export interface AnalyzePapersJob {
  requests: QueuedRequest[];
  /** Attempts already made at these requests in a job a stopping worker gave back (none when absent). */
  attemptsBefore?: number;
}

/** Attempts made at the job's requests so far, in this job and any it was given back from. */
export const attemptsSoFar = (job: { data: AnalyzePapersJob; attemptsMade: number }): number => (job.data.attemptsBefore ?? 0) + job.attemptsMade;
