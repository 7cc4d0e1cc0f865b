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

  static fromConfig(config: AppConfig): AnalyzerIdentity {
    return config.llm.provider === 'groq'
      ? new AnalyzerIdentity('groq', config.llm.groq.model)
      : new AnalyzerIdentity('offline', ExtractiveAnalyzer.modelName);
  }

  cacheKey(paperHash: string): string {
    return `${this.provider}:${this.model}:${PROMPT_VERSION}:${paperHash}`;
  }
}
