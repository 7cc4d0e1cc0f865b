import { AnalysisResult } from '../llm/analysis';

export const ANALYSIS_STATUSES = ['queued', 'processing', 'done', 'error'] as const;
export type AnalysisStatus = (typeof ANALYSIS_STATUSES)[number];

/** One request's state as the read model keeps it. Times are ISO 8601 UTC strings. */
export interface AnalysisRecord {
  requestId: string;
  status: AnalysisStatus;
  paperHash: string;
  submittedAt: string;
  startedAt?: string;
  finishedAt?: string;
  attempts: number;
  cached: boolean;
  result?: AnalysisResult;
  error?: string;
}

export const isFinished = (status: AnalysisStatus) => status === 'done' || status === 'error';
