import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { PaperDocument } from '../analysis';
import { BatchAnalysis, DocumentOutcome, PaperAnalyzer } from '../paper-analyzer.port';
import { ExtractiveAnalyzer } from './extractive-analyzer';

/** The analyser used without an API key: extractive, local, no network. */
export class OfflinePaperAnalyzer implements PaperAnalyzer {
  private readonly analyzer = new ExtractiveAnalyzer();

  async analyze(documents: readonly PaperDocument[]): Promise<BatchAnalysis> {
    const outcomes = new Map<string, DocumentOutcome>();
    for (const document of documents) {
      outcomes.set(document.id, this.analyzeOne(document));
      // Lets other work (polls in the `all` role, Bull's lock renewals) run between papers.
      await yieldToEventLoop();
    }
    return { outcomes, usage: { promptTokens: 0, completionTokens: 0 } };
  }

  private analyzeOne(document: PaperDocument): DocumentOutcome {
    try {
      return { ok: true, fields: this.analyzer.analyze(document) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
    }
  }
}
