import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { LlmModule } from '../llm/llm.module';
import { AnalysisClaims } from './analysis-claims';
import { AnalysisQueueModule } from './analysis-queue.module';
import { AnalysisWorker } from './analysis-worker';
import { BatchAnalysisService } from './batch-analysis.service';
import { PartAnalyses } from './part-analyses';
import { WorkerHeartbeat } from './worker-heartbeat';

/** The worker role: takes jobs from the queue and analyses them in batches. */
@Module({
  imports: [AnalysisQueueModule, AnalysisModule, LlmModule],
  providers: [BatchAnalysisService, AnalysisClaims, PartAnalyses, AnalysisWorker, WorkerHeartbeat],
})
export class BatchProcessorModule {}
