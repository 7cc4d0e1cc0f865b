/** The Bull queue that carries accepted requests from the API processes to the workers. */
export const ANALYSIS_QUEUE = 'analysis';
export const ANALYZE_PAPER_JOB = 'analyze-paper';

/** A job names the request and the stored paper; the paper's text itself stays out of Bull. */
export interface AnalyzePaperJob {
  requestId: string;
  paperHash: string;
}
