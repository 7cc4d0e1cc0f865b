import { AnalysisFields, PaperDocument } from './analysis';

/** The answer for one document of a call: its analysis, or why this one item failed. */
export type DocumentOutcome = { ok: true; fields: AnalysisFields } | { ok: false; error: Error };

export interface AnalyzerUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface BatchAnalysis {
  outcomes: Map<string, DocumentOutcome>;
  usage: AnalyzerUsage;
}

/**
 * The port every analyser implements. One call analyses several documents; the whole call throws
 * (see llm-errors) when the provider could not be asked at all, and reports item failures per document.
 */
export interface PaperAnalyzer {
  analyze(documents: readonly PaperDocument[]): Promise<BatchAnalysis>;
  /** For an analyser that waits for room to call (rate limits): ends those waits and makes no new call, with AnalysisWithdrawnError. */
  stopWaiting?(): void;
  /**
   * For an analyser whose calls can outlast a stop (a remote LLM): ends the calls under way, and any made from
   * then on, with AnalysisWithdrawnError; answers how many were under way.
   */
  cutOffCalls?(): number;
}

export const PAPER_ANALYZER = Symbol('PAPER_ANALYZER');
