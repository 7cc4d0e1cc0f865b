import { AppConfig } from '../config/app-config';
import { LlmProvider } from './analysis';
import { PROMPT_VERSION } from './groq/paper-prompt';
import { ExtractiveAnalyzer } from './offline/extractive-analyzer';

/** Which analyser produces results: a result is reused only for the same provider, model and prompt. */
export class AnalyzerIdentity {
  constructor(
    readonly provider: LlmProvider,
    readonly model: string,
  ) {}

  /**
   * An LLM reads a bounded context: its calls are packed by tokens, papers reach it without their back
   * matter, and one too long for a call is split along its sections. The offline analyser reads any length.
   */
  get hasBoundedContext(): boolean {
    return this.provider === 'groq';
  }

  static fromConfig(config: AppConfig): AnalyzerIdentity {
    return config.llm.provider === 'groq'
      ? new AnalyzerIdentity('groq', config.llm.groq.model)
      : new AnalyzerIdentity('offline', ExtractiveAnalyzer.modelName);
  }

  cacheKey(paperHash: string): string {
    return `${this.provider}:${this.model}:${PROMPT_VERSION}:${paperHash}`;
  }
}
