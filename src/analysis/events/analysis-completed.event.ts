import { AnalysisResult } from '../../llm/analysis';

/** A request's analysis is ready. */
export class AnalysisCompletedEvent {
  constructor(
    readonly requestId: string,
    readonly result: AnalysisResult,
    readonly at: Date,
  ) {}
}
