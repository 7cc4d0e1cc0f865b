import { AnalysisResult } from '../../llm/analysis';

/** A request's analysis is ready; `cacheKey` names it for later requests with the same content. */
export class AnalysisCompletedEvent {
  constructor(
    readonly requestId: string,
    readonly cacheKey: string,
    readonly result: AnalysisResult,
    readonly at: Date,
  ) {}
}
