import { AnalysisResult } from '../../../llm/analysis';
import { PaperContent } from '../../paper-content';

/** Submit one paper for analysis, normalised. At least one of `text` and `abstract` is non-empty. */
export class AnalyzePaperCommand {
  constructor(readonly paper: PaperContent) {}
}

/** What the command answers: queued for a worker, or done at once from the result cache. */
export type AnalyzePaperOutcome =
  | { requestId: string; status: 'queued' }
  | { requestId: string; status: 'done'; result: AnalysisResult };
