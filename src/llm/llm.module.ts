import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AnalyzerIdentity } from './analyzer-identity';
import { GroqPaperAnalyzer } from './groq/groq-paper-analyzer';
import { OfflinePaperAnalyzer } from './offline/offline-paper-analyzer';
import { PAPER_ANALYZER, PaperAnalyzer } from './paper-analyzer.port';

function createAnalyzer(config: AppConfig): PaperAnalyzer {
  return config.llm.provider === 'groq' ? new GroqPaperAnalyzer(config.llm.groq) : new OfflinePaperAnalyzer();
}

@Module({
  providers: [
    { provide: AnalyzerIdentity, inject: [APP_CONFIG], useFactory: AnalyzerIdentity.fromConfig },
    { provide: PAPER_ANALYZER, inject: [APP_CONFIG], useFactory: createAnalyzer },
  ],
  exports: [AnalyzerIdentity, PAPER_ANALYZER],
})
export class LlmModule {}
